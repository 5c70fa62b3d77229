package io.github.flinkanndata.tools.cluster;

import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.SamplingMode;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The job of the real-cluster test ({@code scripts/cluster-test.sh}): reads a collection of stores
 * for a number of epochs and writes every sample as a JSON line — the {@code anndata-cli dump}
 * record plus {@code _epoch} and {@code _global_idx} — through Flink's {@link FileSink}, which
 * makes a part file visible only when the checkpoint covering it completes. After a failure the
 * committed files therefore hold each (epoch, global index) exactly once, which {@link
 * CommittedOutputCheck} verifies against {@code dump}.
 *
 * <p>{@code --pace-ms} slows every record down so that a short collection lasts long enough for
 * the test to kill a TaskManager in the middle of an epoch. The job is submitted to a standalone
 * cluster with {@code anndata-jobs.jar}; {@code flink-connector-files} comes from the
 * distribution's {@code lib/}.
 */
@Command(name = "cluster-exactly-once", mixinStandardHelpOptions = true,
        description = "Read a collection for several epochs into an exactly-once FileSink (real-cluster test).")
public final class ClusterExactlyOnceJob implements Callable<Integer> {
    /** Prefix and suffix of committed part files, which {@link CommittedOutputCheck} reads. */
    static final String PART_PREFIX = "samples";
    static final String PART_SUFFIX = ".jsonl";

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Stores in collection order.")
    List<String> paths;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output folder of the FileSink.")
    String output;

    @Option(names = "--join", paramLabel = "inner|outer|none", defaultValue = "outer",
            description = "Variable join, as for dump (default: ${DEFAULT-VALUE}).")
    String join;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--parallelism", paramLabel = "P", defaultValue = "2", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--sampling", paramLabel = "MODE", defaultValue = "block_shuffled",
            description = "sequential or block_shuffled: modes that draw every index once per epoch (default: ${DEFAULT-VALUE}).")
    String sampling;

    @Option(names = "--block-size", paramLabel = "K", defaultValue = "32", description = "Rows per block (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--window-blocks", paramLabel = "W", defaultValue = "2", description = "Blocks per split (default: ${DEFAULT-VALUE}).")
    int windowBlocks;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoint-interval-ms", paramLabel = "T", defaultValue = "1000",
            description = "Checkpoint interval; output is committed at each checkpoint (default: ${DEFAULT-VALUE}).")
    long checkpointInterval;

    @Option(names = "--pace-ms", paramLabel = "MS", defaultValue = "0",
            description = "Sleep per record in each subtask (default: ${DEFAULT-VALUE}).")
    long paceMs;

    public static void main(String[] args) {
        int code = new CommandLine(new ClusterExactlyOnceJob()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env);
        env.execute("anndata cluster exactly-once");
        return 0;
    }

    /** Adds the pipeline to {@code env}; validates the arguments first. */
    void build(StreamExecutionEnvironment env) {
        SamplingMode mode = SamplingMode.valueOf(sampling.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (mode == SamplingMode.WEIGHTED) {
            // weighted sampling draws with replacement: (epoch, index) is not unique, nothing to check
            throw new IllegalArgumentException("--sampling must be sequential or block_shuffled, was " + sampling);
        }
        if (epochs <= 0 || parallelism <= 0 || checkpointInterval <= 0 || paceMs < 0) {
            throw new IllegalArgumentException(String.format(
                    "need --epochs > 0, --parallelism > 0, --checkpoint-interval-ms > 0, --pace-ms >= 0; were %d, %d, %d, %d",
                    epochs, parallelism, checkpointInterval, paceMs));
        }
        AnnDataSource<CellRecord> source = AnnDataSource.builder(CollectionOptions.builder(paths).join(join).build())
                .sampling(mode).blockSize(blockSize).windowBlocks(windowBlocks)
                .seed(seed).epochs(epochs).build();
        FileSink<String> sink = FileSink.forRowFormat(new Path(output), new SimpleStringEncoder<String>())
                .withBucketAssigner(new BasePathBucketAssigner<>())
                // roll at every checkpoint: a part file is committed with the checkpoint that covers it
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(PART_PREFIX).withPartSuffix(PART_SUFFIX).build())
                .build();
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "anndata")
                .map(new PacedJsonLines(paceMs)).name("paced-json")
                .sinkTo(sink).name("file-sink");
    }
}
