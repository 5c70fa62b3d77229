package io.github.flinkanndata.serving.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.flinkanndata.serving.BatchServingSink;
import io.github.flinkanndata.serving.ServingOptions;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.record.BatchToken;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.record.BatchPiece;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code anndata-serve}: a Flink job that reads an AnnData collection as numbered mini-batches
 * and serves them to {@code W} PyTorch ranks over Arrow Flight, on an embedded cluster (default)
 * or a running one ({@code --jobmanager}).
 *
 * <p>It announces itself in the endpoint folder: {@code endpoint-<subtask>.json} per sink subtask
 * (host, port, ranks), and {@code status.json} ({@code state} RUNNING, FINISHED or FAILED, with
 * {@code error}), which a client reads when it cannot reach its server.
 */
@Command(name = "anndata-serve", mixinStandardHelpOptions = true, version = "anndata-serve 0.1.0",
        sortOptions = false,
        description = "Serve numbered mini-batches of AnnData stores (.h5ad, .zarr) to PyTorch ranks over Arrow Flight.")
public final class ServeJob implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Stores of the collection (.h5ad, .zarr, .zarr.zip).")
    List<String> paths;

    @Option(names = "--batch-size", required = true, paramLabel = "B", description = "Cells per training batch.")
    int batchSize;

    @Option(names = "--endpoint-dir", required = true, paramLabel = "DIR",
            description = "Folder where the servers announce themselves (endpoint-<subtask>.json, status.json).")
    Path endpointDir;

    @Option(names = "--world-size", paramLabel = "W", defaultValue = "1", description = "Trainer ranks (default: ${DEFAULT-VALUE}).")
    int worldSize;

    @Option(names = "--token", paramLabel = "fab1:...", description = "Resume at this position token (a rank's state_dict).")
    String token;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "1", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the sample order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sampling", paramLabel = "MODE", defaultValue = "block_shuffled",
            description = "sequential, block_shuffled or weighted (default: ${DEFAULT-VALUE}).")
    String sampling;

    @Option(names = "--obs-keys", split = ",", paramLabel = "KEY", description = "obs columns sent with each batch.")
    List<String> obsKeys;

    @Option(names = "--layers-keys", split = ",", paramLabel = "KEY", description = "Matrices sent (default: X).")
    List<String> layersKeys;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "Any other source option (anndata.*), repeatable.")
    Map<String, String> sourceOptions;

    @Option(names = "--parallelism", paramLabel = "P", defaultValue = "1",
            description = "Source parallelism; its decoding runs on all cores at any parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--servers", paramLabel = "N", defaultValue = "1",
            description = "Sink subtasks, each a Flight server for the ranks r = i (mod N), at most the world size;"
                    + " one server after a source of parallelism 1 runs in the source's task, with no exchange"
                    + " between them (default: ${DEFAULT-VALUE}).")
    int servers;

    @Option(names = "--bind", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address the Flight servers bind and announce (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--transport", paramLabel = "T", defaultValue = "auto",
            description = "auto (TCP, plus a Unix-domain socket that ranks on this host use, where Netty's epoll"
                    + " transport runs), tcp or unix (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--buffer", paramLabel = "N", defaultValue = "8",
            description = "Batches buffered per rank before the job is held back (default: ${DEFAULT-VALUE}).")
    int buffer;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "A rank that pulls nothing this long while batches wait ends the job (default: ${DEFAULT-VALUE}).")
    long idleTimeoutSeconds;

    // a checkpoint writes every batch not yet acknowledged (megabytes each; ServingOperator says
    // why as raw state); a failover replays at most one interval, which the ranks' tickets make
    // harmless
    @Option(names = "--checkpoint-interval", paramLabel = "MS", defaultValue = "30000",
            description = "Checkpoint interval in milliseconds (default: ${DEFAULT-VALUE}).")
    long checkpointInterval;

    @Option(names = "--restarts", paramLabel = "N",
            description = "Restarts of a failing job, 500 ms apart (default: 3 on the embedded cluster; with"
                    + " --jobmanager, the cluster's own restart strategy).")
    Integer restarts;

    @Option(names = "--jobmanager", paramLabel = "HOST:PORT",
            description = "Submit to this running cluster (its REST address) instead of an embedded one.")
    String jobmanager;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new ServeJob());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + message(e));
            cmd.getErr().flush();
            return 1;
        });
        return cli.execute(args);
    }

    /** The message of the failure's innermost cause that has one: what went wrong, without Flink's wrappers. */
    static String message(Throwable e) {
        String m = e.toString();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                m = t.getMessage();
            }
        }
        return m;
    }

    @Override
    public Integer call() throws Exception {
        if (servers < 1 || parallelism < 1) {
            throw new IllegalArgumentException("--servers and --parallelism must be at least 1, were " + servers
                    + " and " + parallelism);
        }
        Files.createDirectories(endpointDir);
        clearEndpoints();
        BatchToken start = token == null ? null : BatchToken.parse(token);
        ServingOptions serving = ServingOptions.builder(endpointDir.toAbsolutePath().toString()).bindHost(bind)
                .worldSize(worldSize).bufferBatches(buffer).idleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
                .startToken(start).transport(ServingOptions.Transport.parse(transport)).build();
        Configuration source = new Configuration();
        if (sourceOptions != null) {
            sourceOptions.forEach(source::setString);
        }
        source.set(AnnDataSourceOptions.EPOCHS, epochs);
        source.set(AnnDataSourceOptions.SEED, seed);
        source.set(AnnDataSourceOptions.SAMPLING, SamplingMode.valueOf(sampling.toUpperCase(java.util.Locale.ROOT)));
        if (obsKeys != null) {
            source.set(AnnDataSourceOptions.OBS_KEYS, obsKeys);
        }
        if (layersKeys != null) {
            source.set(AnnDataSourceOptions.LAYERS_KEYS, layersKeys);
        }
        AnnDataSourceBuilder builder = AnnDataSource.builder(paths).configure(source).startToken(start);
        AnnDataSource<BatchPiece> batches = builder.build(CellOutputFormat.numberedBatches(batchSize));

        int sinks = Math.min(servers, worldSize);
        Configuration conf = new Configuration();
        // On a running cluster, its own restart strategy applies unless --restarts is given: after a
        // TaskManager dies, the JobManager keeps offering its slots until the heartbeat times out
        // (50 s by default), and every restart deployed there fails at once and uses up an attempt,
        // so a few attempts 500 ms apart end the job although a spare TaskManager waits. The
        // cluster's operator knows its heartbeat timeout and sets a strategy that outlasts it.
        if (restarts != null || jobmanager == null) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restarts != null ? restarts : 3);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        }
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointInterval));
        // a slow or stopped rank holds the job back; unaligned barriers overtake the held-back
        // batches (the sink's input is keyed: Flink sends aligned barriers over a custom partitioner)
        // and reach the sink while it waits for room in a rank's queue
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        status("RUNNING", null);
        try {
            if (jobmanager == null) {
                runEmbedded(conf, batches, serving, sinks);
            } else {
                String[] hp = jobmanager.split(":", 2);
                String jar = new File(ServeJob.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
                StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(hp[0],
                        hp.length > 1 ? Integer.parseInt(hp[1]) : 8081, conf, jar);
                build(env, batches, serving, sinks);
                runOnCluster(env);
            }
        } catch (Exception e) {
            status("FAILED", message(e));
            throw e;
        }
        status("FINISHED", null);
        return 0;
    }

    private void build(StreamExecutionEnvironment env, AnnDataSource<BatchPiece> batches, ServingOptions serving,
            int sinks) {
        env.setParallelism(parallelism);
        // the source makes a new piece for every record and never touches it again: a sink chained
        // to it (one server, source parallelism 1) takes it as it is instead of a copy
        env.getConfig().enableObjectReuse();
        DataStream<BatchPiece> pieces = env.fromSource(batches, WatermarkStrategy.noWatermarks(), "anndata batches");
        BatchServingSink.sinkTo(pieces, serving, sinks);
    }

    /**
     * Submits the job to the running cluster and waits for its end. The job outlives this process
     * unless cancelled: when the launcher is stopped (SIGTERM, as {@code ServingJob.stop()} does), a
     * shutdown hook cancels the job, which would otherwise hold its slots until the idle timeout.
     */
    private static void runOnCluster(StreamExecutionEnvironment env) throws Exception {
        JobClient job = env.executeAsync("anndata-serve");
        Thread cancel = new Thread(() -> {
            try {
                job.cancel().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the job has ended already, or the cluster is gone: nothing left to cancel
            }
        }, "anndata-serve-cancel");
        Runtime.getRuntime().addShutdownHook(cancel);
        try {
            job.getJobExecutionResult().get();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancel);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs
            }
        }
    }

    /** On a MiniCluster of this process, closed (temp files removed) before returning. */
    @SuppressWarnings("try") // MiniCluster.close() may throw InterruptedException: this method passes it on
    private void runEmbedded(Configuration conf, AnnDataSource<BatchPiece> batches, ServingOptions serving, int sinks)
            throws Exception {
        Path tmp = Files.createTempDirectory("anndata-serve");
        try {
            // the sink's state holds up to --buffer whole batches per rank: more than the
            // JobManager's in-memory checkpoint storage takes, so checkpoints go to files
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, tmp.resolve("checkpoints").toUri().toString());
            Configuration cluster = new Configuration(conf);
            cluster.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(parallelism, sinks));
            cluster.set(WebOptions.UPLOAD_DIR, tmp.toString());
            cluster.setString("io.tmp.dirs", tmp.toString());
            if (!cluster.contains(RestOptions.BIND_PORT)) {
                // any free port: two serving jobs on one node (two trainings) must not collide on 8081
                cluster.set(RestOptions.BIND_PORT, "0");
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            build(env, batches, serving, sinks);
            JobGraph job = env.getStreamGraph().getJobGraph();
            try (MiniCluster mc = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(cluster)
                    .setNumTaskManagers(1).setNumSlotsPerTaskManager(Math.max(parallelism, sinks)).build())) {
                mc.start();
                mc.executeJobBlocking(job);
            }
        } finally {
            deleteTree(tmp);
        }
    }

    private void clearEndpoints() throws IOException {
        // a previous job's servers (sockets of one killed) and its ranks' final acknowledgements
        try (DirectoryStream<Path> files = Files.newDirectoryStream(endpointDir,
                "{endpoint-*.json,done-*.json,flight-*.sock}")) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }

    private void status(String state, String error) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("state", state);
        node.put("pid", ProcessHandle.current().pid());
        String boot = bootId();
        if (boot != null) {
            node.put("boot_id", boot); // ranks judge the pid only on this host
        }
        node.put("world", worldSize);
        if (error != null) {
            node.put("error", error);
        }
        Path tmp = endpointDir.resolve(".status.json.tmp");
        Files.write(tmp, JSON.writeValueAsBytes(node));
        Files.move(tmp, endpointDir.resolve("status.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** This host's boot id (Linux), or null: with the pid it names this process on this host. */
    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp folder is harmless
        }
    }
}
