package io.github.flinkanndata.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.source.record.BatchToken;
import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.MatrixBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving sink on a MiniCluster with Java Flight clients as ranks, fed by a synthetic stream
 * of numbered batch pieces (a third whole, the rest in two pieces from different readers).
 */
@Timeout(180)
class ServingSinkITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    // 250 cells in batches of 10: 25 per epoch; 3 ranks get 8 each, batch 24 is dropped
    private static final SyntheticBatches SPEC = new SyntheticBatches(250, 10, 3);
    private static final int W = 3;
    // the same with 8 KB of dense floats per cell: 12 MB in all, more than the network buffers
    // hold, so a slow rank holds the source back
    private static final SyntheticBatches HEAVY = new SyntheticBatches(250, 10, 3, 2000);

    @TempDir
    Path dir;
    /** How the ranks of {@link #run} connect: auto, tcp or unix. */
    private String clientTransport = "auto";

    @BeforeEach
    void reset() {
        ServingWriter.HIGH_WATER.set(0);
        ToPiece.reset();
    }

    private StreamExecutionEnvironment env(int parallelism) {
        Configuration conf = new Configuration();
        // as ServeJob: checkpoints to files (the queued batches of heavy runs outgrow the
        // JobManager's in-memory checkpoint storage)
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.resolve("checkpoints").toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(100);
        // as ServeJob: unaligned (the sink's input is keyed, so Flink needs no forcing)
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        return env;
    }

    private List<RankClient> run(int sourceParallelism, ServingOptions options, ToPiece map,
            long pauseMillis, int startEpoch, long next) throws Exception {
        return run(SPEC, sourceParallelism, options, map, pauseMillis, startEpoch, next);
    }

    private List<RankClient> run(SyntheticBatches spec, int sourceParallelism, ServingOptions options, ToPiece map, long pauseMillis,
            int startEpoch, long next) throws Exception {
        StreamExecutionEnvironment env = env(sourceParallelism);
        int pieces = spec.pieces().size();
        DataStream<BatchPiece> stream = env.fromSequence(0, pieces - 1).map(map).name("pieces");
        BatchServingSink.sinkTo(stream, options, 2);
        JobClient job = env.executeAsync("serving test");
        ExecutorService pool = Executors.newFixedThreadPool(W);
        try {
            List<RankClient> clients = new ArrayList<>();
            List<Future<Boolean>> ends = new ArrayList<>();
            for (int r = 0; r < W; r++) {
                RankClient c = new RankClient(dir, r, W, startEpoch, next);
                c.transport = clientTransport;
                clients.add(c);
                ends.add(pool.submit(() -> c.run(Integer.MAX_VALUE, pauseMillis, 60_000)));
            }
            CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
            for (Future<Boolean> f : ends) {
                while (true) {
                    try {
                        assertThat(f.get(1, TimeUnit.SECONDS)).as("stream ended").isTrue();
                        break;
                    } catch (TimeoutException e) {
                        if (result.isCompletedExceptionally()) {
                            result.get(); // throws the job's failure
                        }
                    }
                }
            }
            result.get(60, TimeUnit.SECONDS);
            return clients;
        } finally {
            pool.shutdownNow();
        }
    }

    private ServingOptions.Builder options() {
        return ServingOptions.builder(dir.toString()).worldSize(W).bufferBatches(4).idleTimeout(Duration.ofSeconds(60));
    }

    private static List<String> ids(RankClient c) {
        List<String> out = new ArrayList<>();
        c.received.forEach(r -> out.add(r.id()));
        return out;
    }

    private static void assertCellsAndCsr(RankClient c) {
        for (RankClient.Received r : c.received) {
            assertThat(r.globalIndex()).as("cells of %s", r.id()).containsExactly(SPEC.cells(r.epoch(), r.g()));
            MatrixBlock x = SPEC.piece(new int[] {r.epoch(), (int) r.g(), 0, SPEC.b}).cells().matrix("X");
            assertThat(r.indptr()).as("indptr of %s", r.id()).containsExactly(x.indptr());
            assertThat(r.indices()).as("indices of %s", r.id()).containsExactly(x.indices());
            assertThat(r.values()).as("values of %s", r.id()).containsExactly(x.values());
            assertThat(r.batches()).isEqualTo(SPEC.batchesPerEpoch());
        }
    }

    @Test
    void eachRankGetsItsBatchesInOrderAtSourceParallelismOneAndFour() throws Exception {
        List<List<String>> byParallelism = new ArrayList<>();
        for (int p : new int[] {1, 4}) {
            List<RankClient> clients = run(p, options().build(), new ToPiece(SPEC, -1), 0, 0, 0);
            List<String> all = new ArrayList<>();
            for (int r = 0; r < W; r++) {
                RankClient c = clients.get(r);
                assertThat(ids(c)).as("rank %d at parallelism %d", r, p).isEqualTo(SPEC.expected(r, W, 0, 0));
                assertCellsAndCsr(c);
                int rank = r;
                c.received.forEach(b -> all.add(rank + "/" + b.id() + "/" + java.util.Arrays.toString(b.globalIndex())));
            }
            assertThat(clients.get(0).received).hasSize(3 * 8);
            byParallelism.add(all);
        }
        assertThat(byParallelism.get(1)).isEqualTo(byParallelism.get(0));
    }

    @Test
    void unixDomainSocketsAndTcpServeTheSameStream() throws Exception {
        // auto: TCP plus a socket, which ranks on this host take; tcp; unix (a socket only)
        String[][] cases = {{"AUTO", "auto", "grpc+unix://"}, {"TCP", "auto", "grpc+tcp://"},
            {"UNIX", "unix", "grpc+unix://"}};
        for (String[] c : cases) {
            java.nio.file.Files.createDirectories(dir.resolve(c[0]));
            Path endpoints = dir;
            dir = dir.resolve(c[0]);
            clientTransport = c[1];
            try {
                ServingOptions opts = options().transport(ServingOptions.Transport.valueOf(c[0])).build();
                List<RankClient> clients = run(2, opts, new ToPiece(SPEC, -1), 0, 0, 0);
                for (int r = 0; r < W; r++) {
                    RankClient rc = clients.get(r);
                    assertThat(ids(rc)).as("rank %d over %s", r, c[0]).isEqualTo(SPEC.expected(r, W, 0, 0));
                    assertCellsAndCsr(rc);
                    assertThat(rc.uris).as("addresses of rank %d over %s", r, c[0]).isNotEmpty()
                            .allMatch(u -> u.startsWith(c[2]));
                }
                try (var sockets = java.nio.file.Files.list(dir)) {
                    assertThat(sockets.filter(f -> f.toString().endsWith(".sock")))
                            .as("socket files left after the job").isEmpty();
                }
            } finally {
                dir = endpoints;
            }
        }
    }

    @Test
    void failoverMidEpochSendsNoBatchTwiceAndSkipsNone() throws Exception {
        List<RankClient> clients = run(HEAVY, 2, options().build(), new ToPiece(HEAVY, HEAVY.pieces().size() / 3), 5, 0, 0);
        assertThat(ToPiece.FAILED.get()).as("the failure was injected").isTrue();
        int reconnects = 0;
        for (int r = 0; r < W; r++) {
            assertThat(ids(clients.get(r))).as("rank %d", r).isEqualTo(SPEC.expected(r, W, 0, 0));
            assertCellsAndCsr(clients.get(r));
            reconnects += clients.get(r).reconnects;
        }
        assertThat(reconnects).as("ranks reconnected after the failover").isPositive();
    }

    @Test
    void slowRankBackpressuresWithABoundedBufferAndCheckpointsComplete() throws Exception {
        ServingOptions opts = options().bufferBatches(2).build();
        List<RankClient> clients = run(HEAVY, 1, opts, new ToPiece(HEAVY, -1), 40, 0, 0);
        for (int r = 0; r < W; r++) {
            assertThat(ids(clients.get(r))).as("rank %d", r).isEqualTo(SPEC.expected(r, W, 0, 0));
        }
        // 24 batches per rank at 40 ms each: about a second; a checkpoint every 100 ms
        assertThat(ToPiece.CHECKPOINTS.get()).as("checkpoints completed while a rank was slow").isGreaterThanOrEqualTo(3);
        assertThat(ServingWriter.HIGH_WATER.get()).as("most batches a rank had queued").isLessThanOrEqualTo(2);
    }

    /**
     * Batches of megabytes (more than the socket and gRPC's flow-control window hold) to ranks that
     * pause after each one: the server's next batch is ready while the last is still being written,
     * so a root refilled before its message was out would send another batch's bytes. Every
     * batch's values must be its own cells'.
     */
    @Test
    void aSlowRankGetsEachLargeBatchsOwnBytes() throws Exception {
        SyntheticBatches big = new SyntheticBatches(90, 10, 2, 60_000); // 2.4 MB per batch
        List<RankClient> clients = run(big, 2, options().build(), new ToPiece(big, -1), 30, 0, 0);
        for (int r = 0; r < W; r++) {
            assertThat(ids(clients.get(r))).as("rank %d", r).isEqualTo(big.expected(r, W, 0, 0));
            for (RankClient.Received x : clients.get(r).received) {
                assertThat(x.globalIndex()).as("cells of %s", x.id()).containsExactly(big.cells(x.epoch(), x.g()));
                // isEqualTo compares arrays in one pass (containsExactly diffs 600,000 values pairwise)
                assertThat(x.pad()).as("values of %s", x.id())
                        .isEqualTo(SyntheticBatches.padValues(big.cells(x.epoch(), x.g()), big.pad));
            }
        }
    }

    @Test
    void startsEachRankAtTheTokenAndDropsWhatCameBefore() throws Exception {
        BatchToken token = new BatchToken("synthetic250x10", 1, 6);
        List<RankClient> clients = run(2, options().startToken(token).build(), new ToPiece(SPEC, -1), 0, 1, 6);
        for (int r = 0; r < W; r++) {
            assertThat(ids(clients.get(r))).as("rank %d", r).isEqualTo(SPEC.expected(r, W, 1, 6));
            assertCellsAndCsr(clients.get(r));
        }
    }

    @Test
    void aTrainerThatNeverComesEndsTheJobAfterTheIdleTimeout() throws Exception {
        StreamExecutionEnvironment env = env(1);
        DataStream<BatchPiece> stream = env.fromSequence(0, SPEC.pieces().size() - 1).map(new ToPiece(SPEC, -1));
        BatchServingSink.sinkTo(stream, options().bufferBatches(2).idleTimeout(Duration.ofSeconds(2)).build(), 2);
        long start = System.nanoTime();
        assertThatThrownBy(env::execute).hasStackTraceContaining("idle timeout")
                .hasStackTraceContaining("has not pulled a batch");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    }

    /** Piece {@code i} of the synthetic stream; fails once after {@code failAfter} pieces if >= 0. */
    static final class ToPiece implements MapFunction<Long, BatchPiece>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger CHECKPOINTS = new AtomicInteger();
        static final AtomicLong SEEN = new AtomicLong();

        private final SyntheticBatches spec;
        private final long failAfter;
        private transient List<int[]> pieces;

        ToPiece(SyntheticBatches spec, long failAfter) {
            this.spec = spec;
            this.failAfter = failAfter;
        }

        static void reset() {
            FAILED.set(false);
            CHECKPOINTS.set(0);
            SEEN.set(0);
        }

        @Override
        public BatchPiece map(Long i) throws Exception {
            if (pieces == null) {
                pieces = spec.pieces();
            }
            if (failAfter >= 0 && !FAILED.get() && SEEN.incrementAndGet() >= failAfter) {
                if (CHECKPOINTS.get() < 2) {
                    Thread.sleep(20); // hold back until a checkpoint holds real progress
                } else if (FAILED.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure after " + SEEN.get() + " pieces");
                }
            }
            return spec.piece(pieces.get(i.intValue()));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }
    }
}
