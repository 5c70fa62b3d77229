package io.github.flinkanndata.examples.training;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.examples.common.JobRuntime;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Continuous training: streams cells from an AnnData collection through the Flink source into an
 * online multinomial logistic regression ({@link SoftmaxRegression}) and prints its prequential
 * (test-then-train) accuracy as it learns. Runnable as {@code anndata-cli train} and as a main
 * class; with no arguments it trains on the bundled {@code pbmc68k_reduced.h5ad} (label {@code
 * bulk_labels}) for 5 epochs.
 *
 * <p>The pipeline: {@link AnnDataSource} (block-shuffled or weighted sampling over epochs, {@code
 * --parallelism} readers) → {@link TrainingOperator} (parallelism 1: one model, kept in operator
 * state; see there why) → report lines, collected to the client and printed. The classes and the
 * feature count come from the collection's label encoder and shape, read once when the job is
 * built ({@link TrainingData}). A share of cells ({@code --holdout}, chosen by global index) is
 * never trained on and measures accuracy on unseen cells, which the prequential accuracy of later
 * epochs, on cells the model has already learnt, does not.
 *
 * <p>With checkpointing (default every second) the model survives failures, and the printed lines
 * are exactly once: the client receives them when the checkpoint covering them completes. {@code
 * --inject-failure-after N} makes the trainer fail once after N cells to show it.
 */
@Command(name = "train", description = "Train an online softmax regression on streamed cells and print its prequential accuracy.")
public final class ContinuousTrainingJob implements Callable<Integer> {
    /** The dataset trained on without {@code --paths}, relative to the project (examples/data). */
    static final String BUNDLED = "data/pbmc68k_reduced.h5ad";

    @Option(names = "--paths", split = ",", arity = "1..*", paramLabel = "PATH",
            description = "Stores in collection order: local paths, file:// URIs or any scheme Flink has a file system"
                    + " for (default: the bundled examples/" + BUNDLED + ").")
    List<String> paths;

    @Option(names = "--label-key", paramLabel = "KEY", defaultValue = "bulk_labels",
            description = "obs column to predict, encoded to integers (default: ${DEFAULT-VALUE}).")
    String labelKey;

    @Option(names = "--layer", paramLabel = "KEY", defaultValue = "X",
            description = "Feature matrix: X, raw.X or a layer (default: ${DEFAULT-VALUE}).")
    String layer;

    @Option(names = "--join", paramLabel = "inner|outer", defaultValue = "inner",
            description = "Gene join over several stores (default: ${DEFAULT-VALUE}).")
    String join;

    @Option(names = "--sampling", paramLabel = "MODE", defaultValue = "block-shuffled",
            description = "block-shuffled, weighted (class-balanced by the label) or sequential (default: ${DEFAULT-VALUE}).")
    String sampling;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "5", description = "Epochs, -1 for unbounded (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--block-size", paramLabel = "K", defaultValue = "256", description = "Rows per block (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--learning-rate", paramLabel = "R", defaultValue = "0.01", description = "Initial learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--decay-cells", paramLabel = "T", defaultValue = "1000",
            description = "Rate at step t is R/sqrt(1+t/T); 0 keeps it constant (default: ${DEFAULT-VALUE}).")
    double decayCells;

    @Option(names = "--l2", paramLabel = "L", defaultValue = "1e-4", description = "L2 penalty on the weights (default: ${DEFAULT-VALUE}).")
    double l2;

    @Option(names = "--standardize", description = "Divide features by their running standard deviation.")
    boolean standardize;

    @Option(names = "--holdout", paramLabel = "F", defaultValue = "0.2",
            description = "Share of cells never trained on, to measure accuracy on unseen cells (default: ${DEFAULT-VALUE}).")
    double holdout;

    @Option(names = "--report-every", paramLabel = "N", defaultValue = "1000", description = "Cells per report line (default: ${DEFAULT-VALUE}).")
    int reportEvery;

    @Option(names = "--parallelism", paramLabel = "P", defaultValue = "1",
            description = "Source readers; the trainer is always one (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval-ms", paramLabel = "T",
            description = "Checkpoint interval, 0 for none (default: 1000; 100 with --inject-failure-after).")
    Long checkpointInterval;

    @Option(names = "--snapshot-dir", paramLabel = "DIR",
            description = "Directory for JSON model snapshots (default: none are written).")
    Path snapshotDir;

    @Option(names = "--inject-failure-after", paramLabel = "N",
            description = "Fail the trainer once after N cells (after a checkpoint), to show the model survives.")
    Long failAfter;

    @Spec CommandSpec spec;

    private final Supplier<JobRuntime> runtimes;

    /** The job on {@link JobRuntime#discover()}. */
    public ContinuousTrainingJob() {
        this(JobRuntime::discover);
    }

    /** The job on a runtime of each run's own ({@code anndata-cli train} passes the tool's). */
    public ContinuousTrainingJob(Supplier<JobRuntime> runtimes) {
        this.runtimes = runtimes;
    }

    /** Runs the job with the options of {@code anndata-cli train}, on {@link JobRuntime#discover()}. */
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ContinuousTrainingJob());
        cli.getCommandSpec().mixinStandardHelpOptions(true); // anndata-cli gives its subcommands -h, -V
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (JobRuntime runtime = runtimes.get()) {
            return run(runtime);
        }
    }

    private int run(JobRuntime runtime) throws Exception {
        Prepared job = prepare(runtime);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "training on %d cells x %d features of %s: %d classes of '%s' "
                        + "(majority class '%s': %.3f), %s sampling, %s, holdout %.2f%n",
                job.data().cells(), job.data().features(), String.join(",", job.stores()), job.data().classes().size(),
                labelKey, job.data().majorityLabel(), job.data().majorityRate(), sampling,
                epochs == AnnDataSourceBuilder.UNBOUNDED ? "unbounded epochs" : epochs == 1 ? "1 epoch" : epochs + " epochs",
                holdout);
        out.flush();
        // Under flink run the job goes to the cluster; else to a local one, which the runtime
        // shuts down before the command returns (after the iterator, which cancels a job still
        // running)
        try {
            StreamExecutionEnvironment env = runtime.environment(parallelism, job.conf());
            // closed in finally rather than by try-with-resources: its close() declares Exception
            CloseableIterator<String> lines = job.pipeline(env, UnaryOperator.identity())
                    .executeAndCollect("anndata-cli train");
            try {
                while (lines.hasNext()) {
                    out.println(lines.next());
                    out.flush();
                }
            } finally {
                lines.close();
            }
        } finally {
            TrainingOperator.forgetRun(job.runId());
        }
        out.println("model snapshots: " + (snapshotDir == null ? "none (give --snapshot-dir DIR to keep them)"
                : ModelSnapshots.latest(snapshotDir).map(Path::toString).orElse("none in " + snapshotDir)));
        out.flush();
        return 0;
    }

    /**
     * The job of these options, checked and ready to run: what {@link #call()} runs, and what the
     * soak test runs on a cluster of its own.
     *
     * @param conf the job's configuration: checkpoint interval, restart strategy
     */
    record Prepared(List<String> stores, TrainingData data, AnnDataSourceBuilder source, TrainingOperator trainer,
            Configuration conf, String runId) {
        /** Source, then {@code tap} (identity in the command), then the trainer (parallelism 1). */
        DataStream<String> pipeline(StreamExecutionEnvironment env, UnaryOperator<DataStream<CellRecord>> tap) {
            DataStream<CellRecord> cells = env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "anndata");
            return tap.apply(cells).transform("softmax-regression", Types.STRING, trainer)
                    .setParallelism(1).setMaxParallelism(1);
        }
    }

    /** Checks the options and builds the job (reads the collection's labels and shape once). */
    Prepared prepare(JobRuntime runtime) throws Exception {
        check(parallelism > 0, "--parallelism must be > 0, was %s", parallelism);
        check(reportEvery > 0, "--report-every must be > 0, was %s", reportEvery);
        long interval = checkpointInterval != null ? checkpointInterval : failAfter != null ? 100 : 1000;
        check(interval >= 0, "--checkpoint-interval-ms must be >= 0, was %s", interval);
        check(failAfter == null || interval > 0, "--inject-failure-after needs checkpoints (--checkpoint-interval-ms > 0)%s", "");
        check(failAfter == null || failAfter >= 0, "--inject-failure-after must be >= 0, was %s", failAfter);
        List<String> stores = paths != null ? paths : List.of(bundledData());
        CollectionOptions options = CollectionOptions.builder(stores)
                .layersKeys(List.of(layer)).obsKeys(List.of(labelKey)).join(join).build();
        TrainingData data = TrainingData.inspect(runtime, options, labelKey, layer);
        LearnerConfig config = new LearnerConfig(data.classes().size(), data.features(), learningRate, decayCells, l2,
                standardize);
        Holdout held = new Holdout(holdout);
        // no snapshots unless asked for: a run leaves nothing behind that the user did not name
        Path snapshots = snapshotDir;

        SamplingMode mode = samplingMode(sampling);
        AnnDataSourceBuilder source = AnnDataSource.builder(options).sampling(mode)
                .blockSize(blockSize).seed(seed).epochs(epochs).output(OutputForm.SPARSE);
        if (mode == SamplingMode.WEIGHTED) {
            source.weightKeys(labelKey); // class balance: each label drawn about equally often
        }
        Configuration conf = new Configuration();
        if (failAfter != null) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        }
        if (interval > 0) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(interval));
        }
        String run = UUID.randomUUID().toString();
        TrainingOperator trainer = new TrainingOperator(config, layer, held, reportEvery, data.cells(),
                new ModelSnapshots.Labels(labelKey, data.classes(), data.genes()),
                snapshots == null ? null : snapshots.toAbsolutePath().toString(), failAfter == null ? -1 : failAfter, run);
        return new Prepared(stores, data, source, trainer, conf, run);
    }

    /** The bundled dataset: beside the working directory's examples/, or beside this jar or class folder. */
    static String bundledData() throws URISyntaxException {
        Path fromProject = Paths.get("examples").resolve(BUNDLED);
        if (Files.isRegularFile(fromProject)) {
            return fromProject.toAbsolutePath().normalize().toString();
        }
        // examples/target/classes sits two levels below examples/; tools/target/anndata-cli.jar two
        // below tools/, beside examples/
        Path code = Paths.get(ContinuousTrainingJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path module = code.getParent().getParent();
        for (Path candidate : List.of(module.resolve(BUNDLED), module.resolveSibling("examples").resolve(BUNDLED))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath().normalize().toString();
            }
        }
        throw new IllegalArgumentException("the bundled dataset examples/" + BUNDLED
                + " was not found (run from the project directory or pass --paths)");
    }

    private static SamplingMode samplingMode(String s) {
        switch (s) {
            case "block-shuffled":
                return SamplingMode.BLOCK_SHUFFLED;
            case "weighted":
                return SamplingMode.WEIGHTED;
            case "sequential":
                return SamplingMode.SEQUENTIAL;
            default:
                throw new IllegalArgumentException("--sampling must be block-shuffled, weighted or sequential, was '" + s + "'");
        }
    }

    private static void check(boolean condition, String message, Object value) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, message, value));
        }
    }
}
