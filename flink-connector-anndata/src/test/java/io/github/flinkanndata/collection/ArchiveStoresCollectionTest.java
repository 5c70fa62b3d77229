package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.M;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.testutil.TestData;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Collections over the older and odder real stores of the real stores: anndata 0.5 (compound
 * obs, categories in uns), 0.7 (h5ad and zipped zarr) and anndataR's example. Expected values
 * were read with lamindb's {@code MappedCollection}; lamindb cannot open pre-0.7 stores, so for
 * those they were read with anndata 0.12.19 itself and the collection rules applied by hand.
 */
class ArchiveStoresCollectionTest {

    private static CollectionOptionsBuilder on(String relative) {
        return CollectionOptions.builder(TestData.realStore(relative).toString());
    }

    private static double[] head(MatrixRow row, int n) {
        return Arrays.copyOf(row.toDoubles(), n);
    }

    @Test
    void anndata05CompoundObsWithAFilter() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(on("anndata-archives/v0.5.0/adata.h5ad")
                .obsKeys("bulk_labels", "n_genes").encodeLabels(List.of("bulk_labels")).obsmKeys("X_umap")
                .obsFilter("bulk_labels", "CD14+ Monocyte", "Dendritic").build())) {
            assertThat(c.size()).isEqualTo(369);
            long[] kept = c.indicesList().get(0);
            assertThat(Arrays.copyOf(kept, 12)).containsExactly(0, 1, 4, 6, 7, 9, 14, 16, 19, 20, 21, 22);
            assertThat(Arrays.copyOfRange(kept, 366, 369)).containsExactly(695, 696, 699);
            assertThat(c.encoders().get("bulk_labels").labels()).containsExactly("CD14+ Monocyte", "CD19+ B", "CD34+",
                    "CD4+/CD25 T Reg", "CD4+/CD45RA+/CD25- Naive T", "CD4+/CD45RO+ Memory", "CD56+ NK",
                    "CD8+ Cytotoxic T", "CD8+/CD45RA+ Naive Cytotoxic", "Dendritic");
            Sample s0 = c.get(0);
            assertThat(s0.obs("bulk_labels")).isEqualTo(0);
            assertThat(s0.obs("n_genes")).isEqualTo(1003L);
            assertThat(s0.layer("X").type()).isEqualTo(DataType.FLOAT32);
            assertThat(head(s0.layer("X"), 4)).containsExactly((float) -0.326, (float) -0.191, (float) -0.728, (float) -0.301);
            assertThat(Arrays.stream(s0.layer("X").toDoubles()).sum()).isCloseTo(3.989999508485198, within(1e-9));
            assertThat(s0.obsm("X_umap").toDoubles()).containsExactly(-1.9918625454649166, 8.57641706171008);
            assertThat(c.get(5).obs("n_genes")).isEqualTo(1063L);
            Sample last = c.get(-1);
            assertThat(last.row()).isEqualTo(699);
            assertThat(last.obs("bulk_labels")).isEqualTo(9);
            assertThat(last.obs("n_genes")).isEqualTo(1552L);
            assertThat(last.obsm("X_umap").toDoubles()).containsExactly(5.906493656811345, -3.576067016954922);
            assertThat(c.labelWeightsByClass(List.of("bulk_labels"), null))
                    .containsOnly(Map.entry("CD14+ Monocyte", 1.0 / 129), Map.entry("Dendritic", 1.0 / 240));
        }
    }

    @Test
    void batchReadsAcrossFilterGapsEqualSingleReads() throws Exception {
        // rare labels leave gaps of more than SampleDecoder.MAX_GAP rows between kept rows
        try (AnnDataCollection c = AnnDataCollection.open(on("anndata-archives/v0.5.0/adata.h5ad")
                .obsKeys("bulk_labels").obsmKeys("X_umap").obsFilter("bulk_labels", "CD34+", "CD4+/CD45RA+/CD25- Naive T").build())) {
            long[] kept = c.indicesList().get(0);
            boolean bigGap = false;
            for (int i = 1; i < kept.length; i++) {
                bigGap |= kept[i] - kept[i - 1] > SampleDecoder.MAX_GAP;
            }
            assertThat(bigGap).as("the filter leaves a gap wider than one range read").isTrue();
            List<Sample> batch = c.getRange(0, c.size());
            for (int g = 0; g < c.size(); g++) {
                Sample one = c.get(g);
                assertThat(batch.get(g).row()).isEqualTo(kept[g]);
                assertThat(batch.get(g).layer("X").toDoubles()).isEqualTo(one.layer("X").toDoubles());
                assertThat(batch.get(g).obsm("X_umap").toDoubles()).isEqualTo(one.obsm("X_umap").toDoubles());
                assertThat(batch.get(g).obs("bulk_labels")).isEqualTo(one.obs("bulk_labels"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"anndata-archives/v0.7.0/adata.h5ad", "anndata-archives/v0.7.0/adata.zarr.zip"})
    void anndata07LayersObsmAndCategories(String store) throws Exception {
        // lamindb read the h5ad; it cannot read a zipped zarr store (D11), which holds the same data
        try (AnnDataCollection c = AnnDataCollection.open(on(store)
                .obsKeys("obs_cat", "cat_ordered", "int64", "uint8").obsmKeys("array", "sparse")
                .layersKeys("X", "array", "sparse").build())) {
            assertThat(c.shape()).isEqualTo(new Shape(30, 20L));
            assertThat(c.encoders().get("obs_cat").labels()).containsExactly("B", "D", "E", "G", "H", "I", "M", "O",
                    "S", "T", "W", "f", "g", "h", "i", "k", "l", "p", "s", "u", "y", "z");
            assertThat(c.encoders().get("int64").size()).isEqualTo(29);
            assertThat(c.encoders().get("uint8").code(254L)).isEqualTo(28);
            int[][] obs = {{8, 21, 7, 22}, {10, 4, 7, 10}, {9, 5, 20, 28}};
            int[] rows = {0, 1, 29};
            double[][] x = {{0, 0, 0, 0, 0, 0}, {1, 0, 0, 1, 0, 1}, {2, 0, 1, 0, 0, 0}};
            double[][] array = {
                {0.7223689307492914, 0.8371359049925561, 0.9153131564628493, 0.24619846502166298, 0.7057734157996869,
                    0.5523488359344875},
                {0.35643533031393315, 0.21947783228435558, 0.8081059456514071, 0.8785074821856975, 0.652511426562268,
                    0.9554372888840553},
                {0.8612950449394491, 0.9733706271132284, 0.7138949478615874, 0.39004449994358326, 0.5525871894137067,
                    0.6891260106385835}};
            double[][] obsmArray = {
                {0.4879890005206524, 0.7981881224814705, 0.24948707670144743, 0.8632551009207713, 0.7479234498551528,
                    0.6494006700095746},
                {0.71388491013418, 0.812531390600168, 0.10726730553127084, 0.43548233336173425, 0.4520307219872608,
                    0.5942009631553858},
                {0.5634730613834943, 0.7975809620599368, 0.6141561928062081, 0.6063082492484116, 0.18578577290856857,
                    0.6277235659597065}};
            for (int i = 0; i < rows.length; i++) {
                Sample s = c.get(rows[i]);
                assertThat(s.keys()).containsExactly("_store_idx", "X", "array", "sparse", "obsm_array", "obsm_sparse",
                        "obs_cat", "cat_ordered", "int64", "uint8");
                assertThat(List.of(s.obs("obs_cat"), s.obs("cat_ordered"), s.obs("int64"), s.obs("uint8")))
                        .containsExactly(obs[i][0], obs[i][1], obs[i][2], obs[i][3]);
                assertThat(s.layer("X").type()).isEqualTo(DataType.FLOAT32);
                assertThat(head(s.layer("X"), 6)).containsExactly(x[i]);
                assertThat(head(s.layer("array"), 6)).containsExactly(array[i]);
                assertThat(head(s.layer("sparse"), 6)).containsExactly(0, 0, 0, 0, 0, 0);
                assertThat(head(s.obsm("array"), 6)).containsExactly(obsmArray[i]);
                assertThat(s.obsm("sparse").type()).isEqualTo(DataType.FLOAT64);
            }
        }
    }

    @Test
    void dataframeObsmIsRejectedAtConstruction() {
        // lamindb fails only when a sample is read ("object 'data' doesn't exist")
        assertThatThrownBy(() -> AnnDataCollection.open(on("anndata-archives/v0.7.0/adata.h5ad").obsmKeys("df").build()))
                .isInstanceOf(CollectionException.class).hasMessageContaining("obsm/df").hasMessageContaining("dataframe");
    }

    @Test
    void anndataRExample() throws Exception {
        String store = "anndataR/example.h5ad";
        assertThatThrownBy(() -> AnnDataCollection.open(on(store).layersKeys("csc_counts").build()))
                .isInstanceOf(CollectionException.class).hasMessageContaining("layers/csc_counts")
                .hasMessageContaining("CSC");
        try (AnnDataCollection c = AnnDataCollection.open(on(store).obsKeys("Int", "IntNA", "Bool", "BoolNA", "FloatNA")
                .encodeLabels(false).layersKeys("X", "counts", "dense_counts").build())) {
            Object[][] obs = {{0L, M, false, false, M}, {1L, 42L, true, M, 42.42}, {2L, 42L, true, true, 42.42}};
            double[][] x = {
                {1.3469265699386597, 1.063696026802063, 1.747920274734497, 0.6670749187469482, 0, 0},
                {0.689293622970581, 0, 0, 0.689293622970581, 0.689293622970581, 0},
                {1.1073005199432373, 0.6996703743934631, 1.1073005199432373, 0.6996703743934631, 1.1073005199432373,
                    0.6996703743934631}};
            double[][] counts = {{3, 2, 5, 1, 0, 0}, {1, 0, 0, 1, 1, 0}, {2, 1, 2, 1, 2, 1}};
            for (int g = 0; g < 3; g++) {
                Sample s = c.get(g);
                assertThat(List.of(s.obs("Int"), s.obs("IntNA"), s.obs("Bool"), s.obs("BoolNA"), s.obs("FloatNA")))
                        .containsExactly(obs[g]);
                assertThat(head(s.layer("X"), 6)).containsExactly(x[g]);
                assertThat(head(s.layer("counts"), 6)).containsExactly(counts[g]);
                assertThat(s.layer("counts").type()).isEqualTo(DataType.FLOAT32);
                assertThat(head(s.layer("dense_counts"), 6)).containsExactly(counts[g]);
                assertThat(s.layer("dense_counts").type()).isEqualTo(DataType.INT64);
            }
            Map<String, Double> byClass = c.labelWeightsByClass(List.of("Int", "Bool"), null);
            assertThat(byClass).hasSize(50);
            assertThat(byClass.keySet()).startsWith("0__False", "1__True", "2__True");
            assertThat(byClass.values()).containsOnly(1.0);
        }
    }
}
