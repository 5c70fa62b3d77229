package io.github.flinkanndata.testutil;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The two stores of the join-latency tests: an initial one of {@link #ROWS} cells over genes
 * {@code g0..g39} labelled "B cell" / "T cell", and a joining one of as many cells over the genes
 * in reverse order without {@code g0, g1} plus two outside the space, labelled "T cell", "NK",
 * "alpha" (two new labels). Dense float32 X whose value names its gene ({@code k * 100 + gene
 * number}), so a sample projected by name is checkable. Zarr v2 through {@link TinyZarr}.
 */
public final class GrowingStores {
    public static final int ROWS = 700;
    public static final List<String> GENES = genes();
    public static final List<String> JOIN_GENES = joinGenes();
    public static final List<String> FIRST_LABELS = List.of("B cell", "T cell");
    public static final List<String> JOIN_LABELS = List.of("T cell", "NK", "alpha");

    private GrowingStores() {}

    public static void writeInitial(Path dir) {
        write(dir, GENES, FIRST_LABELS, 1);
    }

    public static void writeJoining(Path dir) {
        write(dir, JOIN_GENES, JOIN_LABELS, 2);
    }

    private static void write(Path dir, List<String> genes, List<String> labelCycle, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[ROWS * genes.size()];
        String[] labels = new String[ROWS];
        for (int r = 0; r < ROWS; r++) {
            labels[r] = labelCycle.get(r % labelCycle.size());
            for (int g = 0; g < genes.size(); g++) {
                String name = genes.get(g);
                x[r * genes.size() + g] = name.startsWith("g") ? rnd.nextInt(5) * 100 + Integer.parseInt(name.substring(1))
                        : 999;
            }
        }
        TinyZarr z = new TinyZarr(dir);
        z.group("", Map.of("encoding-type", "anndata", "encoding-version", "0.1.0"));
        String[] cells = new String[ROWS];
        for (int r = 0; r < ROWS; r++) {
            cells[r] = "c" + r;
        }
        z.dataframe("obs", cells, List.of("label"));
        z.strings("obs/label", labels);
        z.dataframe("var", genes.toArray(new String[0]), List.of());
        z.array("X", "<f4", new long[] {ROWS, genes.size()}, TinyZarr.floats(x),
                Map.of("encoding-type", "array", "encoding-version", "0.2.0"));
    }

    private static List<String> genes() {
        List<String> g = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            g.add("g" + i);
        }
        return List.copyOf(g);
    }

    private static List<String> joinGenes() {
        List<String> g = new ArrayList<>();
        for (int i = 39; i >= 2; i--) {
            g.add("g" + i);
        }
        g.add("x1");
        g.add("x2");
        return List.copyOf(g);
    }
}
