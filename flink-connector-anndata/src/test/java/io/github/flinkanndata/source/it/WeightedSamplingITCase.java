package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Weighted sampling with {@code weightKeys("cell_type")} balances the classes end to end. The 96
 * mixed cells carry 7 classes (6 categories and missing) from 5 to 28 cells each; with weights
 * 1/count every class should get a seventh of the draws. Chi-square against uniform at a fixed
 * seed, corrected for the block-wise draws (Rao–Scott: divide by the design effect, at most the
 * draws that share one block visit, i.e. the block size), stays below the 99.9% quantile; the
 * same statistic over sequential epochs (no weights) lies far above it, so the check can fail.
 */
@Timeout(60)
class WeightedSamplingITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int EPOCHS = 20;
    private static final int BLOCK_SIZE = 4;
    private static final int CLASSES = 7;
    /** 99.9% quantile of chi-square with CLASSES - 1 = 6 degrees of freedom. */
    private static final double CHI2_6DF_999 = 22.458;

    @Test
    void weightedDrawsBalanceCellTypes() throws Exception {
        Map<Object, Integer> weighted = classCounts(SamplingMode.WEIGHTED);
        assertThat(weighted).as("every class drawn").hasSize(CLASSES);
        assertThat(total(weighted)).as("one draw per sample and epoch").isEqualTo(EPOCHS * ItStores.MIXED_SIZE);
        assertThat(chiSquareAgainstUniform(weighted) / BLOCK_SIZE).as("weighted: %s", weighted)
                .isLessThan(CHI2_6DF_999);
    }

    @Test
    void withoutWeightsTheSameCheckFails() throws Exception {
        Map<Object, Integer> sequential = classCounts(SamplingMode.SEQUENTIAL);
        assertThat(sequential).hasSize(CLASSES);
        assertThat(chiSquareAgainstUniform(sequential) / BLOCK_SIZE).as("sequential: %s", sequential)
                .isGreaterThan(CHI2_6DF_999);
    }

    /** cell_type codes (and MISSING) of all records of {@code EPOCHS} epochs, read at p = 2. */
    private static Map<Object, Integer> classCounts(SamplingMode sampling) throws Exception {
        var builder = AnnDataSource.builder(ItStores.mixed(1)).obsKeys("cell_type").join("outer")
                .sampling(sampling).blockSize(BLOCK_SIZE).windowBlocks(4).seed(2024).epochs(EPOCHS);
        if (sampling == SamplingMode.WEIGHTED) {
            builder.weightKeys("cell_type");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        Map<Object, Integer> counts = new HashMap<>();
        try (CloseableIterator<CellRecord> it = env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(),
                "cells").executeAndCollect()) {
            while (it.hasNext()) {
                counts.merge(it.next().obs("cell_type"), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static long total(Map<Object, Integer> counts) {
        return counts.values().stream().mapToLong(Integer::longValue).sum();
    }

    private static double chiSquareAgainstUniform(Map<Object, Integer> counts) {
        double expected = (double) total(counts) / CLASSES;
        double chi2 = 0;
        for (int c : counts.values()) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        return chi2;
    }
}
