package io.github.flinkanndata.tools.cli;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.examples.common.JobRuntime;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The embedded Flink cluster of one command run ({@code train}, {@code stream}, {@code
 * features}): {@link #close()} returns only when Flink has shut it down completely, so that a run
 * leaves nothing in the temp folder.
 *
 * <p>Why this exists. {@code StreamExecutionEnvironment.createLocalEnvironment} runs a job through
 * Flink's {@link LocalExecutor}: {@code PerJobMiniClusterFactory} starts a {@link MiniCluster} for
 * the job, and when the job ends its {@code MiniClusterJobClient} (finalization {@code
 * SHUTDOWN_CLUSTER}) calls {@link MiniCluster#closeAsync()} and does not wait: {@code execute}
 * returns while the cluster is still shutting down. Two of the shutdown's last steps clean the temp
 * folder ({@code io.tmp.dirs}, by default {@code java.io.tmpdir}): {@code RpcSystem.close()} — the
 * {@code CleanupOnCloseRpcSystem} that {@code PekkoRpcSystemLoader.loadRpcSystem} returns deletes
 * the 24 MB {@code flink-rpc-akka<uuid>.jar} it extracted there — and {@code
 * WorkingDirectory.delete()} of {@code minicluster_<id>} (the TaskManager's {@code flink-io-*},
 * {@code flink-netty-shuffle-*} and {@code flink-dist-cache-*} go a little earlier). {@code
 * AnnDataCli.main} calls {@code System.exit} as soon as the command returns, so the JVM ended
 * before those steps ran and every run left the jar and the folder behind. Deleting them ourselves
 * afterwards would need their names and would race Flink; instead the job runs on Flink's own
 * {@code LocalExecutor}, made with {@link LocalExecutor#createWithFactory} so that each MiniCluster
 * it creates is handed to us, and {@link #close()} waits for each one's termination. The
 * MiniCluster owns its {@code RpcSystem} and closes it as part of that.
 *
 * <p>One folder Flink never deletes: the REST endpoint's upload folder {@code
 * <web.upload.dir>/flink-web-upload}, created by the {@code RestServerEndpoint} constructor under
 * {@code web.tmpdir} ({@code java.io.tmpdir}) when {@code web.upload.dir} is not set. No shutdown
 * step removes it (the {@code WebMonitorEndpoint} deletes only its web-UI cache folder), and its
 * fixed name may be shared with other Flink processes of the machine. The embedded cluster's REST
 * endpoint cannot be switched off, so {@code web.upload.dir} points at a folder of this run, which
 * {@link #close()} deletes once the cluster is down.
 *
 * <p>It is the example jobs' {@link JobRuntime}: {@code train} and {@code features} pass it, and
 * it is registered as that service, so their main classes run on it when this module is on the
 * class path ({@code java -cp anndata-cli.jar ...ContinuousTrainingJob}).
 *
 * <p>An unbounded {@code train} ends when the user stops the JVM (Ctrl-C, SIGTERM); a shutdown
 * hook then shuts the cluster down the same way. A JVM killed outright (SIGKILL) runs no code and
 * still leaves the files.
 */
public final class EmbeddedCluster implements JobRuntime {
    /** How long one MiniCluster may take to shut down; it normally takes well under a second. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Restarts of a failing job before the command gives up, unless the command sets its own. */
    static final int RESTARTS = 3;

    private final Thread shutdownHook = new Thread(this::shutDownFromHook, "anndata-cli embedded cluster shutdown");
    private final List<MiniCluster> clusters = new ArrayList<>(); // guarded by this
    private Path uploadParent; // guarded by this; also marks that the hook is registered
    private boolean shutDown; // guarded by this

    /**
     * The environment of a job on this embedded cluster, like {@code
     * StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf)}. When {@code conf}
     * enables checkpoints and chooses no restart strategy, a failing job is restarted {@value
     * #RESTARTS} times, then fails.
     */
    @Override
    public synchronized StreamExecutionEnvironment localEnvironment(int parallelism, Configuration conf) throws IOException {
        if (shutDown) {
            throw new IllegalStateException("the embedded Flink cluster is shut down");
        }
        if (uploadParent == null) {
            uploadParent = Files.createTempDirectory("anndata-flink");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        Configuration c = new Configuration(conf);
        c.set(DeploymentOptions.TARGET, LocalExecutor.NAME);
        c.set(DeploymentOptions.ATTACHED, true); // LocalExecutor runs attached jobs only
        c.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        c.set(WebOptions.UPLOAD_DIR, uploadParent.toString());
        if (c.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isPresent()
                && !c.contains(RestartStrategyOptions.RESTART_STRATEGY)) {
            // with checkpoints Flink's default restarts forever, so a store that cannot be read
            // (a chunk cut short) would keep the command running instead of ending with its error;
            // the commands therefore set checkpoints in conf, where this sees them
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTARTS);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        }
        return new StreamExecutionEnvironment(new Executors(), c, null); // null: Flink's own class loader, as createLocalEnvironment
    }

    /**
     * The context environment when the program was submitted to a cluster ({@code flink run}),
     * with the given parallelism; else a job on this embedded cluster.
     */
    @Override
    public StreamExecutionEnvironment environment(int parallelism, Configuration conf) throws IOException {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (env instanceof LocalStreamEnvironment) {
            return localEnvironment(parallelism, conf);
        }
        env.setParallelism(parallelism);
        return env;
    }

    /** Stores as the source reads them: {@link Stores#open}. */
    @Override
    public AnnDataCollection open(CollectionOptions options) throws AnnDataFormatException {
        return Stores.open(options);
    }

    /** Stores as the source reads them: {@link Stores#store}. */
    @Override
    public List<String> varIndex(String path) throws AnnDataFormatException, IOException {
        try (Stores.Store store = Stores.store(path)) {
            return store.get().var().index();
        }
    }

    /**
     * Waits until every MiniCluster this made has shut down (cancelling a job still running), then
     * deletes the run's upload folder.
     *
     * @throws IOException when a cluster did not shut down in time or cleanly: it may have left
     *     files in the temp folder ({@link InterruptedIOException} when interrupted while waiting)
     */
    @Override
    public void close() throws IOException {
        boolean hooked;
        synchronized (this) {
            hooked = uploadParent != null;
        }
        if (hooked) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException jvmShuttingDown) {
                // the hook is running or about to; shutDown() below waits for it or does the work
            }
        }
        shutDown();
    }

    private synchronized MiniCluster newCluster(MiniClusterConfiguration config) {
        if (shutDown) {
            throw new IllegalStateException("the embedded Flink cluster is shut down");
        }
        MiniCluster cluster = new MiniCluster(config);
        clusters.add(cluster);
        return cluster;
    }

    private synchronized void shutDown() throws IOException {
        if (shutDown) {
            return;
        }
        shutDown = true;
        Exception failure = null;
        long deadline = System.nanoTime() + SHUTDOWN_TIMEOUT.toNanos();
        for (MiniCluster cluster : clusters) {
            try {
                // the same future the job client's closeAsync() returned: closing twice is safe
                cluster.closeAsync().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                failure = failure == null ? e : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the embedded Flink cluster shut down");
            }
        }
        if (uploadParent != null) {
            deleteRecursively(uploadParent);
        }
        if (failure != null) {
            throw new IOException("the embedded Flink cluster did not shut down "
                    + (failure instanceof TimeoutException ? "within " + SHUTDOWN_TIMEOUT.toSeconds() + " s" : "cleanly")
                    + "; it may have left files in " + System.getProperty("java.io.tmpdir"), failure);
        }
    }

    private void shutDownFromHook() {
        try {
            shutDown();
        } catch (IOException e) {
            System.err.println("anndata-cli: " + e.getMessage());
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

    /** Runs every job on Flink's LocalExecutor, with MiniClusters made by {@link #newCluster}. */
    private final class Executors implements PipelineExecutorServiceLoader, PipelineExecutorFactory {
        @Override
        public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
            return this;
        }

        @Override
        public Stream<String> getExecutorNames() {
            return Stream.of(LocalExecutor.NAME);
        }

        @Override
        public String getName() {
            return LocalExecutor.NAME;
        }

        @Override
        public boolean isCompatibleWith(Configuration configuration) {
            return true;
        }

        @Override
        public PipelineExecutor getExecutor(Configuration configuration) {
            return LocalExecutor.createWithFactory(configuration, EmbeddedCluster.this::newCluster);
        }
    }
}
