package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.DataType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Samples of obsm entries with more than two dimensions (docs/semantics.md §7.1): the row keeps
 * its shape {@code (d1, d2, ...)} in the dense and the sparse form, under a dtype, in the record
 * map (nested arrays, as lamindb's ndarray) and in batch reads; and the {@link MatrixRow} shape
 * API itself. The values are checked against lamindb by {@code ReferenceConformanceTest} (cases
 * {@code X-ND-*}).
 */
class ObsmNdTest {
    private static final String H5AD = "obsm_nd.h5ad";
    private static final String ZARR = "obsm_nd_v2.zarr";
    private static final String ZARR3 = "obsm_nd_v3_sharded.zarr";

    @Test
    void everyFormOfASampleKeepsTheRowShape() throws Exception {
        try (AnnDataCollection c = Fixtures.open(Fixtures.on(H5AD, ZARR, ZARR3).obsmKeys("patch", "cube", "pca"))) {
            assertThat(c.size()).isEqualTo(15);
            List<Sample> sparse = c.getRange(0, c.size(), true);
            List<Sample> dense = c.getRange(0, c.size(), false);
            for (int g = 0; g < c.size(); g++) {
                Sample s = c.get(g);
                MatrixRow patch = s.obsm("patch");
                assertThat(patch.shape()).containsExactly(2, 3);
                assertThat(patch.ndim()).isEqualTo(2);
                assertThat(patch.width()).isEqualTo(6);
                assertThat(patch.type()).isEqualTo(DataType.FLOAT32);
                assertThat(s.obsm("cube").shape()).containsExactly(2, 2, 2);
                assertThat(s.obsm("cube").type()).isEqualTo(g >= 5 && g < 9 ? DataType.INT32 : DataType.INT64);
                assertThat(s.obsm("pca").shape()).containsExactly(2);
                assertThat(s.obsm("pca").ndim()).isEqualTo(1);
                for (String k : List.of("patch", "cube", "pca")) {
                    MatrixRow sp = sparse.get(g).obsm(k);
                    MatrixRow de = dense.get(g).obsm(k);
                    assertThat(sp.isSparse()).isTrue();
                    assertThat(de.isSparse()).isFalse();
                    assertThat(sp.shape()).as("sparse %s of %d", k, g).isEqualTo(s.obsm(k).shape());
                    assertThat(de.shape()).as("dense %s of %d", k, g).isEqualTo(s.obsm(k).shape());
                    assertThat(sp.toDoubles()).isEqualTo(s.obsm(k).toDoubles());
                    assertThat(sp.toDense().shape()).isEqualTo(s.obsm(k).shape());
                    assertThat(de.toSparse().shape()).isEqualTo(s.obsm(k).shape());
                }

                Map<String, Object> m = s.asMap();
                float[][] nestedPatch = (float[][]) m.get("obsm_patch");
                float[] flat = (float[]) patch.dense();
                assertThat(nestedPatch).hasNumberOfRows(2);
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 3; j++) {
                        assertThat(nestedPatch[i][j]).isEqualTo(flat[i * 3 + j]);
                    }
                }
                Object cube = m.get("obsm_cube");
                assertThat(cube).isInstanceOfAny(long[][][].class, int[][][].class);
                assertThat(m.get("obsm_pca")).isInstanceOf(double[].class);
            }
        }
    }

    @Test
    void aDtypeCastsTheValuesAndKeepsTheShape() throws Exception {
        try (AnnDataCollection c = Fixtures.open(Fixtures.on(ZARR, ZARR3).obsmKeys("cube").dtype("float32"))) {
            MatrixRow cube = c.get(0).obsm("cube");
            assertThat(cube.type()).isEqualTo(DataType.FLOAT32);
            assertThat(cube.shape()).containsExactly(2, 2, 2);
            assertThat(c.get(0).asMap().get("obsm_cube")).isInstanceOf(float[][][].class);
        }
    }

    @Test
    void aFilteredCollectionCutsTheRightBlocks() throws Exception {
        try (AnnDataCollection all = Fixtures.open(Fixtures.on(H5AD, ZARR3).obsmKeys("patch").obsKeys("ct")
                .encodeLabels(false));
                AnnDataCollection filtered = Fixtures.open(Fixtures.on(H5AD, ZARR3).obsmKeys("patch").obsKeys("ct")
                        .encodeLabels(false).obsFilter(Map.of("ct", List.of("b"))))) {
            int seen = 0;
            for (long g = 0; g < all.size(); g++) {
                Sample s = all.get(g);
                if (!"b".equals(s.obs("ct"))) {
                    continue;
                }
                Sample f = filtered.get(seen++);
                assertThat(f.row()).isEqualTo(s.row());
                assertThat(f.obsm("patch").shape()).containsExactly(2, 3);
                assertThat(f.obsm("patch").toDoubles()).isEqualTo(s.obsm("patch").toDoubles());
            }
            assertThat(seen).isEqualTo(filtered.size()).isPositive();
        }
    }

    @Test
    void theShapeApiOfARow() {
        MatrixRow flat = MatrixRow.dense(DataType.INT32, new int[] {1, 0, 3, 4, 0, 6});
        assertThat(flat.shape()).containsExactly(6);
        assertThat(flat.ndim()).isEqualTo(1);
        assertThat(flat.nestedDense()).isSameAs(flat.dense());

        MatrixRow shaped = flat.withShape(new int[] {2, 3});
        assertThat(shaped.shape()).containsExactly(2, 3);
        assertThat(shaped.ndim()).isEqualTo(2);
        assertThat((int[][]) shaped.nestedDense()).isDeepEqualTo(new int[][] {{1, 0, 3}, {4, 0, 6}});
        assertThat(shaped.toString()).isEqualTo("int32[2, 3][1, 0, 3, 4, 0, 6]");
        MatrixRow sparse = shaped.toSparse();
        assertThat(sparse.isSparse()).isTrue();
        assertThat(sparse.shape()).containsExactly(2, 3);
        assertThat(sparse.indices()).containsExactly(0, 2, 3, 5);
        assertThat((int[][]) sparse.nestedDense()).isDeepEqualTo(new int[][] {{1, 0, 3}, {4, 0, 6}});
        assertThat(sparse.toDense().shape()).containsExactly(2, 3);
        assertThat(flat.withShape(new int[] {6}).ndim()).as("one dimension: a plain row").isEqualTo(1);
        assertThat(shaped.shape()).as("a copy").isNotSameAs(shaped.shape());

        MatrixRow cube = MatrixRow.sparse(DataType.FLOAT64, 8, new int[] {7}, new double[] {2.5})
                .withShape(new int[] {2, 2, 2});
        assertThat((double[][][]) cube.nestedDense())
                .isDeepEqualTo(new double[][][] {{{0, 0}, {0, 0}}, {{0, 0}, {0, 2.5}}});
        MatrixRow empty = MatrixRow.dense(DataType.FLOAT32, new float[0]).withShape(new int[] {0, 3});
        assertThat(((float[][]) empty.nestedDense()).length).isZero();
        assertThat(MatrixRow.nest(new byte[] {1, 2, 3, 4}, new int[] {2, 1, 2}))
                .isEqualTo(new byte[][][] {{{1, 2}}, {{3, 4}}});

        assertThatThrownBy(() -> flat.withShape(new int[] {4, 2})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row shape [4, 2] holds 8 values, but the row has 6");
        assertThatThrownBy(() -> flat.withShape(new int[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> flat.withShape(new int[] {-2, -3})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
    }
}
