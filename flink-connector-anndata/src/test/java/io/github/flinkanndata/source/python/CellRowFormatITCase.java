package io.github.flinkanndata.source.python;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The row source end to end on a MiniCluster (parallel, two epochs, across a {@code rebalance} so
 * rows go through Flink's {@code RowSerializer}): every sample once per epoch, equal to the
 * collection's, for the mixed h5ad / zarr v2 / sharded zarr v3 collection.
 */
@Timeout(120)
class CellRowFormatITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final String[] OBS = {"cell_type", "donor", "score", "n_genes"};

    private static List<String> mixed() {
        List<String> out = new ArrayList<>();
        for (String n : new String[] {"mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr"}) {
            out.add(TestData.reference().resolve("stores").resolve(n).toString());
        }
        return out;
    }

    private static Map<String, Row> run(AnnDataSource<Row> source) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Row> rows = env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells").rebalance();
        assertThat(rows.getType()).isInstanceOf(RowTypeInfo.class);
        Map<String, Row> got = new TreeMap<>();
        try (CloseableIterator<Row> it = rows.executeAndCollect()) {
            while (it.hasNext()) {
                Row r = it.next();
                assertThat(got.put(r.getField(2) + ":" + r.getField(1), r)).as("duplicate").isNull();
            }
        }
        return got;
    }

    private static float[] floats(MatrixRow m) {
        double[] d = m.toDoubles();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    @Test
    void denseRowsEqualTheCollectionsSamples() throws Exception {
        List<String> paths = mixed();
        AnnDataSource<Row> source = CellRowFormat.rows(AnnDataSource.builder(paths).layersKeys("X", "counts")
                        .obsmKeys("X_emb").obsKeys(OBS).encodeLabels(List.of("cell_type")).join("outer")
                        .output(OutputForm.DENSE).rowsPerSplit(7).epochs(2).build(),
                Map.of("score", ObsFieldType.DOUBLE, "n_genes", ObsFieldType.LONG));
        Map<String, Row> got = run(source);
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).layersKeys("X", "counts")
                .obsmKeys("X_emb").obsKeys(OBS).encodeLabels(List.of("cell_type")).join("outer").build())) {
            assertThat(got).hasSize((int) (2 * c.size()));
            for (Row r : got.values()) {
                long i = (Long) r.getField(1);
                Sample s = c.get(i);
                assertThat(r.getField(0)).as("store of %s", i).isEqualTo(s.storeIndex());
                assertThat((float[]) r.getField(3)).as("X of %s", i).containsExactly(floats(s.layer("X")));
                assertThat((float[]) r.getField(4)).as("counts of %s", i).containsExactly(floats(s.layer("counts")));
                assertThat((float[]) r.getField(5)).as("X_emb of %s", i).containsExactly(floats(s.obsm("X_emb")));
                for (int k = 0; k < OBS.length; k++) {
                    Object label = s.obs(OBS[k]);
                    assertThat(r.getField(6 + k)).as("%s of %s", OBS[k], i)
                            .isEqualTo(Missing.isMissing(label) ? null : label);
                }
            }
        }
    }

    @Test
    void sparseRowsHoldTheStoredEntries() throws Exception {
        List<String> paths = mixed();
        Map<String, Row> got = run(CellRowFormat.rows(AnnDataSource.builder(paths).join("inner").build(), Map.of()));
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).join("inner").build())) {
            assertThat(got).hasSize((int) c.size());
            for (Row r : got.values()) {
                long i = (Long) r.getField(1);
                Row x = (Row) r.getField(3);
                float[] dense = new float[(Integer) x.getField(2)];
                int[] indices = (int[]) x.getField(0);
                float[] values = (float[]) x.getField(1);
                for (int j = 0; j < indices.length; j++) {
                    assertThat(values[j]).as("stored entry %s of %s", j, i).isNotZero();
                    dense[indices[j]] = values[j];
                }
                assertThat(dense).as("X of %s", i).containsExactly(floats(c.get(i).layer("X")));
            }
        }
    }
}
