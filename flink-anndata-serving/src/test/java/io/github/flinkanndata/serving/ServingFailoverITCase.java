package io.github.flinkanndata.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.MatrixBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving sink when a TaskManager dies: a MiniCluster of two TaskManagers of one slot each
 * (the job, at parallelism 2, has a subtask of every operator on both), one of which the test
 * terminates while ranks pull; a new one takes its place and the job restarts from its last
 * checkpoint.
 */
@Timeout(240)
class ServingFailoverITCase {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final int W = 3;
    // 250 cells in batches of 10, 3 epochs, 8 KB of dense floats per cell (as ServingSinkITCase)
    private static final SyntheticBatches HEAVY = new SyntheticBatches(250, 10, 3, 2000);
    private static final SyntheticBatches SPEC = new SyntheticBatches(250, 10, 3);

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        Pieces.CHECKPOINTS.set(0);
    }

    private static MiniCluster cluster() throws Exception {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, 1);
        conf.set(RestOptions.BIND_PORT, "0"); // any free port: another cluster may hold 8081
        MiniCluster mc = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(2).setNumSlotsPerTaskManager(1).build());
        mc.start();
        return mc;
    }

    private static JobID submit(MiniCluster mc, SyntheticBatches spec, ServingOptions options, long delayMillis)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        DataStream<BatchPiece> stream = env.fromSequence(0, spec.pieces().size() - 1)
                .map(new Pieces(spec, delayMillis)).name("pieces");
        BatchServingSink.sinkTo(stream, options, 2);
        return mc.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
    }

    private ServingOptions.Builder options() {
        return ServingOptions.builder(dir.toString()).worldSize(W).bufferBatches(4).idleTimeout(Duration.ofSeconds(60));
    }

    private static void await(String what, BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Kills the TaskManager (the cluster's first, holding a subtask of each operator) and starts a fresh one. */
    private static void replaceTaskManager(MiniCluster mc, int index) throws Exception {
        mc.terminateTaskManager(index).get(30, TimeUnit.SECONDS);
        mc.startTaskManager();
    }

    private static List<String> ids(RankClient c) {
        List<String> out = new ArrayList<>();
        c.received.forEach(r -> out.add(r.id()));
        return out;
    }

    private static void assertContent(RankClient c) {
        for (RankClient.Received r : c.received) {
            assertThat(r.globalIndex()).as("cells of %s", r.id()).containsExactly(SPEC.cells(r.epoch(), r.g()));
            MatrixBlock x = SPEC.piece(new int[] {r.epoch(), (int) r.g(), 0, SPEC.b}).cells().matrix("X");
            assertThat(r.indptr()).as("indptr of %s", r.id()).containsExactly(x.indptr());
            assertThat(r.indices()).as("indices of %s", r.id()).containsExactly(x.indices());
            assertThat(r.values()).as("values of %s", r.id()).containsExactly(x.values());
        }
    }

    private static void assertFinished(MiniCluster mc, JobID job, long timeoutSeconds) throws Exception {
        JobResult result = mc.requestJobResult(job).get(timeoutSeconds, TimeUnit.SECONDS);
        if (result.getSerializedThrowable().isPresent()) {
            throw new AssertionError("the job failed", result.getSerializedThrowable().get()
                    .deserializeError(ServingFailoverITCase.class.getClassLoader()));
        }
        assertThat(result.isSuccess()).as("the job succeeded").isTrue();
    }

    @Test
    void aTaskManagerFailureMidEpochSendsNoBatchTwiceAndSkipsNone() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(W);
        try (MiniCluster mc = cluster()) {
            JobID job = submit(mc, HEAVY, options().build(), 0);
            List<RankClient> ranks = new ArrayList<>();
            List<Future<Boolean>> ends = new ArrayList<>();
            for (int r = 0; r < W; r++) {
                RankClient c = new RankClient(dir, r, W, 0, 0);
                ranks.add(c);
                ends.add(pool.submit(() -> c.run(Integer.MAX_VALUE, 50, 60_000)));
            }
            // mid-stream (8 batches per rank and epoch, 3 epochs), after a checkpoint that holds progress
            await("a checkpoint and 3 batches per rank", () -> Pieces.CHECKPOINTS.get() >= 1
                    && ranks.stream().allMatch(c -> c.pulled.get() >= 3), 60_000);
            int before = ranks.stream().mapToInt(c -> c.pulled.get()).sum();
            assertThat(mc.getJobStatus(job).get()).isEqualTo(JobStatus.RUNNING);
            replaceTaskManager(mc, 0);
            for (Future<Boolean> f : ends) {
                assertThat(f.get(120, TimeUnit.SECONDS)).as("stream ended").isTrue();
            }
            assertFinished(mc, job, 60);
            assertThat(servingAttempt()).as("attempt of the serving subtasks (the job restarted)").isPositive();
            assertThat(before).as("batches pulled before the failure").isLessThan(W * 3 * 8);
            int reconnects = 0;
            for (int r = 0; r < W; r++) {
                RankClient c = ranks.get(r);
                assertThat(ids(c)).as("rank %d", r).isEqualTo(HEAVY.expected(r, W, 0, 0));
                assertContent(c);
                reconnects += c.reconnects;
            }
            assertThat(reconnects).as("ranks reconnected after the failover").isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRankThatLeftAfterTheEndDoesNotHoldUpTheRestoredJob() throws Exception {
        // Every batch fits the buffers, so rank 0 drains its share and receives the end while ranks
        // 1 and 2 are still at their 5th batch. Then a TaskManager dies: the restored writers must not
        // wait for rank 0 (gone) until the idle timeout, but end the job when ranks 1 and 2 are done.
        ServingOptions opts = options().bufferBatches(30).idleTimeout(Duration.ofSeconds(30)).build();
        ExecutorService pool = Executors.newFixedThreadPool(W);
        try (MiniCluster mc = cluster()) {
            JobID job = submit(mc, SPEC, opts, 50);
            List<RankClient> ranks = new ArrayList<>();
            for (int r = 0; r < W; r++) {
                ranks.add(new RankClient(dir, r, W, 0, 0));
            }
            await("a checkpoint", () -> Pieces.CHECKPOINTS.get() >= 1, 60_000);
            Future<Boolean> first = pool.submit(() -> ranks.get(0).run(Integer.MAX_VALUE, 0, 60_000));
            List<Future<Boolean>> partial = new ArrayList<>();
            for (int r = 1; r < W; r++) {
                RankClient c = ranks.get(r);
                partial.add(pool.submit(() -> c.run(5, 0, 60_000)));
            }
            assertThat(first.get(60, TimeUnit.SECONDS)).as("rank 0 received the end").isTrue();
            for (Future<Boolean> f : partial) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("a partial pull").isFalse();
            }
            replaceTaskManager(mc, 0);
            List<Future<Boolean>> rest = new ArrayList<>();
            for (int r = 1; r < W; r++) {
                RankClient c = ranks.get(r);
                rest.add(pool.submit(() -> c.run(Integer.MAX_VALUE, 0, 60_000)));
            }
            for (Future<Boolean> f : rest) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("stream ended").isTrue();
            }
            long ended = System.nanoTime();
            // well within the idle timeout (30 s), which would fail the job
            assertFinished(mc, job, 15);
            assertThat(Duration.ofNanos(System.nanoTime() - ended)).isLessThan(Duration.ofSeconds(15));
            assertThat(servingAttempt()).as("attempt of the serving subtasks (the job restarted)").isPositive();
            for (int r = 0; r < W; r++) {
                assertThat(ids(ranks.get(r))).as("rank %d", r).isEqualTo(SPEC.expected(r, W, 0, 0));
                assertContent(ranks.get(r));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The highest attempt number in the serving subtasks' endpoint files: positive once they
     * restarted. (Not the sources': sources that finished before a checkpoint are restored as
     * finished and not opened again.)
     */
    private int servingAttempt() throws java.io.IOException {
        int attempt = 0;
        try (var files = java.nio.file.Files.newDirectoryStream(dir, "endpoint-*.json")) {
            for (Path f : files) {
                attempt = Math.max(attempt, JSON.readTree(f.toFile()).path("attempt").asInt(0));
            }
        }
        return attempt;
    }

    /** The job's checkpoint statistics, as its web UI shows them. */
    private static CheckpointStatsSnapshot checkpoints(MiniCluster mc, JobID job) throws Exception {
        return mc.getExecutionGraph(job).get(10, TimeUnit.SECONDS).getCheckpointStatsSnapshot();
    }

    private static long completed(MiniCluster mc, JobID job) throws Exception {
        return checkpoints(mc, job).getCounts().getNumberOfCompletedCheckpoints();
    }

    @Test
    void checkpointsCompleteWhileARankStopsPullingAndAFailoverThenLosesNothing() throws Exception {
        // Rank 0 takes 2 batches and stops (a trainer in a long evaluation): its queue (2 batches)
        // fills and the writer of subtask 0 waits for room, which holds the whole job back. The
        // checkpoints must keep completing meanwhile; then a TaskManager dies and the job restores
        // from one of them; then rank 0 pulls again, and every rank gets its stream exactly.
        ServingOptions opts = options().bufferBatches(2).build();
        ExecutorService pool = Executors.newFixedThreadPool(W);
        try (MiniCluster mc = cluster()) {
            JobID job = submit(mc, HEAVY, opts, 0);
            List<RankClient> ranks = new ArrayList<>();
            for (int r = 0; r < W; r++) {
                ranks.add(new RankClient(dir, r, W, 0, 0));
            }
            Future<Boolean> stopped = pool.submit(() -> ranks.get(0).run(2, 0, 60_000));
            List<Future<Boolean>> ends = new ArrayList<>();
            for (int r = 1; r < W; r++) {
                RankClient c = ranks.get(r);
                ends.add(pool.submit(() -> c.run(Integer.MAX_VALUE, 0, 120_000)));
            }
            assertThat(stopped.get(60, TimeUnit.SECONDS)).as("rank 0 stopped after 2 batches").isFalse();
            Thread.sleep(1000); // the queue fills, the writer waits, the job is held back
            long before = completed(mc, job);
            Thread.sleep(2000);
            CheckpointStatsSnapshot during = checkpoints(mc, job);
            long whileStopped = during.getCounts().getNumberOfCompletedCheckpoints() - before;
            int pulledWhileStopped = ranks.stream().mapToInt(c -> c.pulled.get()).sum();
            // a checkpoint every 100 ms: about 20 in 2 s; 0 when the waiting writer blocks them
            assertThat(whileStopped).as("checkpoints completed in 2 s while rank 0 stopped").isGreaterThanOrEqualTo(5);
            assertThat(pulledWhileStopped).as("batches pulled by then (the job was held back)").isLessThan(W * 3 * 8 - 6);
            long checkpointWhileStopped = during.getHistory().getLatestCompletedCheckpoint().getCheckpointId();

            replaceTaskManager(mc, 0);
            await("the job restored", () -> {
                try {
                    return checkpoints(mc, job).getLatestRestoredCheckpoint() != null
                            && mc.getJobStatus(job).get() == JobStatus.RUNNING;
                } catch (Exception e) {
                    return false;
                }
            }, 60_000);
            assertThat(checkpoints(mc, job).getLatestRestoredCheckpoint().getCheckpointId())
                    .as("the restored checkpoint").isGreaterThanOrEqualTo(checkpointWhileStopped);
            Thread.sleep(1000); // the restored writer waits for rank 0 again
            assertThat(ranks.get(0).pulled.get()).as("rank 0 still stopped").isEqualTo(2);

            ends.add(pool.submit(() -> ranks.get(0).run(Integer.MAX_VALUE, 0, 120_000)));
            for (Future<Boolean> f : ends) {
                assertThat(f.get(120, TimeUnit.SECONDS)).as("stream ended").isTrue();
            }
            assertFinished(mc, job, 60);
            assertThat(servingAttempt()).as("attempt of the serving subtasks (the job restarted)").isPositive();
            for (int r = 0; r < W; r++) {
                RankClient c = ranks.get(r);
                assertThat(ids(c)).as("rank %d", r).isEqualTo(HEAVY.expected(r, W, 0, 0));
                assertContent(c);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Piece {@code i} of the synthetic stream, {@code delayMillis} apart until a checkpoint completed;
     * counts checkpoints.
     */
    static final class Pieces extends RichMapFunction<Long, BatchPiece> implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger CHECKPOINTS = new AtomicInteger();

        private final SyntheticBatches spec;
        private final long delayMillis;
        private transient List<int[]> pieces;

        Pieces(SyntheticBatches spec, long delayMillis) {
            this.spec = spec;
            this.delayMillis = delayMillis;
        }

        @Override
        public void open(OpenContext context) {
            pieces = spec.pieces();
        }

        @Override
        public BatchPiece map(Long i) throws Exception {
            if (delayMillis > 0 && CHECKPOINTS.get() == 0) {
                Thread.sleep(delayMillis); // until a checkpoint holds part of the stream
            }
            return spec.piece(pieces.get(i.intValue()));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }
    }
}
