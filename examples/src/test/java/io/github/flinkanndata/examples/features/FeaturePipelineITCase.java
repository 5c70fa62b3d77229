package io.github.flinkanndata.examples.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.examples.common.JobRuns;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.testutil.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature pipeline's per-gene statistics equal a direct computation on the same data: the
 * job runs in-process ({@code anndata-cli features}) and every line it writes is compared with
 * {@link DirectFeatures}, which reads the same cells with {@code AnnDataCollection.get(i)} and
 * computes QC, normalisation, two-pass mean and variance, and top-k dispersion in plain loops.
 * Values may differ only by float rounding (the job sums in another order: Welford updates and
 * merges); highly variable genes may differ only by the order of genes whose dispersions tie.
 */
@Timeout(180)
class FeaturePipelineITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-9;

    @TempDir Path tmp;

    /**
     * Three stores (h5ad CSR, zarr v2 dense, sharded zarr v3) of integer counts under an outer
     * join, at parallelism 2, through the CLI. No gene is called MT-, so the mito genes are
     * those starting with "g0" (G00..G09, ignoring case): the same computation on other names.
     */
    @Test
    void threeStoresOuterJoinInParallelEqualTheDirectComputation() throws Exception {
        List<String> paths = List.of(store("mixed_m1.h5ad"), store("mixed_m2_v2.zarr"), store("mixed_m3_v3_sharded.zarr"));
        Path out = tmp.resolve("out");
        List<String> args = new ArrayList<>();
        args.addAll(paths);
        args.addAll(List.of("--layer", "counts", "--join", "outer", "--mito-prefix", "g0", "--hvg-top", "5",
                "--hvg-every", "4", "--parallelism", "2", "--write-normalized", "--output-dir", out.toString()));
        String printed = run(args);

        DirectFeatures direct = new DirectFeatures(CollectionOptions.builder(paths).layersKeys("counts")
                .obsKeys("cell_type").encodeLabels(false).join("outer").build(), "counts", "cell_type", "g0", 10_000, null);
        assertThat(direct.cells).hasSize(96);
        assertThat(printed).contains("96 cells, 40 genes (9 mitochondrial), 7 cell types");

        assertQc(read(out.resolve("qc.jsonl")), direct);
        assertNormalized(read(out.resolve("normalized.jsonl")), direct);
        assertGeneStats(read(out.resolve("gene_stats.jsonl")), direct);
        List<JsonNode> hvg = read(out.resolve("hvg.jsonl"));
        assertFinalHvg(hvg, direct, 5);
        // cells of a type arrive interleaved from two readers, so which cells a periodic list
        // covers varies; its cell counts do not
        Map<String, List<DirectFeatures.Cell>> groups = direct.byLabel();
        for (Map.Entry<String, List<DirectFeatures.Cell>> g : groups.entrySet()) {
            List<Long> counts = new ArrayList<>();
            for (JsonNode n : hvg) {
                if (sameLabel(n, g.getKey()) && !n.get("final").asBoolean()) {
                    counts.add(n.get("cells").asLong());
                }
            }
            List<Long> expected = new ArrayList<>();
            for (long c = 4; c <= g.getValue().size(); c += 4) {
                expected.add(c);
            }
            assertThat(counts).as("periodic lists of %s", g.getKey()).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(Files.exists(out.resolve("qc.jsonl.staging"))).as("staging cleaned up").isFalse();
    }

    /**
     * A real store (anndataR's example.h5ad: CSR counts layer, float32, leiden clusters) without
     * a join, at parallelism 1: the cells of a type then arrive in global-index order, so every
     * periodic list must equal the direct top-k over the type's first n cells.
     */
    @Test
    void realStoreWithoutJoinEqualsTheDirectComputationIncludingPeriodicLists() throws Exception {
        String path = TestData.realStore("anndataR/example.h5ad").toString();
        Path out = tmp.resolve("out");
        String printed = run(List.of(path, "--layer", "counts", "--label-key", "leiden", "--join", "none",
                "--hvg-top", "10", "--hvg-every", "3", "--parallelism", "1", "--output-dir", out.toString()));

        List<String> storeGenes;
        try (AnnDataStore s = AnnDataStore.open(Paths.get(path))) {
            storeGenes = s.var().index();
        }
        DirectFeatures direct = new DirectFeatures(CollectionOptions.builder(path).layersKeys("counts").obsKeys("leiden")
                .encodeLabels(false).join("none").build(), "counts", "leiden", "MT-", 10_000, storeGenes);
        assertThat(printed).contains("50 cells, 100 genes (0 mitochondrial), 6 cell types");
        assertThat(Files.exists(out.resolve("normalized.jsonl"))).isFalse();

        List<JsonNode> qc = read(out.resolve("qc.jsonl"));
        assertQc(qc, direct);
        assertThat(qc).allSatisfy(n -> assertThat(n.get("mito_fraction").isNull()).isTrue());
        assertGeneStats(read(out.resolve("gene_stats.jsonl")), direct);
        List<JsonNode> hvg = read(out.resolve("hvg.jsonl"));
        assertFinalHvg(hvg, direct, 10);

        int periodic = 0;
        for (JsonNode n : hvg) {
            if (n.get("final").asBoolean()) {
                continue;
            }
            periodic++;
            List<DirectFeatures.Cell> group = direct.byLabel().get(label(n));
            int cells = n.get("cells").asInt();
            assertThat(cells % 3).isZero();
            List<DirectFeatures.Cell> first = group.subList(0, cells);
            assertHvg(n, DirectFeatures.dispersions(first, direct.genes.size()), direct, 10);
        }
        int expected = direct.byLabel().values().stream().mapToInt(g -> g.size() / 3).sum();
        assertThat(periodic).isEqualTo(expected).isPositive();
    }

    private static void assertQc(List<JsonNode> lines, DirectFeatures direct) {
        Map<Long, JsonNode> byIndex = byIndex(lines);
        assertThat(lines).as("one QC line per cell").hasSize(direct.cells.size());
        assertThat(byIndex).hasSize(direct.cells.size());
        for (DirectFeatures.Cell c : direct.cells) {
            JsonNode n = byIndex.get(c.index);
            assertThat(n).as("cell %s", c.index).isNotNull();
            assertThat(n.get("_store_idx").asInt()).isEqualTo(c.store);
            assertThat(label(n)).as("label of %s", c.index).isEqualTo(c.label);
            assertClose(n.get("library_size").asDouble(), c.library, "library size of " + c.index);
            assertThat(n.get("genes_detected").asInt()).as("genes detected of %s", c.index).isEqualTo(c.detected);
            if (c.mito == null) {
                assertThat(n.get("mito_fraction").isNull()).as("mito fraction of %s", c.index).isTrue();
            } else {
                assertClose(n.get("mito_fraction").asDouble(), c.mito, "mito fraction of " + c.index);
            }
        }
    }

    private static void assertNormalized(List<JsonNode> lines, DirectFeatures direct) {
        Map<Long, JsonNode> byIndex = byIndex(lines);
        assertThat(lines).hasSize(direct.cells.size());
        for (DirectFeatures.Cell c : direct.cells) {
            JsonNode n = byIndex.get(c.index);
            double[] dense = new double[direct.genes.size()];
            int previous = -1;
            for (int k = 0; k < n.get("indices").size(); k++) {
                int j = n.get("indices").get(k).asInt();
                assertThat(j).as("indices ascending").isGreaterThan(previous);
                previous = j;
                dense[j] = n.get("values").get(k).asDouble();
                assertThat(dense[j]).as("only non-zeros are listed").isNotZero();
            }
            for (int j = 0; j < dense.length; j++) {
                assertClose(dense[j], c.normalized[j], "normalised gene " + j + " of cell " + c.index);
            }
        }
    }

    private static void assertGeneStats(List<JsonNode> lines, DirectFeatures direct) {
        Map<String, List<DirectFeatures.Cell>> groups = direct.byLabel();
        assertThat(lines).as("one line per type").hasSize(groups.size());
        int genes = direct.genes.size();
        for (JsonNode n : lines) {
            String label = label(n);
            assertThat(groups).as("type %s", label).containsKey(label);
            List<DirectFeatures.Cell> group = groups.get(label);
            assertThat(n.get("cells").asInt()).isEqualTo(group.size());
            List<String> names = new ArrayList<>();
            n.get("genes").forEach(g -> names.add(g.asText()));
            assertThat(names).isEqualTo(direct.genes);
            double[][] expected = DirectFeatures.stats(group, genes);
            for (int j = 0; j < genes; j++) {
                assertClose(n.get("mean").get(j).asDouble(), expected[0][j], "mean of " + names.get(j) + " in " + label);
                if (group.size() < 2) {
                    assertThat(n.get("variance").isNull()).isTrue();
                } else {
                    assertClose(n.get("variance").get(j).asDouble(), expected[1][j],
                            "variance of " + names.get(j) + " in " + label);
                }
            }
        }
    }

    private static void assertFinalHvg(List<JsonNode> hvg, DirectFeatures direct, int k) {
        Map<String, List<DirectFeatures.Cell>> groups = direct.byLabel();
        int finals = 0;
        for (JsonNode n : hvg) {
            if (n.get("final").asBoolean()) {
                finals++;
                List<DirectFeatures.Cell> group = groups.get(label(n));
                assertThat(n.get("cells").asInt()).isEqualTo(group.size());
                assertHvg(n, DirectFeatures.dispersions(group, direct.genes.size()), direct, k);
            }
        }
        assertThat(finals).as("one final list per type").isEqualTo(groups.size());
    }

    /**
     * The list equals the direct top k: position by position the same gene, or one whose
     * direct dispersion ties (within rounding) with the direct choice at that position.
     */
    private static void assertHvg(JsonNode n, double[] dispersion, DirectFeatures direct, int k) {
        int[] expected = DirectFeatures.topK(dispersion, k);
        JsonNode indices = n.get("indices");
        String what = "hvg of " + label(n) + " after " + n.get("cells") + " cells";
        assertThat(indices.size()).as(what).isEqualTo(expected.length);
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            int j = indices.get(i).asInt();
            assertThat(seen).as(what).doesNotContain(j);
            seen.add(j);
            assertThat(n.get("genes").get(i).asText()).isEqualTo(direct.genes.get(j));
            if (j != expected[i]) {
                assertClose(dispersion[j], dispersion[expected[i]], what + ": gene " + j + " instead of " + expected[i]);
            }
            assertClose(n.get("dispersion").get(i).asDouble(), dispersion[j], what + ": dispersion of " + j);
        }
    }

    private static void assertClose(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected)).as("%s: %s vs %s", what, actual, expected)
                .isLessThanOrEqualTo(TOLERANCE * Math.max(1, Math.abs(expected)));
    }

    private static boolean sameLabel(JsonNode n, String label) {
        String l = label(n);
        return l == null ? label == null : l.equals(label);
    }

    private static String label(JsonNode n) {
        return n.get("label").isNull() ? null : n.get("label").asText();
    }

    private static Map<Long, JsonNode> byIndex(List<JsonNode> lines) {
        Map<Long, JsonNode> out = new HashMap<>();
        for (JsonNode n : lines) {
            assertThat(out.put(n.get("_global_idx").asLong(), n)).as("cell %s once", n.get("_global_idx")).isNull();
        }
        return out;
    }

    private static List<JsonNode> read(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static String run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = JobRuns.run(new FeaturePipelineJob(), args.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    /** A reference store of the connector module (or -Danndata.reference.dir). */
    static String store(String name) {
        String dir = System.getProperty("anndata.reference.dir");
        Path base = dir != null && !dir.isBlank() ? Paths.get(dir)
                : Paths.get("..", "flink-connector-anndata", "src", "test", "resources", "reference");
        Path p = base.resolve("stores").resolve(name).toAbsolutePath().normalize();
        assertThat(Files.exists(p)).as("reference store %s", p).isTrue();
        return p.toString();
    }
}
