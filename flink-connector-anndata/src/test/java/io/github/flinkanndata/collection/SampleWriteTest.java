package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Sample#write} (how a batch copies rows straight out of range-read blocks) gives exactly
 * the row {@link Sample#layer}/{@link Sample#obsm} give, cast to float: over joins that gather,
 * scatter and drop columns, duplicate and unsorted columns, dense and CSR blocks, CSC layers,
 * dtype casts, N-D obsm and keys some stores lack.
 */
class SampleWriteTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (OutputType dtype : new OutputType[] {null, OutputType.INT32, OutputType.FLOAT64}) {
            for (Join join : new Join[] {Join.INNER, Join.OUTER}) {
                out.add(Arguments.of("num+b " + join + " " + dtype, Fixtures.on(Fixtures.N, Fixtures.B).join(join).dtype(dtype)));
                out.add(Arguments.of("parts " + join + " " + dtype, Fixtures.on(Fixtures.A1, Fixtures.A2, Fixtures.A4)
                        .join(join).dtype(dtype)));
            }
            out.add(Arguments.of("num+b+intvar outer " + dtype,
                    Fixtures.on(Fixtures.N, Fixtures.B, Fixtures.IV).join(Join.OUTER).dtype(dtype)));
            out.add(Arguments.of("dup+bc as stored " + dtype,
                    Fixtures.on(Fixtures.DUP, Fixtures.BC, Fixtures.A4).join(Join.NONE).dtype(dtype)));
        }
        String archive = TestData.realStore("anndata-archives/v0.7.0/adata.h5ad").toString();
        String zipped = TestData.realStore("anndata-archives/v0.7.0/adata.zarr.zip").toString();
        out.add(Arguments.of("layers and obsm", CollectionOptions.builder(List.of(archive, zipped))
                .obsmKeys("array", "sparse").layersKeys("X", "array", "sparse")));
        out.add(Arguments.of("N-D obsm", Fixtures.on("obsm_nd.h5ad", "obsm_nd_v2.zarr", "obsm_nd_v3_sharded.zarr")
                .obsmKeys("patch", "cube", "pca")));
        out.add(Arguments.of("mixed", Fixtures.on("mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr")
                .join(Join.OUTER)));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void writtenRowsEqualTheSamplesRows(String name, CollectionOptionsBuilder options) throws Exception {
        try (AnnDataCollection c = Fixtures.open(options)) {
            int checked = 0;
            for (boolean sparse : new boolean[] {true, false}) {
                List<Sample> samples = c.getRange(0, c.size(), sparse);
                for (Sample s : samples) {
                    for (String key : s.layerKeys()) {
                        checked += check(s, key, false, s.layer(key));
                    }
                    for (String key : s.obsmKeys()) {
                        checked += check(s, key, true, s.obsm(key));
                    }
                    assertThat(s.entryBound("no such key", false, sparse)).isEqualTo(-1);
                }
            }
            assertThat(checked).as("rows compared").isGreaterThan(0);
        }
    }

    private static int check(Sample s, String key, boolean obsm, MatrixRow row) {
        String what = (obsm ? "obsm " : "") + key + " of sample " + s.index();
        // sparse (a batch writes sparse rows of samples read sparse: they keep their stored entries,
        // explicit zeros too), with a poisoned buffer around the row: nothing written outside
        if (row.isSparse()) {
            checkSparse(s, key, obsm, row, what);
        }
        // dense
        int width = s.entryBound(key, obsm, false);
        assertThat(width).as(what).isEqualTo(row.width());
        float[] dense = new float[width + 3];
        int w = s.write(key, obsm, null, dense, 3);
        assertThat(w).as(what).isEqualTo(width);
        assertThat(Arrays.copyOfRange(dense, 3, 3 + w)).as(what).containsExactly(floats(row.dense()));
        return 1;
    }

    private static void checkSparse(Sample s, String key, boolean obsm, MatrixRow sp, String what) {
        int bound = s.entryBound(key, obsm, true);
        int[] indices = new int[bound + 4];
        float[] values = new float[bound + 4];
        Arrays.fill(indices, -7);
        Arrays.fill(values, -7f);
        int n = s.write(key, obsm, indices, values, 2);
        assertThat(Arrays.copyOfRange(indices, 2, 2 + n)).as(what).containsExactly(sp.indices());
        assertThat(Arrays.copyOfRange(values, 2, 2 + n)).as(what).containsExactly(floats(sp.values()));
        assertThat(new int[] {indices[0], indices[1], indices[n + 2]}).as(what).containsOnly(-7);
    }

    private static float[] floats(Object values) {
        int n = java.lang.reflect.Array.getLength(values);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            Object v = java.lang.reflect.Array.get(values, i);
            f[i] = v instanceof Boolean ? ((Boolean) v ? 1f : 0f) : ((Number) v).floatValue();
        }
        return f;
    }
}
