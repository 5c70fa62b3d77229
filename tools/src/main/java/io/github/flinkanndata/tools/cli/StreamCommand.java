package io.github.flinkanndata.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.examples.sink.JsonLinesCommitSink;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stream PATH... [options]}: runs the Flink source on an embedded local cluster and writes
 * the emitted samples as JSON lines — the {@code dump} format plus {@code _epoch} and {@code
 * _global_idx}. Output goes through an exactly-once file sink, so with {@code
 * --inject-failure-after N} (one task failure after N samples, with checkpoints and restarts) the
 * output still holds each emitted sample exactly once.
 */
@Command(name = "stream", description = "Run the Flink source on an embedded cluster and print the samples it emits.")
final class StreamCommand implements Callable<Integer> {
    /** Failure switches by run, so that each run of the command in one JVM fails at most once. */
    static final Map<String, AtomicLong> COUNTERS = new ConcurrentHashMap<>();

    @Mixin CollectionOptionsMixin collection;

    @Option(names = "--parallelism", paramLabel = "P", defaultValue = "2", description = "Source parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--sampling", paramLabel = "MODE", defaultValue = "sequential",
            description = "sequential, block-shuffled or weighted (default: ${DEFAULT-VALUE}).")
    String sampling;

    @Option(names = "--block-size", paramLabel = "K", defaultValue = "256", description = "Rows per block (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--window-blocks", paramLabel = "W", defaultValue = "16", description = "Blocks per split (default: ${DEFAULT-VALUE}).")
    int windowBlocks;

    @Option(names = "--rows-per-split", paramLabel = "R", defaultValue = "8192", description = "Rows per sequential split (default: ${DEFAULT-VALUE}).")
    int rowsPerSplit;

    @Option(names = "--weight-keys", paramLabel = "K1,K2", split = ",", description = "obs keys to balance (weighted sampling).")
    List<String> weightKeys;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of all random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "1", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--output-form", paramLabel = "FORM", defaultValue = "dense",
            description = "Matrix rows as dense (lamindb's form) or sparse; JSON always shows dense arrays (default: ${DEFAULT-VALUE}).")
    String outputForm;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the JSON lines to FILE instead of standard output.")
    Path output;

    @Option(names = "--checkpoint-interval-ms", paramLabel = "T",
            description = "Checkpoint interval; default 200 with --inject-failure-after, else none.")
    Long checkpointInterval;

    @Option(names = "--inject-failure-after", paramLabel = "N", description = "Fail one task once after N samples (shows exactly-once recovery).")
    Long failAfter;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Configuration options = collection.options();
        options.set(AnnDataSourceOptions.SAMPLING, samplingMode(sampling));
        options.setString(AnnDataSourceOptions.OUTPUT.key(), outputForm);
        options.set(AnnDataSourceOptions.BLOCK_SIZE, blockSize);
        options.set(AnnDataSourceOptions.WINDOW_BLOCKS, windowBlocks);
        options.set(AnnDataSourceOptions.ROWS_PER_SPLIT, rowsPerSplit);
        options.set(AnnDataSourceOptions.SEED, seed);
        options.set(AnnDataSourceOptions.EPOCHS, epochs);
        if (weightKeys != null) {
            options.set(AnnDataSourceOptions.WEIGHT_KEYS, weightKeys);
        }
        AnnDataSource<CellRecord> source = AnnDataSource.builder(collection.paths).configure(options).build();
        if (parallelism <= 0) {
            throw new IllegalArgumentException("--parallelism must be > 0, was " + parallelism);
        }
        plan(source.collection());
        Path out = output != null ? output : Files.createTempFile("anndata-stream", ".jsonl");
        Files.deleteIfExists(out);
        JsonLinesCommitSink sink = new JsonLinesCommitSink(out);

        Configuration conf = new Configuration();
        long interval = checkpointInterval != null ? checkpointInterval : failAfter != null ? 200 : 0;
        if (failAfter != null) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        }
        if (interval > 0) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(interval));
        }
        String run = java.util.UUID.randomUUID().toString();
        COUNTERS.put(run, new AtomicLong());
        // the cluster is closed before the command returns: see EmbeddedCluster for what it cleans up
        try (EmbeddedCluster cluster = new EmbeddedCluster()) {
            StreamExecutionEnvironment env = cluster.localEnvironment(parallelism, conf);
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "anndata")
                    .map(new ToJson(run, failAfter == null ? -1 : failAfter))
                    .sinkTo(sink).setParallelism(1);
            env.execute("anndata-cli stream");
        } catch (Exception e) {
            if (output == null) {
                Files.deleteIfExists(out); // a failed run leaves no partial output in the temp folder
            }
            throw e;
        } finally {
            COUNTERS.remove(run);
            deleteRecursively(sink.stagingDir());
        }
        if (output == null) {
            PrintWriter pw = spec.commandLine().getOut();
            try (Stream<String> lines = Files.lines(out)) {
                lines.forEach(pw::println);
            }
            pw.flush();
            Files.deleteIfExists(out);
        }
        return 0;
    }

    /**
     * Plans the collection here, as the job's enumerator will: a missing or broken store, a
     * scheme without its plugin or an unknown weight key fails now, with its own message, instead
     * of failing the job. Label weights are what the enumerator computes for weighted sampling.
     */
    private void plan(CollectionOptions options) throws AnnDataFormatException {
        try (AnnDataCollection c = CollectionOptionsMixin.warn(Stores.open(options, collection.remoteReads()),
                spec.commandLine().getErr())) {
            if (weightKeys != null) {
                c.labelWeights(weightKeys, null);
            }
        }
    }

    private static SamplingMode samplingMode(String s) {
        switch (s) {
            case "sequential":
                return SamplingMode.SEQUENTIAL;
            case "block-shuffled":
                return SamplingMode.BLOCK_SHUFFLED;
            case "weighted":
                return SamplingMode.WEIGHTED;
            default:
                throw new IllegalArgumentException("--sampling must be sequential, block-shuffled or weighted, was '" + s + "'");
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Renders a record as a JSON line; optionally fails once after N records (across subtasks). */
    static final class ToJson extends RichMapFunction<CellRecord, String> {
        private static final long serialVersionUID = 1L;
        private final String run;
        private final long failAfter;
        private transient ObjectMapper json;

        ToJson(String run, long failAfter) {
            this.run = run;
            this.failAfter = failAfter;
        }

        @Override
        public void open(OpenContext context) {
            json = new ObjectMapper();
        }

        @Override
        public String map(CellRecord r) throws Exception {
            if (failAfter >= 0) {
                AtomicLong seen = COUNTERS.get(run);
                if (seen != null && seen.incrementAndGet() == failAfter + 1) {
                    throw new IllegalStateException("injected failure after " + failAfter + " samples");
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("_epoch", r.epoch());
            m.put("_global_idx", r.globalIndex());
            m.putAll(JsonSamples.sample(r.sample()));
            return json.writeValueAsString(m);
        }
    }
}
