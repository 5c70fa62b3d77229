package io.github.flinkanndata.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.output.NumberedBatchFormat;
import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.CellRecord;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving sink behind the real source ({@code numberedBatches}) on the repository's mixed
 * stores (h5ad, zarr v2, sharded zarr v3): what each rank gets is the same at source parallelism 1
 * and 4, every batch holds the cells at positions [gB, (g+1)B) of the epoch's order (the order a
 * plain cell source emits at parallelism 1), and its CSR equals what {@code AnnDataCollection}
 * reads for those cells.
 */
@Timeout(240)
class ServingSourceITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final int B = 4;
    private static final int W = 2;
    private static final int EPOCHS = 2;

    @TempDir
    Path dir;

    private static List<String> stores() {
        List<String> out = new ArrayList<>();
        for (String n : new String[] {"mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr"}) {
            // the connector's reference stores (its module's test resources, beside this module)
            out.add(Paths.get("..", "flink-connector-anndata", "src", "test", "resources", "reference", "stores", n)
                    .toAbsolutePath().normalize().toString());
        }
        return out;
    }

    private static AnnDataSourceBuilder builder() {
        return builder(EPOCHS);
    }

    private static AnnDataSourceBuilder builder(int epochs) {
        return AnnDataSource.builder(stores()).obsKeys("cell_type").sampling(SamplingMode.BLOCK_SHUFFLED)
                .blockSize(3).windowBlocks(2).seed(7).epochs(epochs);
    }

    private List<RankClient> serve(int parallelism, Path endpoints) throws Exception {
        return serve(parallelism, endpoints, EPOCHS, null, 0);
    }

    /** {@code pieceBytes} > 0: batches cut into pieces of at most that many matrix bytes (a few cells). */
    private List<RankClient> serve(int parallelism, Path endpoints, int epochs, FailOnce failure, long pieceBytes)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(100);
        AnnDataSource<BatchPiece> source = builder(epochs).build(pieceBytes > 0
                ? NumberedBatchFormat.withPieceBytes(B, pieceBytes) : CellOutputFormat.numberedBatches(B));
        DataStream<BatchPiece> pieces = env.fromSource(source, WatermarkStrategy.noWatermarks(), "batches");
        if (failure != null) {
            pieces = pieces.map(failure);
        }
        BatchServingSink.sinkTo(pieces,
                ServingOptions.builder(endpoints.toString()).worldSize(W).bufferBatches(3)
                        .idleTimeout(Duration.ofSeconds(60)).build(), W);
        JobClient job = env.executeAsync("serve");
        ExecutorService pool = Executors.newFixedThreadPool(W);
        try {
            List<RankClient> clients = new ArrayList<>();
            List<Future<Boolean>> ends = new ArrayList<>();
            for (int r = 0; r < W; r++) {
                RankClient c = new RankClient(endpoints, r, W, 0, 0);
                clients.add(c);
                ends.add(pool.submit(() -> c.run(Integer.MAX_VALUE, failure == null ? 0 : 2, 60_000)));
            }
            CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
            for (Future<Boolean> f : ends) {
                while (true) {
                    try {
                        assertThat(f.get(1, TimeUnit.SECONDS)).isTrue();
                        break;
                    } catch (TimeoutException e) {
                        if (result.isCompletedExceptionally()) {
                            result.get();
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

    /** Each epoch's sample order: the global indices a plain cell source emits at parallelism 1. */
    private static Map<Integer, List<Long>> epochOrders() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        Map<Integer, List<Long>> orders = new HashMap<>();
        try (CloseableIterator<CellRecord> it = env.fromSource(builder().build(), WatermarkStrategy.noWatermarks(),
                "cells").executeAndCollect()) {
            while (it.hasNext()) {
                CellRecord r = it.next();
                orders.computeIfAbsent(r.epoch(), e -> new ArrayList<>()).add(r.globalIndex());
            }
        }
        return orders;
    }

    /**
     * A failure mid-epoch (after two checkpoints) restarts the job: each rank still gets every one of
     * its batches exactly once, equal to an undisturbed run's.
     */
    @Test
    void aFailoverMidEpochSendsNoBatchTwiceAndSkipsNone() throws Exception {
        FailOnce.reset();
        // pieces of a few cells: the writer's state holds many pieces of incomplete batches
        List<RankClient> failed = serve(2, dir.resolve("fail"), 8, new FailOnce(30), 200);
        assertThat(FailOnce.FAILED.get()).as("the failure was injected").isTrue();
        List<RankClient> clean = serve(1, dir.resolve("clean"), 8, null, 0);
        int reconnects = 0;
        for (int r = 0; r < W; r++) {
            List<RankClient.Received> a = failed.get(r).received;
            List<RankClient.Received> b = clean.get(r).received;
            List<String> ids = new ArrayList<>();
            a.forEach(x -> ids.add(x.id()));
            List<String> want = new ArrayList<>();
            b.forEach(x -> want.add(x.id()));
            assertThat(ids).as("rank %d after a failover", r).isEqualTo(want);
            for (int i = 0; i < a.size(); i++) {
                assertThat(a.get(i).globalIndex()).containsExactly(b.get(i).globalIndex());
            }
            reconnects += failed.get(r).reconnects;
        }
        assertThat(reconnects).as("ranks reconnected after the failover").isPositive();
    }

    /** Forwards pieces; fails once after {@code after} pieces and two completed checkpoints. */
    static final class FailOnce implements MapFunction<BatchPiece, BatchPiece>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger CHECKPOINTS = new AtomicInteger();
        static final AtomicInteger SEEN = new AtomicInteger();
        private final int after;

        FailOnce(int after) {
            this.after = after;
        }

        static void reset() {
            FAILED.set(false);
            CHECKPOINTS.set(0);
            SEEN.set(0);
        }

        @Override
        public BatchPiece map(BatchPiece p) throws Exception {
            if (!FAILED.get() && SEEN.incrementAndGet() >= after) {
                if (CHECKPOINTS.get() < 2) {
                    Thread.sleep(20); // hold back until a checkpoint holds real progress
                } else if (FAILED.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure after " + SEEN.get() + " pieces");
                }
            }
            return p;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }
    }

    /**
     * One server after the source at parallelism 1 runs in the source's task (chained, one job
     * vertex). Rank 0 stops pulling: the operator waits inside the source's emit and runs the
     * task's mails, among them the checkpoints, which must complete; then the job fails (in a
     * checkpoint notification, while the operator still waits) and restores from a checkpoint taken
     * during the stop (a savepoint taken then completes too); rank 0 pulls again, and both ranks
     * get exactly what an undisturbed run gives.
     */
    @Test
    void chainedToTheSourceItCheckpointsWhileARankStopsAndRestoresExactly() throws Exception {
        StopThenFail.reset();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(100);
        env.getConfig().enableObjectReuse();
        AnnDataSource<BatchPiece> source = builder(8).build(CellOutputFormat.numberedBatches(B));
        DataStream<BatchPiece> pieces = env.fromSource(source, WatermarkStrategy.noWatermarks(), "batches")
                .map(new StopThenFail());
        Path endpoints = dir.resolve("chained");
        BatchServingSink.sinkTo(pieces, ServingOptions.builder(endpoints.toString()).worldSize(W).bufferBatches(2)
                .idleTimeout(Duration.ofSeconds(60)).build(), 1);
        assertThat(env.getStreamGraph(false).getJobGraph().getNumberOfVertices()).as("one chained vertex").isEqualTo(1);
        JobClient job = env.executeAsync("serve chained");
        ExecutorService pool = Executors.newFixedThreadPool(W);
        try {
            RankClient stopping = new RankClient(endpoints, 0, W, 0, 0);
            RankClient other = new RankClient(endpoints, 1, W, 0, 0);
            Future<Boolean> otherEnd = pool.submit(() -> other.run(Integer.MAX_VALUE, 0, 120_000));
            assertThat(pool.submit(() -> stopping.run(2, 0, 60_000)).get(60, TimeUnit.SECONDS))
                    .as("rank 0 stopped after 2 batches").isFalse();
            Thread.sleep(500); // rank 0's queue fills, the operator waits inside the source's emit
            // no barriers to align in one task: a savepoint completes too (aligned, it would wait)
            String savepoint = job.triggerSavepoint(dir.resolve("savepoints").toUri().toString(),
                    org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get(30, TimeUnit.SECONDS);
            assertThat(savepoint).as("a savepoint taken while rank 0 stopped").isNotBlank();
            assertThat(stopping.pulled.get()).as("rank 0 stopped").isEqualTo(2);
            StopThenFail.ARMED.set(true);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!StopThenFail.FAILED.get()) {
                assertThat(System.currentTimeMillis()).as("3 checkpoints completed while rank 0 stopped")
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(stopping.pulled.get()).as("rank 0 still stopped").isEqualTo(2);
            assertThat(stopping.run(Integer.MAX_VALUE, 0, 120_000)).as("rank 0's stream ended").isTrue();
            assertThat(otherEnd.get(120, TimeUnit.SECONDS)).as("rank 1's stream ended").isTrue();
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            List<RankClient> clean = serve(1, dir.resolve("clean"), 8, null, 0);
            List<RankClient> got = List.of(stopping, other);
            for (int r = 0; r < W; r++) {
                List<RankClient.Received> a = got.get(r).received;
                List<RankClient.Received> b = clean.get(r).received;
                List<String> ids = new ArrayList<>();
                a.forEach(x -> ids.add(x.id()));
                List<String> want = new ArrayList<>();
                b.forEach(x -> want.add(x.id()));
                assertThat(ids).as("rank %d after the failover", r).isEqualTo(want);
                for (int i = 0; i < a.size(); i++) {
                    assertThat(a.get(i).globalIndex()).as("batch %s", ids.get(i)).containsExactly(b.get(i).globalIndex());
                    assertThat(a.get(i).values()).as("values of batch %s", ids.get(i)).isEqualTo(b.get(i).values());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Forwards pieces; once armed, fails the task when the third checkpoint after that completes. */
    static final class StopThenFail implements MapFunction<BatchPiece, BatchPiece>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger ARMED_CHECKPOINTS = new AtomicInteger();

        static void reset() {
            ARMED.set(false);
            FAILED.set(false);
            ARMED_CHECKPOINTS.set(0);
        }

        @Override
        public BatchPiece map(BatchPiece p) {
            return p;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (ARMED.get() && ARMED_CHECKPOINTS.incrementAndGet() >= 3 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after checkpoint " + checkpointId);
            }
        }
    }

    @Test
    void ranksGetTheSameBatchesAtAnyParallelismAndEachIsItsSlotOfTheEpochOrder() throws Exception {
        List<RankClient> one = serve(1, dir.resolve("p1"));
        // at parallelism 4 in pieces of a few cells each, served without joining them first
        List<RankClient> four = serve(4, dir.resolve("p4"), EPOCHS, null, 200);
        Map<Integer, List<Long>> orders = epochOrders();
        long n = orders.get(0).size();
        long batches = n / B;
        long share = (batches / W) * W;
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(stores()).obsKeys("cell_type").build())) {
            assertThat(n).isEqualTo(c.size());
            for (int r = 0; r < W; r++) {
                List<RankClient.Received> a = one.get(r).received;
                List<RankClient.Received> b = four.get(r).received;
                assertThat(a).as("rank %d", r).hasSize((int) (EPOCHS * share / W));
                assertThat(b).hasSameSizeAs(a);
                for (int i = 0; i < a.size(); i++) {
                    RankClient.Received x = a.get(i);
                    RankClient.Received y = b.get(i);
                    assertThat(y.id()).isEqualTo(x.id());
                    assertThat(y.globalIndex()).as("batch %s at parallelism 4 and 1", x.id()).containsExactly(x.globalIndex());
                    assertThat(x.g() % W).isEqualTo(r);
                    assertThat(x.batches()).isEqualTo(batches);
                    List<Long> slot = orders.get(x.epoch()).subList((int) (x.g() * B), (int) ((x.g() + 1) * B));
                    assertThat(x.globalIndex()).as("batch %s", x.id()).containsExactly(slot.stream().mapToLong(Long::longValue).toArray());
                    for (int k = 0; k < B; k++) {
                        double[] expected = c.get(x.globalIndex()[k]).layer("X").toDoubles();
                        double[] got = new double[expected.length];
                        for (int j = x.indptr()[k]; j < x.indptr()[k + 1]; j++) {
                            got[x.indices()[j]] = x.values()[j];
                        }
                        float[] e32 = new float[expected.length];
                        float[] g32 = new float[expected.length];
                        for (int j = 0; j < expected.length; j++) {
                            e32[j] = (float) expected[j];
                            g32[j] = (float) got[j];
                        }
                        assertThat(g32).as("X of cell %d in batch %s", x.globalIndex()[k], x.id()).containsExactly(e32);
                    }
                }
                // the ids a rank gets: g = r, r + W, ... below floor(G / W) * W, epoch after epoch
                List<String> ids = new ArrayList<>();
                a.forEach(x -> ids.add(x.id()));
                List<String> expectedIds = new ArrayList<>();
                for (int e = 0; e < EPOCHS; e++) {
                    for (long g = r; g < share; g += W) {
                        expectedIds.add(e + ":" + g);
                    }
                }
                assertThat(ids).isEqualTo(expectedIds);
            }
        }
    }
}
