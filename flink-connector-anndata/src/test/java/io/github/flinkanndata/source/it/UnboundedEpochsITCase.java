package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An unbounded block-shuffled source keeps going epoch after epoch. At parallelism 1 the emission
 * order is total: each of the first three epochs holds every sample once, the epochs' orders
 * differ, the same seed repeats the exact sequence and another seed does not.
 */
@Timeout(60)
class UnboundedEpochsITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int EPOCHS = 3;
    private static final int N = (int) ItStores.MIXED_SIZE;

    @Test
    void epochsReshuffleReproduciblyBySeed() throws Exception {
        List<CellRecord> first = firstEpochs(17);
        for (int e = 0; e < EPOCHS; e++) {
            List<Long> order = indices(first, e);
            assertThat(new TreeSet<>(order)).as("epoch %d holds every sample", e).hasSize(N);
            assertThat(order).as("epoch %d holds every sample once", e).hasSize(N);
            assertThat(order).as("epoch %d is shuffled", e).isNotEqualTo(new ArrayList<>(new TreeSet<>(order)));
        }
        assertThat(indices(first, 1)).as("epoch 1 vs 0").isNotEqualTo(indices(first, 0));
        assertThat(indices(first, 2)).as("epoch 2 vs 1").isNotEqualTo(indices(first, 1));
        assertThat(indices(first, 2)).as("epoch 2 vs 0").isNotEqualTo(indices(first, 0));

        List<CellRecord> again = firstEpochs(17);
        for (int e = 0; e < EPOCHS; e++) {
            assertThat(indices(again, e)).as("same seed, epoch %d", e).isEqualTo(indices(first, e));
        }
        List<CellRecord> otherSeed = firstEpochs(18);
        for (int e = 0; e < EPOCHS; e++) {
            assertThat(indices(otherSeed, e)).as("other seed, epoch %d", e).isNotEqualTo(indices(first, e));
        }
    }

    /** The first {@code EPOCHS * N} records of an unbounded run at parallelism 1; cancels the job. */
    private static List<CellRecord> firstEpochs(long seed) throws Exception {
        AnnDataSource<CellRecord> source = AnnDataSource.builder(ItStores.mixed(1)).obsKeys("cell_type").join("outer")
                .sampling(SamplingMode.BLOCK_SHUFFLED).blockSize(8).windowBlocks(2).seed(seed)
                .epochs(AnnDataSourceBuilder.UNBOUNDED).build();
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<CellRecord> out = new ArrayList<>();
        try (CloseableIterator<CellRecord> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells").executeAndCollect()) {
            while (out.size() < EPOCHS * N) {
                assertThat(it.hasNext()).as("an unbounded source does not end").isTrue();
                out.add(it.next());
            }
        } // closing the iterator cancels the job
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).epoch()).as("record %d: epochs follow each other at p=1", i).isEqualTo(i / N);
        }
        return out;
    }

    private static List<Long> indices(List<CellRecord> records, int epoch) {
        List<Long> out = new ArrayList<>();
        for (CellRecord r : records) {
            if (r.epoch() == epoch) {
                out.add(r.globalIndex());
            }
        }
        return out;
    }
}
