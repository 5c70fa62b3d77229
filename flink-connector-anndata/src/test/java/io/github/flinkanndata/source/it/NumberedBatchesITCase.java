package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.record.BatchToken;
import io.github.flinkanndata.source.InvalidOptionException;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.assigner.BlockShuffledSplits;
import io.github.flinkanndata.source.assigner.EpochSplits;
import io.github.flinkanndata.source.assigner.SequentialSplits;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.output.NumberedBatchFormat;
import io.github.flinkanndata.source.record.BatchAssembler;
import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.BatchPieceTypeInfo;
import io.github.flinkanndata.source.split.RowSpace;
import io.github.flinkanndata.source.split.SplitOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Numbered batches on a MiniCluster: batch {@code g} of an epoch holds positions {@code [gB,
 * (g+1)B)} of the epoch's sample order (computed here from the splits alone, without Flink), the
 * same at parallelism 1 and 4; a source started from a token emits exactly the rest of the
 * uninterrupted stream; tokens of other settings or collections are refused.
 */
@Timeout(180)
class NumberedBatchesITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final int REPEATS = 3;
    private static final int EPOCHS = 2;
    private static final int BATCH = 10; // splits of 48 or 64 rows: batches straddle splits

    private static AnnDataSourceBuilder builder(SamplingMode sampling) {
        AnnDataSourceBuilder b = AnnDataSource.builder(ItStores.mixed(REPEATS)).obsKeys("cell_type").join("outer")
                .sampling(sampling).rowsPerSplit(48).blockSize(8).windowBlocks(8).seed(11).epochs(EPOCHS);
        return sampling == SamplingMode.WEIGHTED ? b.weightKeys("cell_type") : b;
    }

    /** Whole batches by "epoch:g", each as its cells' global indices. */
    private static Map<String, long[]> run(AnnDataSource<BatchPiece> source, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        BatchAssembler assembler = new BatchAssembler();
        Map<String, long[]> out = new TreeMap<>();
        try (CloseableIterator<BatchPiece> it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "batches")
                .executeAndCollect()) {
            while (it.hasNext()) {
                BatchPiece whole = assembler.add(it.next());
                if (whole != null) {
                    assertThat(whole.cells().size()).isEqualTo(BATCH);
                    long[] previous = out.put(whole.epoch() + ":" + whole.batch(), whole.cells().globalIndex());
                    assertThat(previous).as("batch %s:%s twice", whole.epoch(), whole.batch()).isNull();
                }
            }
        }
        assertThat(assembler.openBatches()).as("pieces left unassembled").isZero();
        return out;
    }

    /** The epoch's order from the splits of the policy, then cut into whole batches. */
    private static Map<String, long[]> expected(SamplingMode sampling) throws Exception {
        AnnDataSource<BatchPiece> source = builder(sampling).build(CellOutputFormat.numberedBatches(BATCH));
        RowSpace space;
        try (AnnDataCollection c = AnnDataCollection.open(source.collection())) {
            space = RowSpace.of(c.plan(), c.plan().storeCount());
        }
        EpochSplits splits = sampling == SamplingMode.SEQUENTIAL ? new SequentialSplits(space, 48)
                : new BlockShuffledSplits(space, 8, 8, 11);
        Map<String, long[]> out = new TreeMap<>();
        for (int e = 0; e < EPOCHS; e++) {
            long[] order = new long[0];
            for (long o = 0; o < splits.splitsPerEpoch(); o++) {
                long[] part = SplitOrder.globalIndices(splits.split(e, o), space);
                long[] joined = Arrays.copyOf(order, order.length + part.length);
                System.arraycopy(part, 0, joined, order.length, part.length);
                order = joined;
            }
            assertThat(order).hasSize((int) (REPEATS * ItStores.MIXED_SIZE));
            for (int g = 0; g < order.length / BATCH; g++) {
                out.put(e + ":" + g, Arrays.copyOfRange(order, g * BATCH, (g + 1) * BATCH));
            }
        }
        return out;
    }

    private static void assertSameBatches(Map<String, long[]> got, Map<String, long[]> want) {
        assertThat(got.keySet()).isEqualTo(want.keySet());
        want.forEach((k, v) -> assertThat(got.get(k)).as("batch %s", k).containsExactly(v));
    }

    @ParameterizedTest
    @EnumSource(value = SamplingMode.class, names = {"SEQUENTIAL", "BLOCK_SHUFFLED"})
    void batchGHoldsPositionsGBToGPlusOneBOfTheEpochAtAnyParallelism(SamplingMode sampling) throws Exception {
        Map<String, long[]> want = expected(sampling);
        // 288 samples per epoch, batches of 10: 28 whole batches, the last 8 samples dropped
        assertThat(want).hasSize(EPOCHS * 28);
        AnnDataSource<BatchPiece> source = builder(sampling).build(CellOutputFormat.numberedBatches(BATCH));
        assertSameBatches(run(source, 1), want);
        assertSameBatches(run(source, 4), want);
    }

    @Test
    void batchesCutIntoOneCellPiecesAreTheSameBatches() throws Exception {
        // a piece limit of one byte: a piece per cell (the real limit cuts batches of large rows so)
        AnnDataSource<BatchPiece> source = builder(SamplingMode.BLOCK_SHUFFLED)
                .build(NumberedBatchFormat.withPieceBytes(BATCH, 1));
        List<BatchPiece> pieces = new ArrayList<>();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(3);
        try (CloseableIterator<BatchPiece> it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "batches")
                .executeAndCollect()) {
            it.forEachRemaining(pieces::add);
        }
        // one cell per piece, except that a cell without stored values joins the piece before it
        assertThat(pieces.stream().mapToInt(p -> p.cells().size()).sum()).isEqualTo(EPOCHS * 28 * BATCH);
        assertThat(pieces).hasSizeGreaterThan(EPOCHS * 28 * BATCH * 9 / 10);
        assertSameBatches(run(source, 3), expected(SamplingMode.BLOCK_SHUFFLED));
    }

    @Test
    void weightedDrawsAreTheSameBatchesAtParallelismOneAndThree() throws Exception {
        AnnDataSource<BatchPiece> source = builder(SamplingMode.WEIGHTED).build(CellOutputFormat.numberedBatches(BATCH));
        Map<String, long[]> one = run(source, 1);
        assertThat(one).hasSize(EPOCHS * 28);
        assertSameBatches(run(source, 3), one);
    }

    @Test
    void aSourceStartedFromATokenEmitsExactlyTheRestOfTheStream() throws Exception {
        AnnDataSource<BatchPiece> full = builder(SamplingMode.BLOCK_SHUFFLED).build(CellOutputFormat.numberedBatches(BATCH));
        Map<String, long[]> all = run(full, 2);
        String key = firstPiece(full).key();
        for (int[] at : new int[][] {{0, 0}, {0, 13}, {1, 0}, {1, 27}, {0, 28}}) {
            BatchToken token = new BatchToken(key, at[0], at[1]);
            AnnDataSource<BatchPiece> resumed = builder(SamplingMode.BLOCK_SHUFFLED).startToken(token)
                    .build(CellOutputFormat.numberedBatches(BATCH));
            Map<String, long[]> want = new TreeMap<>();
            all.forEach((k, v) -> {
                String[] eg = k.split(":");
                int e = Integer.parseInt(eg[0]);
                long g = Long.parseLong(eg[1]);
                if (e > at[0] || (e == at[0] && g >= at[1])) {
                    want.put(k, v);
                }
            });
            assertSameBatches(run(resumed, 2), want);
        }
    }

    /** Each cell of a piece as (epoch, its position in the epoch's order). */
    static final class PositionKeys implements FlatMapFunction<BatchPiece, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(BatchPiece p, Collector<Long> out) {
            for (int i = 0; i < p.cells().size(); i++) {
                out.collect(ItStores.key(p.epoch(), p.batch() * p.batchSize() + p.offset() + i));
            }
        }
    }

    @Test
    void aFailureMidEpochKeepsEveryBatchPositionExactlyOnce() throws Exception {
        String name = "numbered-failover";
        CommittedCollector.Run run = CommittedCollector.start(name);
        FailOnceMap.reset(run, 20);
        StreamExecutionEnvironment env = FailOnceMap.environment();
        env.fromSource(builder(SamplingMode.BLOCK_SHUFFLED).build(CellOutputFormat.numberedBatches(BATCH)),
                        WatermarkStrategy.noWatermarks(), "batches").uid("batches")
                .map(new PacedMap<BatchPiece>()).returns(BatchPieceTypeInfo.INSTANCE).uid("paced")
                .rebalance()
                .flatMap(new PositionKeys()).returns(Types.LONG).uid("keys")
                .map(new FailOnceMap(150, 2)).uid("fail-once")
                .process(new CommittedCollector(name)).returns(Types.VOID).uid("collector")
                .sinkTo(new DiscardingSink<>());
        env.execute(name);
        assertThat(FailOnceMap.failed()).as("the failure was injected").isTrue();
        assertThat(FailOnceMap.committedAtFailure()).as("restored from a checkpoint with progress").isPositive();
        // 28 whole batches of 10 per epoch: positions 0..279, each exactly once
        ItStores.assertExactlyOnce(run.committed(), EPOCHS, 28 * BATCH);
    }

    private static BatchPiece firstPiece(AnnDataSource<BatchPiece> source) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        try (CloseableIterator<BatchPiece> it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "first")
                .executeAndCollect()) {
            return it.next();
        }
    }

    @Test
    void tokensOfOtherSettingsOrCollectionsAreRefused() throws Exception {
        String key = firstPiece(builder(SamplingMode.BLOCK_SHUFFLED).build(CellOutputFormat.numberedBatches(BATCH))).key();
        BatchToken token = new BatchToken(key, 0, 3);
        assertThatThrownBy(() -> builder(SamplingMode.BLOCK_SHUFFLED).seed(12).startToken(token)
                .build(CellOutputFormat.numberedBatches(BATCH)))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("other sampling settings");
        assertThatThrownBy(() -> builder(SamplingMode.BLOCK_SHUFFLED).startToken(token)
                .build(CellOutputFormat.numberedBatches(BATCH + 1)))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("batch size " + BATCH);
        assertThatThrownBy(() -> builder(SamplingMode.BLOCK_SHUFFLED).startToken(token).build())
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("needs numbered batches");
        // another collection (one repeat fewer): found when the enumerator plans
        List<String> fewer = new ArrayList<>(ItStores.mixed(REPEATS - 1));
        AnnDataSource<BatchPiece> other = AnnDataSource.builder(fewer).obsKeys("cell_type").join("outer")
                .sampling(SamplingMode.BLOCK_SHUFFLED).rowsPerSplit(48).blockSize(8).windowBlocks(8).seed(11)
                .epochs(EPOCHS).startToken(token).build(CellOutputFormat.numberedBatches(BATCH));
        assertThatThrownBy(() -> run(other, 1)).satisfies(e -> assertThat(rootMessages(e))
                .contains("was made for another collection"));
    }

    private static String rootMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
