package io.github.flinkanndata.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CollectionUtil;
import org.junit.jupiter.api.Test;

/**
 * A SQL user's path: a TableEnvironment whose classpath has Flink and nothing of ours, {@code ADD
 * JAR} of the shaded jar, a table over a mixed h5ad + zarr collection of real stores, a {@code
 * GROUP BY}. The build keeps the connector and its dependencies off this test's classpath, so a
 * class missing from the jar fails here as it would in the SQL client. Expected counts come from
 * {@code facts.json}, which Python anndata wrote.
 */
class ShadedJarSqlITCase {
    static final List<String> STORES =
            List.of(
                    "anndata-archives/v0.7.8/adata.h5ad",
                    "vitessce/anndata-0.12/anndata-dense.zarr",
                    "anndataR/example.h5ad",
                    "anndata-archives/v0.7.0/adata.zarr.zip");

    static Path realStores() {
        String p = System.getProperty("anndata.real.stores");
        return p != null && !p.isBlank()
                ? Paths.get(p)
                : Paths.get("..", "testdata", "real-stores").toAbsolutePath().normalize();
    }

    @Test
    void theConnectorIsOnlyReachableThroughTheJar() {
        assertThatThrownBy(
                        () -> Class.forName("io.github.flinkanndata.table.AnnDataDynamicTableFactory"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("io.jhdf.HdfFile"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void groupByOverAMixedCollectionAfterAddJar() throws Exception {
        JsonNode facts = new ObjectMapper().readTree(realStores().resolve("facts.json").toFile());
        StringBuilder paths = new StringBuilder();
        Map<Integer, Long> expected = new HashMap<>();
        for (int s = 0; s < STORES.size(); s++) {
            paths.append(s == 0 ? "" : ";").append(realStores().resolve(STORES.get(s)).toAbsolutePath());
            expected.put(s, facts.get(STORES.get(s)).get("n_obs").asLong());
        }

        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tEnv.executeSql("ADD JAR '" + ShadedJarContentITCase.shadedJar().toAbsolutePath() + "'").await();
        tEnv.executeSql(
                "CREATE TABLE cells (store_idx INT, global_idx BIGINT) WITH ("
                        + "'connector' = 'anndata', 'path' = '" + paths + "', 'scan.join' = 'none')");

        List<Row> rows =
                CollectionUtil.iteratorToList(
                        tEnv.executeSql("SELECT store_idx, COUNT(*) AS n FROM cells GROUP BY store_idx")
                                .collect());
        Map<Integer, Long> got = new HashMap<>();
        rows.forEach(r -> got.put((Integer) r.getField("store_idx"), (Long) r.getField("n")));
        assertThat(got).isEqualTo(expected);
    }
}
