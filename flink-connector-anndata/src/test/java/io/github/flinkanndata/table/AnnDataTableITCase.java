package io.github.flinkanndata.table;

import static io.github.flinkanndata.table.TableFixtures.MIXED;
import static io.github.flinkanndata.table.TableFixtures.PARTS;
import static io.github.flinkanndata.table.TableFixtures.ddl;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SQL over the reference stores on a MiniCluster (streaming mode, bounded tables): aggregates
 * and projections give what {@link AnnDataCollection} gives for the same options.
 */
@Timeout(120)
class AnnDataTableITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static StreamTableEnvironment tEnv;

    @BeforeAll
    static void tableEnvironment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        tEnv = StreamTableEnvironment.create(env);
    }

    private static List<Row> query(String ddl, String query) throws Exception {
        tEnv.executeSql("DROP TEMPORARY TABLE IF EXISTS cells");
        tEnv.executeSql(ddl);
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tEnv.executeSql(query).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void countPerCellTypeAndEpochEqualsTheMergedLabels() throws Exception {
        List<Row> changelog = query(ddl("cells", "epoch INT, cell_type STRING", MIXED,
                        "scan.sampling", "block_shuffled", "scan.block-size", "8", "scan.window-blocks", "2",
                        "scan.epochs", "2", "scan.seed", "7"),
                "SELECT epoch, cell_type, COUNT(*) AS n FROM cells GROUP BY epoch, cell_type");
        Map<List<Object>, Long> counts = new HashMap<>();
        for (Row r : changelog) { // a streaming aggregate: apply the updates
            List<Object> key = Arrays.asList(r.getField("epoch"), r.getField("cell_type"));
            switch (r.getKind()) {
                case INSERT:
                case UPDATE_AFTER:
                    counts.put(key, (Long) r.getField("n"));
                    break;
                default:
                    counts.remove(key);
            }
        }

        Map<List<Object>, Long> expected = new HashMap<>();
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(MIXED).build())) {
            for (Object label : c.mergedLabels("cell_type")) {
                for (int epoch = 0; epoch < 2; epoch++) {
                    // a missing label is NULL in SQL, so it groups as NULL
                    expected.merge(Arrays.asList(epoch, Missing.isMissing(label) ? null : label), 1L, Long::sum);
                }
            }
        }
        assertThat(expected).containsKey(Arrays.asList(0, null)).containsKey(Arrays.asList(1, "DC"));
        assertThat(counts).isEqualTo(expected);
    }

    @Test
    void denseProjectionEqualsTheCollectionsSamples() throws Exception {
        List<Row> rows = query(ddl("cells", AnnDataTableFactoryTest.COLUMNS, MIXED, "scan.join", "outer",
                        "scan.rows-per-split", "16"),
                "SELECT global_idx, store_idx, X, obsm_X_emb, cell_type, donor, score, batch FROM cells");
        Map<Long, Row> byIndex = new TreeMap<>();
        for (Row r : rows) {
            assertThat(byIndex.put((Long) r.getField("global_idx"), r)).as("duplicate").isNull();
        }
        int nullScores = 0;
        int nullBatches = 0;
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(MIXED)
                .obsKeys("cell_type", "donor", "score", "batch").encodeLabels(List.of("cell_type"))
                .obsmKeys("X_emb").join("outer").build())) {
            assertThat(byIndex.keySet()).hasSize((int) c.size());
            for (Map.Entry<Long, Row> e : byIndex.entrySet()) {
                Sample s = c.get(e.getKey());
                Row r = e.getValue();
                String at = "sample " + e.getKey();
                assertThat(r.getField("store_idx")).as(at).isEqualTo(s.storeIndex());
                assertThat((Float[]) r.getField("X")).as(at).containsExactly(floats(s.layer("X")));
                assertThat((Float[]) r.getField("obsm_X_emb")).as(at).containsExactly(floats(s.obsm("X_emb")));
                for (String k : List.of("cell_type", "donor", "score", "batch")) {
                    assertThat(r.getField(k)).as("%s of %s", k, at).isEqualTo(sqlValue(s.obs(k)));
                }
                nullScores += r.getField("score") == null ? 1 : 0;
                nullBatches += r.getField("batch") == null ? 1 : 0;
            }
            // NaN scores, masked batches in m1 and the whole of m3 (which lacks the column)
            assertThat(nullScores).isPositive();
            assertThat(nullBatches).isGreaterThan((int) c.nObsList()[2]);
        }
    }

    @Test
    void obsmOfMoreThanTwoDimensionsIsANestedArrayOfItsShape() throws Exception {
        List<Row> rows = query(ddl("cells", "global_idx BIGINT, obsm_patch ARRAY<ARRAY<FLOAT>>, "
                        + "obsm_cube ARRAY<ARRAY<ARRAY<FLOAT>>>, obsm_pca ARRAY<FLOAT>", TableFixtures.ND,
                        "scan.rows-per-split", "4"),
                "SELECT global_idx, obsm_patch, obsm_cube, obsm_pca FROM cells");
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(TableFixtures.ND)
                .obsmKeys("patch", "cube", "pca").build())) {
            assertThat(rows).hasSize((int) c.size());
            for (Row r : rows) {
                long g = (Long) r.getField("global_idx");
                Sample s = c.get(g);
                String at = "sample " + g;
                assertThat(nested(r.getField("obsm_patch"))).as(at).isEqualTo(nested(s.obsm("patch")));
                assertThat(nested(r.getField("obsm_cube"))).as(at).isEqualTo(nested(s.obsm("cube")));
                assertThat(((Object[]) r.getField("obsm_cube"))).as(at).hasSize(2);
                assertThat((Float[]) r.getField("obsm_pca")).as(at).containsExactly(floats(s.obsm("pca")));
            }
        }
    }

    @Test
    void anObsmColumnShallowerThanItsEntryFailsTheQueryNamingTheType() {
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> query(ddl("cells",
                "global_idx BIGINT, obsm_patch ARRAY<FLOAT>", TableFixtures.ND), "SELECT * FROM cells"));
        // whichever store's row is read first
        assertThat(TableFixtures.messages(e)).containsPattern("TableException: Column 'obsm_patch' of the anndata "
                + "table is declared ARRAY<FLOAT>, but the obsm entry 'patch' of store \\S+/obsm_nd\\S* has rows of "
                + "shape \\[2, 3\\] \\(an entry of 3 dimensions\\): declare the column ARRAY<ARRAY<FLOAT>>\\.");
    }

    /** A SQL nested array or a matrix row, as nested lists of floats. */
    private static Object nested(Object v) {
        if (v instanceof MatrixRow) {
            MatrixRow m = (MatrixRow) v;
            double[] d = m.toDoubles();
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return nested(MatrixRow.nest(f, m.shape()));
        }
        if (v instanceof Object[]) {
            List<Object> out = new ArrayList<>();
            for (Object x : (Object[]) v) {
                out.add(nested(x));
            }
            return out;
        }
        if (v instanceof float[]) {
            List<Object> out = new ArrayList<>();
            for (float x : (float[]) v) {
                out.add(x);
            }
            return out;
        }
        if (v instanceof Float[]) {
            return nested(Arrays.asList((Float[]) v).toArray());
        }
        return v;
    }

    @Test
    void sparseFilteredProjectionEqualsTheCollectionsSamples() throws Exception {
        String sparse = "ROW<indices ARRAY<INT>, `values` ARRAY<FLOAT>>";
        List<Row> rows = query(ddl("cells", "global_idx BIGINT, X " + sparse + ", raw_X " + sparse + ", layer1 "
                        + sparse + ", feat1 STRING", PARTS, "scan.dtype", "float64", "scan.obs-filter", "feat2:A"),
                "SELECT global_idx, X, raw_X, feat1 FROM cells");
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(PARTS)
                .layersKeys("X", "raw.X").obsKeys("feat1").encodeLabels(false).dtype("float64")
                .obsFilter("feat2", "A").build())) {
            // the filter column need not be a column of the table
            assertThat(c.size()).isEqualTo(2);
            assertThat(rows).hasSize((int) c.size());
            for (Row r : rows) {
                long g = (Long) r.getField("global_idx");
                Sample s = c.getRange(g, g + 1, true).get(0);
                for (String k : List.of("X", "raw.X")) {
                    Row matrix = (Row) r.getField(ColumnMapping.columnName(k));
                    MatrixRow expected = s.layer(k);
                    if (expected == null) { // part_two has no raw.X
                        assertThat(matrix).as("%s of sample %d", k, g).isNull();
                        continue;
                    }
                    assertThat((Integer[]) matrix.getField("indices")).as("%s of sample %d", k, g)
                            .containsExactly(Arrays.stream(expected.indices()).boxed().toArray(Integer[]::new));
                    assertThat((Float[]) matrix.getField("values")).as("%s of sample %d", k, g)
                            .containsExactly(floats(MatrixRow.dense(expected.type(), expected.values())));
                }
                assertThat(r.getField("feat1")).isEqualTo(s.obs("feat1"));
            }
            assertThat(rows).anySatisfy(r -> assertThat(r.getField("raw_X")).isNull());
        }
    }

    /** A matrix row's values as the FLOATs a column holds. */
    private static Float[] floats(MatrixRow row) {
        double[] d = row.toDoubles();
        Float[] out = new Float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** An obs value as SQL returns it: MISSING and absent keys are NULL. */
    @Nullable
    private static Object sqlValue(@Nullable Object label) {
        return label == null || Missing.isMissing(label) ? null : label;
    }
}
