package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.record.CellBatch;
import io.github.flinkanndata.source.record.CellBatchTypeInfo;
import io.github.flinkanndata.source.record.MatrixBlock;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The mini-batch output on a MiniCluster: every cell of a batch equals the collection's sample,
 * batches never exceed their size nor span splits, and a failure mid-epoch keeps every {@code
 * (epoch, global index)} exactly once across the committed batches (same enumerator, splits and
 * checkpoints as the per-cell output; the split position advances by whole batches).
 */
@Timeout(120)
class BatchOutputITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final int REPEATS = 4;
    private static final int EPOCHS = 2;
    private static final int BATCH = 7; // not a divisor of the split sizes: short last batches

    private static AnnDataSourceBuilder builder(SamplingMode sampling) {
        return AnnDataSource.builder(ItStores.mixed(REPEATS)).obsKeys("cell_type").join("outer")
                .sampling(sampling).rowsPerSplit(48).blockSize(8).windowBlocks(8).seed(5).epochs(EPOCHS);
    }

    /** The (epoch, global index) key of every cell of a batch. */
    static final class BatchKeys implements FlatMapFunction<CellBatch, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(CellBatch batch, Collector<Long> out) {
            for (long g : batch.globalIndex()) {
                out.collect(ItStores.key(batch.epoch(), g));
            }
        }
    }

    @Test
    void everyCellOfEveryBatchEqualsTheCollectionsSample() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        AnnDataSource<CellBatch> source = builder(SamplingMode.BLOCK_SHUFFLED).build(CellOutputFormat.batches(BATCH));
        assertThat(source.getProducedType()).isEqualTo(CellBatchTypeInfo.INSTANCE);
        DataStream<CellBatch> batches = env.fromSource(source, WatermarkStrategy.noWatermarks(), "batches").rebalance();
        List<CellBatch> got = new ArrayList<>();
        CloseableIterator<CellBatch> it = batches.executeAndCollect();
        try {
            it.forEachRemaining(got::add);
        } finally {
            it.close();
        }
        List<Long> keys = new ArrayList<>();
        CollectionOptions options = source.settings().collection();
        try (AnnDataCollection c = AnnDataCollection.open(options)) {
            for (CellBatch b : got) {
                assertThat(b.size()).isBetween(1, BATCH);
                for (int i = 0; i < b.size(); i++) {
                    long g = b.globalIndex()[i];
                    keys.add(ItStores.key(b.epoch(), g));
                    Sample s = c.get(g);
                    assertThat(b.storeIndex()[i]).isEqualTo(s.storeIndex());
                    assertThat(b.row()[i]).isEqualTo(s.row());
                    assertThat(b.obs().get("cell_type")[i]).isEqualTo(s.obs("cell_type"));
                    MatrixBlock x = b.matrix("X");
                    assertThat(x.denseRow(i)).as("epoch %d, cell %d", b.epoch(), g).containsExactly(floats(s.layer("X")));
                }
            }
        }
        ItStores.assertExactlyOnce(keys, EPOCHS, REPEATS * ItStores.MIXED_SIZE);
        // far fewer records than cells: the point of batches
        assertThat(got.size()).isLessThan(keys.size() / 3);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"SEQUENTIAL, regional", "BLOCK_SHUFFLED, global"})
    void failureMidEpochKeepsEveryCellExactlyOnce(SamplingMode sampling, String topology) throws Exception {
        String name = "batch-failover-" + sampling + "-" + topology;
        CommittedCollector.Run run = CommittedCollector.start(name);
        FailOnceMap.reset(run, 20);

        StreamExecutionEnvironment env = FailOnceMap.environment();

        DataStream<CellBatch> batches = env.fromSource(builder(sampling).build(CellOutputFormat.batches(BATCH)),
                        WatermarkStrategy.noWatermarks(), "batches").uid("batches")
                .map(new PacedMap<CellBatch>()).returns(CellBatchTypeInfo.INSTANCE).uid("paced");
        if (topology.equals("global")) {
            batches = batches.rebalance();
        }
        batches.flatMap(new BatchKeys()).returns(Types.LONG).uid("keys")
                .map(new FailOnceMap(150, 2)).uid("fail-once")
                .process(new CommittedCollector(name)).returns(Types.VOID).uid("collector")
                .sinkTo(new DiscardingSink<>());
        env.execute(name);

        assertThat(FailOnceMap.failed()).as("the failure was injected").isTrue();
        assertThat(FailOnceMap.committedAtFailure()).as("restored from a checkpoint with progress").isPositive();
        ItStores.assertExactlyOnce(run.committed(), EPOCHS, REPEATS * ItStores.MIXED_SIZE);
    }

    private static float[] floats(MatrixRow r) {
        double[] d = r.toDoubles();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
