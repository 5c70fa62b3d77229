package io.github.flinkanndata.examples.features;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.examples.common.JobRuntime;
import io.github.flinkanndata.examples.sink.JsonLinesCommitSink;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A streaming feature pipeline on the AnnData source ({@code anndata-cli features}, or this
 * class's {@code main} with the same arguments): per-cell QC features, counts-per-10k + log1p
 * normalisation, running per-gene mean and variance per cell type in keyed state, and highly
 * variable genes per cell type, written as JSON lines through an exactly-once file sink.
 *
 * <pre>
 * cells ─► QC + normalise ─┬─► qc.jsonl
 *                          ├─► normalized.jsonl               (--write-normalized)
 *                          └─► keyBy(label) ─► Welford state ─┬─► hvg.jsonl (every N cells of a type, and at the end)
 *                                                             └─► gene_stats.jsonl (at the end)
 * </pre>
 *
 * The source reads every cell once (sequential sampling, one epoch), so the statistics describe
 * the collection. The gene names come from the collection's joint var list, read once here when
 * the job is built. See {@code docs/features.md} for the exact definitions and the output format.
 */
@Command(name = "features", description = "Run the streaming feature pipeline (QC, normalisation, "
        + "per-type gene statistics, highly variable genes) on an embedded cluster.")
public final class FeaturePipelineJob implements Callable<Integer> {
    static final String QC_FILE = "qc.jsonl";
    static final String NORMALIZED_FILE = "normalized.jsonl";
    static final String GENE_STATS_FILE = "gene_stats.jsonl";
    static final String HVG_FILE = "hvg.jsonl";

    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Stores in collection order: .h5ad files, .zarr directories, .zarr.zip files;"
                    + " local paths, file:// URIs or any scheme Flink has a file system for (s3://, ...).")
    List<String> paths;

    @Option(names = "--layer", paramLabel = "KEY", defaultValue = "X",
            description = "Matrix of counts: X or a layer name such as counts (default: ${DEFAULT-VALUE}).")
    String layer;

    @Option(names = "--label-key", paramLabel = "KEY", defaultValue = "cell_type",
            description = "obs column of the cell type; cells without a label form their own group (default: ${DEFAULT-VALUE}).")
    String labelKey;

    @Option(names = "--join", paramLabel = "inner|outer|none", defaultValue = "inner",
            description = "Gene join over the stores; none needs identical gene lists (default: ${DEFAULT-VALUE}).")
    String join;

    @Option(names = "--output-dir", paramLabel = "DIR", required = true,
            description = "Folder for qc.jsonl, gene_stats.jsonl, hvg.jsonl (and normalized.jsonl); those files are replaced.")
    Path outputDir;

    @Option(names = "--hvg-top", paramLabel = "K", defaultValue = "20",
            description = "Highly variable genes per list (default: ${DEFAULT-VALUE}).")
    int hvgTop;

    @Option(names = "--hvg-every", paramLabel = "N", defaultValue = "500",
            description = "Also list them after every N cells of a type; 0: only at the end (default: ${DEFAULT-VALUE}).")
    long hvgEvery;

    @Option(names = "--target-sum", paramLabel = "S", defaultValue = "10000",
            description = "Counts per cell after normalisation, before log1p (default: ${DEFAULT-VALUE}).")
    double targetSum;

    @Option(names = "--mito-prefix", paramLabel = "P", defaultValue = "MT-",
            description = "Mitochondrial genes start with P, ignoring case (default: ${DEFAULT-VALUE}).")
    String mitoPrefix;

    @Option(names = "--write-normalized", description = "Also write every cell's normalised sparse row.")
    boolean writeNormalized;

    @Option(names = "--parallelism", paramLabel = "P", defaultValue = "2",
            description = "Parallelism of the source and the operators; the file sinks run with 1 (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval-ms", paramLabel = "T", defaultValue = "0",
            description = "Checkpoint interval; output is committed at checkpoints and at the end; 0: no checkpoints (default: ${DEFAULT-VALUE}).")
    long checkpointInterval;

    @Spec CommandSpec spec;

    private final Supplier<JobRuntime> runtimes;

    /** The pipeline on {@link JobRuntime#discover()}. */
    public FeaturePipelineJob() {
        this(JobRuntime::discover);
    }

    /** The pipeline on a runtime of each run's own ({@code anndata-cli features} passes the tool's). */
    public FeaturePipelineJob(Supplier<JobRuntime> runtimes) {
        this.runtimes = runtimes;
    }

    /** Runs the pipeline on {@link JobRuntime#discover()}; arguments as for {@code anndata-cli features}. */
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new FeaturePipelineJob());
        cli.getCommandSpec().mixinStandardHelpOptions(true); // anndata-cli gives its subcommands -h, -V
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        // the runtime is closed before the command returns, after the jobs it ran have shut down
        try (JobRuntime runtime = runtimes.get()) {
            return run(runtime);
        }
    }

    private int run(JobRuntime runtime) throws Exception {
        CollectionOptions collection = CollectionOptions.builder(paths)
                .layersKeys(layer).obsKeys(labelKey).encodeLabels(false).join(join).build();
        GeneCatalog genes;
        long cells;
        // planned here, as the job's enumerator will: a bad path or store fails before the job
        try (AnnDataCollection c = runtime.open(collection)) {
            checkLabelKey(c.plan());
            genes = GeneCatalog.of(runtime, c, paths, mitoPrefix);
            cells = c.size();
        }
        Files.createDirectories(outputDir);
        Files.deleteIfExists(outputDir.resolve(NORMALIZED_FILE)); // not left over from an earlier run
        List<JsonLinesCommitSink> sinks = new ArrayList<>();
        try {
            StreamExecutionEnvironment env = environment(runtime);
            DataStream<CellRecord> records = env.fromSource(
                    AnnDataSource.builder(collection).output(OutputForm.SPARSE).sampling(SamplingMode.SEQUENTIAL)
                            .epochs(1).build(),
                    WatermarkStrategy.noWatermarks(), "anndata");
            DataStream<CellFeatures> features = records
                    .map(new CellFeaturesFunction(layer, labelKey, genes, targetSum))
                    .returns(TypeInformation.of(CellFeatures.class)).name("qc-normalize");
            write(features.map(FeatureJson::qc).returns(Types.STRING).name("qc-json"), QC_FILE, sinks);
            if (writeNormalized) {
                write(features.map(FeatureJson::normalized).returns(Types.STRING).name("normalized-json"),
                        NORMALIZED_FILE, sinks);
            }
            SingleOutputStreamOperator<String> hvg = features
                    .keyBy(f -> f.group, Types.STRING)
                    .process(new GeneStatsFunction(genes, hvgTop, hvgEvery)).returns(Types.STRING)
                    .name("gene-stats");
            write(hvg, HVG_FILE, sinks);
            write(hvg.getSideOutput(GeneStatsFunction.GENE_STATS), GENE_STATS_FILE, sinks);
            env.execute("anndata-cli features"); // a failure's message is found by the CLI's ErrorLine
        } finally {
            for (JsonLinesCommitSink sink : sinks) {
                deleteRecursively(sink.stagingDir());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("features: %d cells, %d genes (%d mitochondrial), %d cell types -> %s%n", cells, genes.size(),
                genes.mitoCount(), lineCount(outputDir.resolve(GENE_STATS_FILE)), outputDir.toAbsolutePath());
        out.flush();
        return 0;
    }

    private void validate() {
        check(!layer.equals("raw.X"), "--layer raw.X is not supported: raw has its own genes; use X or a layer");
        check(hvgTop > 0, "--hvg-top must be > 0, was " + hvgTop);
        check(hvgEvery >= 0, "--hvg-every must be >= 0, was " + hvgEvery);
        check(targetSum > 0 && !Double.isInfinite(targetSum), "--target-sum must be a positive number, was " + targetSum);
        check(parallelism > 0, "--parallelism must be > 0, was " + parallelism);
        check(checkpointInterval >= 0, "--checkpoint-interval-ms must be >= 0, was " + checkpointInterval);
    }

    /** A misspelt label key would silently put every cell into the group without a label. */
    private void checkLabelKey(CollectionPlan plan) {
        for (int s = 0; s < plan.storeCount(); s++) {
            if (plan.store(s).hasObs(0)) { // the one obs key
                return;
            }
        }
        throw new IllegalArgumentException("no store has the obs column '" + labelKey
                + "': name the cell-type column with --label-key");
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private StreamExecutionEnvironment environment(JobRuntime runtime) throws IOException {
        Configuration conf = new Configuration();
        // every record type has a Flink serializer; fail rather than fall back to Kryo silently
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        if (checkpointInterval > 0) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointInterval));
        }
        return runtime.localEnvironment(parallelism, conf);
    }

    /** Sends {@code lines} to a fresh {@code name} in the output folder, through a committing sink. */
    private void write(DataStream<String> lines, String name, List<JsonLinesCommitSink> sinks) throws IOException {
        Path file = outputDir.resolve(name);
        Files.deleteIfExists(file); // the sink appends
        JsonLinesCommitSink sink = new JsonLinesCommitSink(file);
        sinks.add(sink);
        // one committer appends to the file, so the sink runs alone
        lines.sinkTo(sink).setParallelism(1).name(name);
    }

    private static long lineCount(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
