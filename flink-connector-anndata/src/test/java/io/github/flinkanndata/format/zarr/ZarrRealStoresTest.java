package io.github.flinkanndata.format.zarr;

import static io.github.flinkanndata.format.zarr.ZarrTestStores.array;
import static io.github.flinkanndata.format.zarr.ZarrTestStores.open;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.StoreFormat;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.testutil.TestData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the real AnnData zarr stores of the real stores (anndata 0.7 to 0.12, v2 directories, v3,
 * v2 zips). Expected values were read with zarr-python 3.1.6 / anndata 0.12.19.
 */
class ZarrRealStoresTest {

    private static final String[] OBS_NAMES = {"CTG", "GCA", "ACG"};

    private static Path vitessce(String version, String store) {
        return TestData.realStore("vitessce/anndata-" + version + "/" + store);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.7", "0.8", "0.9", "0.10", "0.11", "0.12"})
    void readsVitessceDenseStores(String version) throws Exception {
        Path store = vitessce(version, "anndata-dense.zarr");
        try (ZarrContainer c = open(store)) {
            assertThat(c.format()).isEqualTo(StoreFormat.ZARR);
            assertThat(c.zarrFormat()).isEqualTo(version.equals("0.12") ? 3 : 2);
            GroupNode root = c.root();
            assertThat(root.children()).contains("X", "layers", "obs", "obsm", "var").isSorted();

            ArrayNode x = array(c, "X");
            assertThat(x.shape()).containsExactly(3, 15);
            assertThat(x.dataType()).isEqualTo(DataType.FLOAT32);
            float[] all = (float[]) x.readAll();
            for (int i = 0; i < all.length; i++) {
                assertThat(all[i]).as("X flat %d", i).isEqualTo(i % 15);
            }
            // a 2-D partial read: rows 1..2, columns 13..14
            assertThat((float[]) x.read(new long[] {1, 13}, new int[] {2, 2}))
                    .containsExactly(13f, 14f, 13f, 14f);

            ArrayNode umap = array(c, "obsm/X_umap");
            assertThat((int[]) umap.readAll()).containsExactly(-1, -1, 0, 0, 1, 1);
            assertThat((long[]) array(c, "layers/int64").read(new long[] {2, 0}, new int[] {1, 3}))
                    .containsExactly(0, 1, 2);

            String index = version.equals("0.11") ? "obs/_index/values" : "obs/_index";
            assertThat((String[]) array(c, index).readAll()).containsExactly(OBS_NAMES);
            String codes = version.equals("0.7") ? "obs/leiden" : "obs/leiden/codes";
            assertThat((byte[]) array(c, codes).readAll()).containsExactly(0, 0, 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.8", "0.9", "0.10", "0.11", "0.12"})
    void readsVitessceCsrStores(String version) throws Exception {
        try (ZarrContainer c = open(vitessce(version, "anndata-csr.adata.zarr"))) {
            Map<String, Object> attrs = c.node("X").attributes();
            assertThat(attrs)
                    .containsEntry("encoding-type", "csr_matrix")
                    .containsEntry("shape", List.of(3L, 15L));
            assertThat((int[]) array(c, "X/indptr").readAll()).containsExactly(0, 14, 28, 42);
            float[] data = (float[]) array(c, "X/data").read(new long[] {12}, new int[] {4});
            assertThat(data).containsExactly(13f, 14f, 1f, 2f);
            int[] indices = (int[]) array(c, "X/indices").readAll();
            assertThat(indices).hasSize(42).startsWith(1, 2, 3).endsWith(13, 14);
            String varIndex = version.equals("0.11") ? "var/_index/values" : "var/_index";
            assertThat((String[]) array(c, varIndex).read(new long[] {9}, new int[] {2}))
                    .containsExactly("gene_9", "gene_10");
        }
    }

    @Test
    void readsAnndata07DirectoryWithoutAttributes() throws Exception {
        try (ZarrContainer c = open(vitessce("0.7", "anndata-dense.zarr"))) {
            assertThat(c.root().attributes()).isEmpty(); // no .zattrs at the root
            assertThat(((GroupNode) c.node("obs")).children())
                    .containsExactly("__categories", "_index", "leiden");
            assertThat(c.node("obs/leiden").attributes())
                    .containsEntry("categories", "__categories/leiden");
            assertThat(c.node("obs/__categories/leiden").attributes())
                    .containsEntry("ordered", false);
            assertThat((String[]) array(c, "obs/__categories/leiden").readAll())
                    .containsExactly("1", "2");
            assertThat(c.node("var").attributes()).containsEntry("column-order", List.of());
            assertThat(c.node("nothing/here")).isNull();
        }
    }

    @Test
    void readsV3ConsolidatedStore() throws Exception {
        try (ZarrContainer c = open(vitessce("0.12", "anndata-csr.adata.zarr"))) {
            assertThat(c.root().children())
                    .containsExactly(
                            "X", "layers", "obs", "obsm", "obsp", "raw", "uns", "var", "varm",
                            "varp");
            assertThat(((GroupNode) c.node("obs/leiden")).children())
                    .containsExactly("categories", "codes");
            assertThat(c.node("obs/leiden").attributes()).containsEntry("ordered", false);
            // the anndata `null` encoding: a 0-d bool array without chunk
            ArrayNode raw = array(c, "raw");
            assertThat(raw.shape()).isEmpty();
            assertThat((boolean[]) raw.read(new long[0], new int[0])).containsExactly(false);
            assertThat((String[]) array(c, "obs/leiden/categories").readAll())
                    .containsExactly("1", "2");
        }
    }

    @Test
    void readsAnndata078ZipWithDeflateEntries() throws Exception {
        try (ZarrContainer c = open(TestData.realStore("anndata-archives/v0.7.8/adata.zarr.zip"))) {
            assertThat(c.root().children())
                    .containsExactly(
                            "X", "layers", "obs", "obsm", "obsp", "raw", "uns", "var", "varm",
                            "varp");
            assertThat(c.node("obs").attributes())
                    .containsEntry(
                            "column-order",
                            List.of("obs_cat", "cat_ordered", "int64", "float64", "uint8"));
            assertThat((int[]) array(c, "X/indptr").read(new long[] {0}, new int[] {12}))
                    .containsExactly(0, 10, 16, 26, 37, 47, 55, 63, 69, 78, 86, 92);
            assertThat((int[]) array(c, "X/indices").read(new long[] {0}, new int[] {12}))
                    .containsExactly(0, 2, 7, 8, 10, 11, 12, 13, 17, 18, 2, 5);
            assertThat((float[]) array(c, "X/data").read(new long[] {4}, new int[] {3}))
                    .containsExactly(1f, 4f, 1f);
            ArrayNode uint8 = array(c, "obs/uint8");
            assertThat(uint8.dataType()).isEqualTo(DataType.UINT8);
            assertThat((int[]) uint8.read(new long[] {0}, new int[] {4}))
                    .containsExactly(73, 59, 209, 142);
            assertThat((String[]) array(c, "obs/_index").read(new long[] {9}, new int[] {3}))
                    .containsExactly("cell9", "cell10", "cell11");
            assertThat(
                            (String[])
                                    array(c, "obs/__categories/obs_cat")
                                            .read(new long[] {0}, new int[] {3}))
                    .containsExactly("A", "B", "E");
            assertThat((long[]) array(c, "var/int64").read(new long[] {0}, new int[] {4}))
                    .containsExactly(19, -14, 23, -48);
            // 0-d scalars, the string one as fixed-width <U3
            assertThat((String[]) array(c, "uns/nested/scalar_str").readAll())
                    .containsExactly("str");
            assertThat((long[]) array(c, "uns/nested/scalar_int").readAll()).containsExactly(42);
            assertThat((double[]) array(c, "uns/nested/scalar_float").readAll())
                    .containsExactly(3.0);
        }
    }

    @Test
    void readsStructuredRecArray() throws Exception {
        try (ZarrContainer c = open(TestData.realStore("anndata-archives/v0.7.8/adata.zarr.zip"))) {
            ArrayNode rec = array(c, "uns/O_recarray");
            assertThat(rec.dataType()).isEqualTo(DataType.COMPOUND);
            assertThat(rec.fieldNames())
                    .containsExactly("TvrFQ", "QjNbK", "VvlAk", "eAyUY", "njodC");
            assertThat(rec.fieldType("QjNbK")).isEqualTo(DataType.STRING);
            assertThat(rec.fieldShape("QjNbK")).isEmpty();
            assertThat((String[]) rec.readField("TvrFQ", 0, 20))
                    .containsExactly(
                            "bdc", "PPts", "iQz", "gYN", "ezFy", "UoRJ", "OmuH", "zwXt", "cWpv",
                            "ZDy", "PzX", "ega", "cuN", "TqX", "tAyY", "Cxrp", "QQx", "YMyh",
                            "ORjw", "Ouzp");
            assertThat((String[]) rec.readField("njodC", 1, 3))
                    .containsExactly("krIg", "IWvK", "ibzB");
            assertThat((Object[]) rec.read(new long[] {0}, new int[] {2})).hasSize(2);
        }
    }

    @Test
    void zipDuplicateEntriesLastOneWins() throws Exception {
        try (ZarrContainer c = open(TestData.realStore("anndata-archives/v0.11.4/adata.zarr.zip"))) {
            // the first root .zattrs lacks encoding-version; the last one has it
            assertThat(c.root().attributes())
                    .containsEntry("encoding-type", "anndata")
                    .containsEntry("encoding-version", "0.1.0");
            assertThat(c.node("obs").attributes())
                    .containsEntry("encoding-type", "dataframe")
                    .containsEntry("encoding-version", "0.2.0")
                    .containsEntry("column-order", List.of());
            assertThat(c.root().children())
                    .containsExactly("layers", "obs", "obsm", "obsp", "uns", "var", "varm", "varp");
            assertThat((String[]) array(c, "obs/_index").readAll())
                    .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        }
    }
}
