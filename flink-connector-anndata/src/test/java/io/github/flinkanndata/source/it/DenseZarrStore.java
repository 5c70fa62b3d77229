package io.github.flinkanndata.source.it;

import io.github.flinkanndata.testutil.TinyZarr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a small valid zarr v2 AnnData store through {@link TinyZarr}: dense float32 {@code X}
 * ({@code rows x genes}, one chunk), var names {@code gene0..}, obs names {@code cell0..} and a
 * string obs column {@code label}. Zero rows are allowed (metadata only). An existing store at the
 * same path is replaced.
 */
final class DenseZarrStore {
    private DenseZarrStore() {}

    static void write(Path dir, int genes, float[][] x, String[] labels) {
        if (x.length != labels.length) {
            throw new IllegalArgumentException(x.length + " rows but " + labels.length + " labels");
        }
        deleteRecursively(dir);
        int rows = x.length;
        TinyZarr z = new TinyZarr(dir);
        z.group("", Map.of("encoding-type", "anndata", "encoding-version", "0.1.0"));
        z.dataframe("obs", names("cell", rows), List.of("label"));
        z.strings("obs/label", labels);
        z.dataframe("var", names("gene", genes), List.of());
        Map<String, String> attrs = Map.of("encoding-type", "array", "encoding-version", "0.2.0");
        if (rows == 0) {
            z.arrayMeta("X", "<f4", new long[] {0, genes}, new long[] {1, genes}, null, List.of(), attrs);
        } else {
            float[] flat = new float[rows * genes];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(x[r], 0, flat, r * genes, genes);
            }
            z.array("X", "<f4", new long[] {rows, genes}, TinyZarr.floats(flat), attrs);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String[] names(String prefix, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = prefix + i;
        }
        return out;
    }
}
