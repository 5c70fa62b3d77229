package io.github.flinkanndata.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.testutil.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * obsm entries with more than two dimensions (docs/semantics.md §7.1) in every backend: the
 * reference stores {@code obsm_nd*} (h5ad with gzip chunks, zarr v2, sharded zarr v3, and the
 * sharded store zipped) hold {@code patch} (n, 2, 3) float32, {@code cube} (n, 2, 2, 2) int and
 * {@code pca} (n, 2) float64, chunked so that one row's block spans several chunks. Each row read
 * alone or in any range equals what lamindb returned for it ({@code reference/cases.json}, case
 * {@code X-ND-<store>}), flattened in C order.
 */
class ObsmNdReadTest {
    @TempDir static Path tmp;

    static Stream<Arguments> stores() {
        return Stream.of(Arguments.of("ND_h5ad", "obsm_nd.h5ad", false), Arguments.of("ND_zarr", "obsm_nd_v2.zarr", false),
                Arguments.of("ND_zarr3", "obsm_nd_v3_sharded.zarr", false),
                Arguments.of("ND_zarr3", "obsm_nd_v3_sharded.zarr", true));
    }

    @ParameterizedTest(name = "{1} zipped={2}")
    @MethodSource("stores")
    void rowsOfEveryRangeAreTheBlocksLamindbReturned(String id, String name, boolean zipped) throws Exception {
        Path path = TestData.reference().resolve("stores").resolve(name);
        if (zipped) {
            path = zip(path, tmp.resolve(name + ".zip"));
        }
        JsonNode samples = samples("X-ND-" + id);
        try (AnnDataStore store = AnnDataStore.open(path)) {
            assertThat(store.obsmKeys()).contains("patch", "cube", "pca");
            MatrixElement patch = store.matrix("obsm/patch");
            MatrixElement cube = store.matrix("obsm/cube");
            MatrixElement pca = store.matrix("obsm/pca");
            assertThat(patch.rowShape()).containsExactly(2, 3);
            assertThat(patch.cols()).isEqualTo(6);
            assertThat(patch.layout()).isEqualTo(MatrixLayout.DENSE);
            assertThat(cube.rowShape()).containsExactly(2, 2, 2);
            assertThat(cube.cols()).isEqualTo(8);
            assertThat(pca.rowShape()).as("a 2-D entry keeps flat rows").isNull();
            assertThat(pca.cols()).isEqualTo(2);
            assertThat(patch.rows()).isEqualTo(samples.size());
            assertThat(patch.toString()).contains("x[2, 3] float32");
            for (String key : List.of("patch", "cube", "pca")) {
                MatrixElement m = store.matrix("obsm/" + key);
                int n = (int) m.rows();
                int w = (int) m.cols();
                for (int from = 0; from <= n; from++) {
                    for (int to = from; to <= n; to++) {
                        RowBlock b = m.readRows(from, to);
                        assertThat(b.rows()).isEqualTo(to - from);
                        assertThat(b.width()).isEqualTo(w);
                        assertThat(b.isSparse()).isFalse();
                        for (int r = from; r < to; r++) {
                            List<Double> want = flat(samples.get(r).get("obsm_" + key));
                            for (int j = 0; j < w; j++) {
                                assertThat(b.valueAsDouble((r - from) * w + j))
                                        .as("%s %s row %d value %d of range [%d, %d)", name, key, r, j, from, to)
                                        .isEqualTo(want.get(j));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The pre-0.7 layout keeps obsm as one compound dataset; a field of shape (2, 3) or (2, 3, 4)
     * per record is an obsm entry of three or four dimensions like any other ({@code
     * h5ad/legacy_obsm_nd.h5}, made by {@code make_test_files.py}: patch = flat index / 4, cube =
     * flat index - 60; chunks of 3 records). lamindb cannot open compound obsm, so there is no
     * reference case.
     */
    @org.junit.jupiter.api.Test
    void aSubArrayFieldOfACompoundObsmIsAnEntryOfMoreThanTwoDimensions() throws Exception {
        Path path = Path.of("src", "test", "resources", "h5ad", "legacy_obsm_nd.h5");
        try (AnnDataStore store = AnnDataStore.open(path)) {
            assertThat(store.obsmKeys()).containsExactly("cube", "patch", "pca");
            MatrixElement patch = store.matrix("obsm/patch");
            assertThat(patch.rowShape()).containsExactly(2, 3);
            assertThat(patch.cols()).isEqualTo(6);
            assertThat(store.matrix("obsm/pca").rowShape()).isNull();
            MatrixElement cube = store.matrix("obsm/cube");
            assertThat(cube.rowShape()).containsExactly(2, 3, 4);
            short[] c = (short[]) cube.readRows(2, 4).values();
            assertThat(c).hasSize(48);
            for (int i = 0; i < c.length; i++) {
                assertThat(c[i]).isEqualTo((short) (2 * 24 + i - 60));
            }
            for (int from = 0; from <= 5; from++) {
                for (int to = from; to <= 5; to++) {
                    float[] v = (float[]) patch.readRows(from, to).values();
                    assertThat(v).hasSize((to - from) * 6);
                    for (int i = 0; i < v.length; i++) {
                        assertThat(v[i]).isEqualTo((from * 6 + i) / 4f);
                    }
                }
            }
        }
        try (io.github.flinkanndata.collection.AnnDataCollection c = io.github.flinkanndata.collection.AnnDataCollection
                .open(io.github.flinkanndata.collection.CollectionOptions.builder(List.of(path.toString()))
                        .obsmKeys("patch", "pca").build())) {
            assertThat(c.get(4).obsm("patch").shape()).containsExactly(2, 3);
            assertThat((float[][]) c.get(4).asMap().get("obsm_patch"))
                    .isDeepEqualTo(new float[][] {{6f, 6.25f, 6.5f}, {6.75f, 7f, 7.25f}});
            assertThat(c.get(4).obsm("pca").shape()).containsExactly(2);
        }
    }

    private static JsonNode samples(String caseId) throws IOException {
        JsonNode doc = new ObjectMapper().readTree(TestData.reference().resolve("cases.json").toFile());
        for (JsonNode c : doc.get("cases")) {
            if (c.get("id").asText().equals(caseId)) {
                return c.get("expected").get("samples");
            }
        }
        throw new AssertionError("no case " + caseId + " in cases.json (python/gen_reference.py)");
    }

    private static List<Double> flat(JsonNode nested) {
        List<Double> out = new ArrayList<>();
        if (nested.isArray()) {
            nested.forEach(x -> out.addAll(flat(x)));
        } else {
            out.add(nested.asDouble());
        }
        return out;
    }

    /** The directory store as a zip of stored entries. */
    static Path zip(Path dir, Path zip) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Path f : files) {
                z.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
                z.write(Files.readAllBytes(f));
                z.closeEntry();
            }
        }
        return zip;
    }
}
