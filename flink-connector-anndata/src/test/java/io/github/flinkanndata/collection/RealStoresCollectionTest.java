package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.assertRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Collections over the real stores of the real stores: the same 3 x 15 AnnData written by six
 * anndata versions (0.7 to 0.12, zarr v2 and v3) as dense and CSR X. Expected values were read
 * with lamindb's {@code MappedCollection} (lamindb 2.12.1, anndata 0.12.19), except where noted.
 */
class RealStoresCollectionTest {
    private static final String[] VERSIONS = {"0.7", "0.8", "0.9", "0.10", "0.11", "0.12"};
    private static final double[] GENES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};

    /** Every dense and CSR vitessce store, in version order (13 stores). */
    static List<String> denseAndCsr() {
        List<String> out = new ArrayList<>();
        for (String v : VERSIONS) {
            List<String> names = new ArrayList<>(List.of("anndata-csr.adata.zarr", "anndata-csr.zarr", "anndata-dense.zarr"));
            for (String n : names) {
                java.nio.file.Path p = TestData.realStore("vitessce/anndata-" + v + "/" + n);
                if (java.nio.file.Files.isDirectory(p)) {
                    out.add(p.toString());
                }
            }
        }
        assertThat(out).hasSize(13);
        return out;
    }

    private static List<String> genes() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            out.add("gene_" + i);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Join.class)
    void allVersionsTogether(Join join) throws Exception {
        List<String> paths = denseAndCsr();
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).join(join)
                .layersKeys("X", "float32", "int32", "int64").obsmKeys("X_umap").obsKeys("leiden").build())) {
            assertThat(c.size()).isEqualTo(39);
            assertThat(c.shape()).isEqualTo(new Shape(39, join == Join.NONE ? null : 15L));
            // lamindb keeps inner/outer here: pandas finds the nullable-string var index of the
            // 0.11 stores unequal to the others. The names are equal, so our rule short-circuits.
            assertThat(c.effectiveJoin()).isEqualTo(Join.NONE);
            assertThat(c.varJoint()).isEqualTo(join == Join.NONE ? null : genes());
            assertThat(c.checkVarsSorted(true)).isFalse();
            assertThat(c.checkVarsSorted(false)).isFalse();
            assertThat(c.checkVarsNonAligned(genes())).isEmpty();
            assertThat(c.encoders().get("leiden").asMap()).containsExactly(java.util.Map.entry("1", 0), java.util.Map.entry("2", 1));
            assertThat(c.mergedCategories("leiden")).containsExactly("1", "2");
            List<Sample> all = c.getRange(0, c.size());
            for (int g = 0; g < 39; g++) {
                Sample s = all.get(g);
                assertThat(s.storeIndex()).isEqualTo(g / 3);
                assertThat(s.keys()).containsExactly("_store_idx", "X", "float32", "int32", "int64", "obsm_X_umap", "leiden");
                assertRow(s.layer("X"), DataType.FLOAT32, GENES);
                assertRow(s.layer("float32"), DataType.FLOAT32, GENES);
                assertRow(s.layer("int32"), DataType.INT32, GENES);
                assertRow(s.layer("int64"), DataType.INT64, GENES);
                int r = g % 3;
                assertRow(s.obsm("X_umap"), DataType.INT32, r - 1, r - 1);
                assertThat(s.obs("leiden")).isEqualTo(r == 2 ? 1 : 0);
            }
            // our rule (§9): '1' twice and '2' once per store; lamindb fails on zarr-python 3 strings
            double[] w = c.labelWeights(List.of("leiden"), null);
            for (int g = 0; g < 39; g++) {
                assertThat(w[g]).isEqualTo(g % 3 == 2 ? 1.0 / 13 : 1.0 / 26);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vitessce/anndata-0.7/anndata-csr.zarr", "vitessce/anndata-0.12/anndata-dense.zarr"})
    void realUnionWithAnotherStore(String store) throws Exception {
        List<String> paths = List.of(TestData.realStore(store).toString(), Fixtures.store(Fixtures.B).toString());
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).join(Join.OUTER)
                .layersKeys("X", "int32").build())) {
            assertThat(c.shape()).isEqualTo(new Shape(5, 18L));
            assertThat(c.varJoint()).containsExactly("g1", "g3", "gX", "gene_0", "gene_1", "gene_10", "gene_11",
                    "gene_12", "gene_13", "gene_14", "gene_2", "gene_3", "gene_4", "gene_5", "gene_6", "gene_7",
                    "gene_8", "gene_9");
            assertThat(c.varIndices()).containsExactly(new int[] {3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 5, 6, 7, 8, 9},
                    new int[] {0, 2, 1});
            double[] row0 = {0, 0, 0, 0, 1, 10, 11, 12, 13, 14, 2, 3, 4, 5, 6, 7, 8, 9};
            assertRow(c.get(0).layer("X"), DataType.FLOAT32, row0);
            assertRow(c.get(0).layer("int32"), DataType.INT32, row0);
            double[] row3 = new double[18];
            row3[0] = 0.7;
            row3[1] = 2.2;
            assertRow(c.get(3).layer("X"), DataType.FLOAT64, row3);
            assertThat(c.get(3).keys()).containsExactly("_store_idx", "X");
            assertRow(c.get(4).layer("X"), DataType.FLOAT64, new double[18]);
        }
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).join(Join.OUTER)
                .dtype(OutputType.FLOAT64).build())) {
            assertRow(c.get(0).layer("X"), DataType.FLOAT64, 0, 0, 0, 0, 1, 10, 11, 12, 13, 14, 2, 3, 4, 5, 6, 7, 8, 9);
        }
    }

    @Test
    void cscXIsRejectedNamingTheElement() throws Exception {
        for (String v : VERSIONS) {
            String csc = TestData.realStore("vitessce/anndata-" + v + "/anndata-csc.zarr").toString();
            List<String> paths = new ArrayList<>(denseAndCsr().subList(0, 2));
            paths.add(csc);
            assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder(paths).build()))
                    .isInstanceOf(CollectionException.class)
                    .hasMessageContaining(csc).hasMessageContaining("element 'X'").hasMessageContaining("CSC");
        }
    }

    @Test
    void sparseOutputDensifiesToTheDenseRows() throws Exception {
        List<String> paths = new ArrayList<>(denseAndCsr());
        paths.add(Fixtures.store(Fixtures.B).toString());
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(paths).join(Join.OUTER).build())) {
            List<Sample> dense = c.getRange(0, c.size());
            List<Sample> sparse = c.getRange(0, c.size(), true);
            for (int g = 0; g < dense.size(); g++) {
                MatrixRow s = sparse.get(g).layer("X");
                assertThat(s.isSparse()).isTrue();
                assertThat(s.toDoubles()).isEqualTo(dense.get(g).layer("X").toDoubles());
                int[] idx = s.indices();
                for (int k = 1; k < idx.length; k++) {
                    assertThat(idx[k]).isGreaterThan(idx[k - 1]);
                }
            }
        }
    }
}
