package io.github.flinkanndata.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The source end to end on a MiniCluster: every sample once, equal to the collection's. */
@Timeout(120)
class AnnDataSourceSmokeITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static List<String> stores(String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(TestData.reference().resolve("stores").resolve(n).toString());
        }
        return out;
    }

    @Test
    void sequentialParallelReadEqualsCollection() throws Exception {
        List<String> paths = stores("mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr");
        AnnDataSource<CellRecord> source = AnnDataSource.builder(paths).obsKeys("cell_type").join("outer")
                .output(OutputForm.DENSE).rowsPerSplit(7).epochs(2).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        Map<String, CellRecord> got = new TreeMap<>();
        try (CloseableIterator<CellRecord> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells").executeAndCollect()) {
            while (it.hasNext()) {
                CellRecord r = it.next();
                assertThat(got.put(r.epoch() + ":" + r.globalIndex(), r)).as("duplicate").isNull();
            }
        }
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths)
                .obsKeys("cell_type").join("outer").build())) {
            assertThat(got).hasSize((int) (2 * c.size()));
            for (CellRecord r : got.values()) {
                Map<String, Object> expected = c.get(r.globalIndex()).asMap();
                Map<String, Object> actual = r.sample().asMap();
                assertThat(actual.keySet()).isEqualTo(expected.keySet());
                for (String k : expected.keySet()) {
                    assertThat(Objects.deepEquals(actual.get(k), expected.get(k)))
                            .as("%s of sample %d", k, r.globalIndex()).isTrue();
                }
            }
        }
    }

    /**
     * Rows of obsm entries of 3 and 4 dimensions (h5ad, zarr v2, sharded zarr v3), block-shuffled
     * and sparse (the default form): the records reach the client through {@code
     * CellRecordSerializer}, shape included, and equal the collection's samples.
     */
    @Test
    void obsmRowsOfMoreThanTwoDimensionsKeepTheirShapeThroughTheSource() throws Exception {
        List<String> paths = stores("obsm_nd.h5ad", "obsm_nd_v2.zarr", "obsm_nd_v3_sharded.zarr");
        AnnDataSource<CellRecord> source = AnnDataSource.builder(paths).layersKeys().obsmKeys("patch", "cube", "pca")
                .sampling(SamplingMode.BLOCK_SHUFFLED).blockSize(2).windowBlocks(2).seed(3).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        Map<Long, CellRecord> got = new TreeMap<>();
        try (CloseableIterator<CellRecord> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells").executeAndCollect()) {
            while (it.hasNext()) {
                CellRecord r = it.next();
                assertThat(got.put(r.globalIndex(), r)).as("duplicate").isNull();
            }
        }
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths)
                .layersKeys(List.of()).obsmKeys("patch", "cube", "pca").build())) {
            assertThat(got).hasSize((int) c.size());
            for (CellRecord r : got.values()) {
                String at = "sample " + r.globalIndex();
                assertThat(r.sample().obsm("patch").isSparse()).as(at).isTrue();
                assertThat(r.sample().obsm("patch").shape()).as(at).containsExactly(2, 3);
                assertThat(r.sample().obsm("cube").shape()).as(at).containsExactly(2, 2, 2);
                assertThat(r.sample().obsm("pca").shape()).as(at).containsExactly(2);
                Map<String, Object> expected = c.get(r.globalIndex()).asMap();
                Map<String, Object> actual = r.sample().asMap();
                assertThat(actual.keySet()).as(at).isEqualTo(expected.keySet());
                for (String k : expected.keySet()) {
                    assertThat(Objects.deepEquals(actual.get(k), expected.get(k))).as("%s of %s", k, at).isTrue();
                }
            }
        }
    }
}
