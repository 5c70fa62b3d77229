package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.testutil.TinyZarr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The row-cutting fast paths (canonical CSR rows copied without a sort, chunks decoded straight
 * into a range read, rows cut lazily from their block) against a model of the stored matrix:
 * random CSR stores of many small chunks whose rows are ascending, unsorted or hold repeated
 * columns, joined with a second store whose genes come in reverse order with one missing. Every
 * row, read as a range (sparse and dense) and one by one, must equal what the stored entries say
 * (the last entry of a repeated column wins; explicit zeros stay in sparse rows).
 */
class RowPathsAgreementTest {
    private static final int WIDTH = 37;
    private static final int CHUNK = 16;

    /** One store as the test wrote it: per row, the entries (gene name to value, last wins). */
    private static final class Model {
        final List<Map<String, Float>> rows = new ArrayList<>();
    }

    /** One store alone (rows keep their stored column order: no column map) or two joined. */
    enum Case { SINGLE, OUTER, INNER }

    @ParameterizedTest
    @EnumSource(Case.class)
    void everyRowAgreesWithTheStoredEntries(Case which, @TempDir Path tmp) throws Exception {
        Join join = which == Case.INNER ? Join.INNER : Join.OUTER;
        String[] genes = new String[WIDTH];
        for (int g = 0; g < WIDTH; g++) {
            genes[g] = "g" + g;
        }
        String[] reversed = new String[WIDTH - 1];
        for (int g = 0; g < WIDTH - 1; g++) {
            reversed[g] = genes[WIDTH - 1 - g]; // g36 .. g1: g0 missing
        }
        List<Map<String, Float>> expected = new ArrayList<>(
                write(tmp.resolve("a.zarr"), 203, genes, new SplittableRandom(1)).rows);
        List<String> paths = new ArrayList<>(List.of(tmp.resolve("a.zarr").toString()));
        if (which != Case.SINGLE) {
            expected.addAll(write(tmp.resolve("b.zarr"), 150, reversed, new SplittableRandom(2)).rows);
            paths.add(tmp.resolve("b.zarr").toString());
        }

        CollectionOptions options = CollectionOptions.builder(paths).join(join).build();
        try (AnnDataCollection c = AnnDataCollection.open(options)) {
            List<String> joint = c.varJoint();
            assertThat(joint).hasSize(which == Case.INNER ? WIDTH - 1 : WIDTH);
            if (which == Case.SINGLE) {
                assertThat(joint).containsExactly(genes);
            }
            List<Sample> sparse = c.getRange(0, c.size(), true);
            List<Sample> dense = c.getRange(0, c.size(), false);
            assertThat(sparse).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                String at = "row " + i + " (" + which + ")";
                float[] want = denseOf(expected.get(i), joint);
                MatrixRow s = sparse.get(i).layer("X");
                assertThat(s.isSparse()).as(at).isTrue();
                assertSparse(s, expected.get(i), joint, at);
                assertThat((float[]) s.dense()).as(at + " sparse row's dense form").containsExactly(want);
                MatrixRow d = dense.get(i).layer("X");
                assertThat(d.isSparse()).as(at).isFalse();
                assertThat((float[]) d.dense()).as(at + " dense").containsExactly(want);
                assertThat(d.indices()).as(at + " dense row's non-zero columns").containsExactly(nonZero(want));
                assertThat((float[]) c.get(i).layer("X").dense()).as(at + " get(i)").containsExactly(want);
            }
        }
    }

    private static void assertSparse(MatrixRow row, Map<String, Float> stored, List<String> joint, String at) {
        TreeMap<Integer, Float> byColumn = new TreeMap<>();
        stored.forEach((gene, v) -> {
            int j = joint.indexOf(gene);
            if (j >= 0) {
                byColumn.put(j, v);
            }
        });
        int[] cols = byColumn.keySet().stream().mapToInt(Integer::intValue).toArray();
        float[] vals = new float[cols.length];
        for (int k = 0; k < cols.length; k++) {
            vals[k] = byColumn.get(cols[k]);
        }
        assertThat(row.indices()).as(at + " sparse columns").containsExactly(cols);
        assertThat((float[]) row.values()).as(at + " sparse values").containsExactly(vals);
    }

    private static float[] denseOf(Map<String, Float> stored, List<String> joint) {
        float[] out = new float[joint.size()];
        stored.forEach((gene, v) -> {
            int j = joint.indexOf(gene);
            if (j >= 0) {
                out[j] = v;
            }
        });
        return out;
    }

    private static int[] nonZero(float[] a) {
        return java.util.stream.IntStream.range(0, a.length).filter(j -> a[j] != 0f).toArray();
    }

    /**
     * A store of {@code rows} cells whose X is CSR over {@code genes}, each array cut into chunks
     * of {@link #CHUNK} elements. A third of the rows are unsorted or repeat a column.
     */
    private static Model write(Path dir, int rows, String[] genes, SplittableRandom rnd) {
        TinyZarr z = TinyZarr.anndata(dir, rows);
        z.dataframe("var", genes, List.of());
        Model model = new Model();
        int[] indptr = new int[rows + 1];
        List<Integer> cols = new ArrayList<>();
        List<Float> vals = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int n = rnd.nextInt(0, 12);
            int[] c = rnd.ints(n, 0, genes.length).distinct().sorted().toArray();
            int kind = rnd.nextInt(6);
            if (kind == 0 && c.length > 1) { // unsorted
                int t = c[0];
                c[0] = c[c.length - 1];
                c[c.length - 1] = t;
            } else if (kind == 1 && c.length > 0) { // a repeated column, in place or later
                c = Arrays.copyOf(c, c.length + 1);
                c[c.length - 1] = c[rnd.nextInt(c.length - 1)];
            }
            Map<String, Float> row = new LinkedHashMap<>();
            for (int col : c) {
                // integer counts, a few explicit zeros
                float v = rnd.nextInt(8) == 0 ? 0f : rnd.nextInt(1, 50);
                cols.add(col);
                vals.add(v);
                row.put(genes[col], v); // a repeat overwrites: the last entry wins
            }
            model.rows.add(row);
            indptr[r + 1] = cols.size();
        }
        chunked(z, "X/indptr", "<i4", TinyZarr.ints(indptr), indptr.length);
        chunked(z, "X/indices", "<i4", TinyZarr.ints(cols.stream().mapToInt(Integer::intValue).toArray()),
                cols.size());
        float[] data = new float[vals.size()];
        for (int k = 0; k < data.length; k++) {
            data[k] = vals.get(k);
        }
        chunked(z, "X/data", "<f4", TinyZarr.floats(data), data.length);
        z.group("X", Map.of("encoding-type", "csr_matrix", "encoding-version", "0.1.0",
                "shape", List.of(rows, genes.length)));
        return model;
    }

    /** A 1-D uncompressed array of 4-byte items in chunks of {@link #CHUNK} (the last one padded). */
    private static void chunked(TinyZarr z, String path, String dtype, byte[] bytes, int n) {
        z.arrayMeta(path, dtype, new long[] {n}, new long[] {CHUNK}, null, List.of(), Map.of());
        for (int k = 0; k * CHUNK < n; k++) {
            byte[] chunk = new byte[CHUNK * 4];
            int from = k * CHUNK * 4;
            System.arraycopy(bytes, from, chunk, 0, Math.min(chunk.length, bytes.length - from));
            z.write(path, Integer.toString(k), chunk);
        }
    }
}
