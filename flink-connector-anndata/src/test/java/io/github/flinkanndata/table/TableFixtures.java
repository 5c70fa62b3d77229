package io.github.flinkanndata.table;

import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reference stores and DDL for the table tests. */
final class TableFixtures {
    /** h5ad (CSR float32) + zarr v2 (dense float32) + sharded zarr v3 (CSR float64); batch lacks in m3. */
    static final List<String> MIXED = stores("mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr");
    /** lamindb's part_one (dense int64 X, raw.X, layer1) and part_two (CSR int64, no raw). */
    static final List<String> PARTS = stores("part_one.h5ad", "part_two.zarr");

    /**
     * obsm entries of more than two dimensions in h5ad, zarr v2 and sharded zarr v3: patch (n, 2, 3)
     * float32, cube (n, 2, 2, 2) int64 (int32 in the zarr v2 store), pca (n, 2) float64.
     */
    static final List<String> ND = stores("obsm_nd.h5ad", "obsm_nd_v2.zarr", "obsm_nd_v3_sharded.zarr");

    private TableFixtures() {}

    static List<String> stores(String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(TestData.reference().resolve("stores").resolve(n).toString());
        }
        return out;
    }

    /** {@code CREATE TEMPORARY TABLE name (columns) WITH ('connector' = 'anndata', 'path' = ..., options)}. */
    static String ddl(String name, String columns, List<String> paths, String... options) {
        Map<String, String> with = new LinkedHashMap<>();
        with.put("connector", "anndata");
        with.put("path", String.join(";", paths));
        for (int i = 0; i < options.length; i += 2) {
            with.put(options[i], options[i + 1]);
        }
        StringBuilder sb = new StringBuilder("CREATE TEMPORARY TABLE ").append(name).append(" (").append(columns)
                .append(") WITH (");
        with.forEach((k, v) -> sb.append('\'').append(k).append("' = '").append(v.replace("'", "''")).append("', "));
        return sb.substring(0, sb.length() - 2) + ")";
    }

    /** The messages of {@code e} and its causes, joined: planner errors wrap the factory's. */
    static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
