package io.github.flinkanndata.source.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tiny stores the committed savepoints were taken over, committed under {@code
 * src/test/resources/savepoints/stores/}: two zarr v2 stores (24 and 16 cells, 3 and 4 genes, a
 * string {@code label} column of three classes in unequal numbers, so weighted draws differ from
 * uniform ones). A savepoint's enumerator state holds the plan, which names the stores by the
 * relative paths in {@link #PATHS}: restores resolve them against the module directory (surefire's
 * working directory), so the savepoints name no machine path. Never change these stores once a
 * savepoint over them is committed; a new layout gets a new folder.
 */
final class SavepointStores {
    static final Path DIR = Path.of("src", "test", "resources", "savepoints", "stores");
    static final List<String> PATHS = List.of(DIR.resolve("a.zarr").toString(), DIR.resolve("b.zarr").toString());
    static final long SAMPLES = 24 + 16;

    private SavepointStores() {}

    /** Writes the stores if they are missing (they are deterministic, so a rewrite is identical). */
    static void ensure() {
        write(DIR.resolve("a.zarr"), 24, 3);
        write(DIR.resolve("b.zarr"), 16, 4);
    }

    private static void write(Path dir, int rows, int genes) {
        if (Files.isDirectory(dir)) {
            return;
        }
        float[][] x = new float[rows][genes];
        String[] labels = new String[rows];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < genes; g++) {
                x[r][g] = r + g / 10f;
            }
            labels[r] = r % 6 == 0 ? "NK" : r % 3 == 0 ? "B" : "T"; // 1 : 1 : 4
        }
        DenseZarrStore.write(dir, genes, x, labels);
    }
}
