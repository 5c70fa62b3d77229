package io.github.flinkanndata.format.h5ad;

import static io.github.flinkanndata.format.h5ad.H5Fixtures.array;
import static io.github.flinkanndata.format.h5ad.H5Fixtures.openReal;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.StoreFormat;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.NodeRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Values read from the real stores, against what h5py 3.16 reads (the expected values below
 * were printed by h5py, never by this code). Slices deliberately cross chunk boundaries.
 */
class H5adRealStoresTest {

    @Test
    void anndataRCsrSlicesAcrossChunkBoundaries() throws Exception {
        try (H5adContainer c = openReal("anndataR/example.h5ad")) {
            assertThat(c.format()).isEqualTo(StoreFormat.H5AD);
            assertThat(c.root().attributes()).containsEntry("encoding-type", "anndata");
            assertThat(c.node("X").attributes()).containsEntry("shape", List.of(50L, 100L));
            // X/data is chunked by 2159: [2155, 2163) spans chunks 0 and 1
            ArrayNode data = array(c, "X/data");
            assertThat(data.dataType()).isEqualTo(DataType.FLOAT32);
            assertThat((float[]) data.read(new long[] {2155}, new int[] {8}))
                    .containsExactly(
                            1.0149012804031372f,
                            1.2916090488433838f,
                            1.2916090488433838f,
                            1.2916090488433838f,
                            0.6310300230979919f,
                            1.50810968875885f,
                            1.0149012804031372f,
                            1.50810968875885f);
            assertThat((int[]) array(c, "X/indices").read(new long[] {2155}, new int[] {8}))
                    .containsExactly(90, 91, 92, 93, 94, 96, 97, 98);
            int[] indptr = (int[]) array(c, "X/indptr").read(new long[] {23}, new int[] {4});
            assertThat(indptr).containsExactly(1992, 2077, 2163, 2246);
            // row 24 as a CSR range read
            float[] row =
                    (float[]) data.read(new long[] {indptr[1]}, new int[] {indptr[2] - indptr[1]});
            double sum = 0;
            for (float v : row) {
                sum += v;
            }
            assertThat(row).hasSize(86);
            assertThat(sum).isCloseTo(96.5937756896019, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(row[85]).isEqualTo(1.50810968875885f);
        }
    }

    @Test
    void anndataRDenseBlocksAcrossChunks() throws Exception {
        try (H5adContainer c = openReal("anndataR/example.h5ad")) {
            // (50, 100) in (25, 100) chunks
            assertThat(
                            (float[])
                                    array(c, "layers/dense_X")
                                            .read(new long[] {23, 98}, new int[] {4, 2}))
                    .containsExactly(
                            1.023809552192688f,
                            0f,
                            3.5181820392608643f,
                            0f,
                            0f,
                            0f,
                            2.126373767852783f,
                            3.189560651779175f);
            // (50, 100) in (25, 50) chunks: four chunks
            assertThat(
                            (long[])
                                    array(c, "layers/dense_counts")
                                            .read(new long[] {24, 48}, new int[] {2, 4}))
                    .containsExactly(3, 2, 3, 3, 1, 2, 1, 3);
            // (100, 38) in (50, 19) chunks
            assertThat((double[]) array(c, "varm/PCs").read(new long[] {0, 17}, new int[] {2, 4}))
                    .containsExactly(
                            0.1250552535057068,
                            0.009769446216523647,
                            -0.259996622800827,
                            0.13695473968982697,
                            -0.23333123326301575,
                            -0.08251181244850159,
                            -0.020315760746598244,
                            0.08800609409809113);
            assertThat(
                            (double[])
                                    array(c, "varp/test_varp")
                                            .read(new long[] {24, 49}, new int[] {2, 2}))
                    .containsExactly(
                            0.16614986631382023,
                            0.5807319053697084,
                            0.2664947818494936,
                            0.7201450678192411);
        }
    }

    @Test
    void anndataRColumnsStringsAndBooleans() throws Exception {
        try (H5adContainer c = openReal("anndataR/example.h5ad")) {
            assertThat(c.node("obs/leiden").attributes())
                    .containsEntry("ordered", false)
                    .containsEntry("encoding-type", "categorical");
            assertThat((byte[]) array(c, "obs/leiden/codes").read(new long[] {0}, new int[] {10}))
                    .containsExactly(0, 2, 2, 1, 1, 1, 5, 0, 0, 5);
            assertThat((String[]) array(c, "obs/leiden/categories").readAll())
                    .containsExactly("0", "1", "2", "3", "4", "5");
            assertThat((String[]) array(c, "obs/_index").read(new long[] {0}, new int[] {3}))
                    .containsExactly("Cell000", "Cell001", "Cell002");
            ArrayNode s2d = array(c, "uns/String2D");
            assertThat(s2d.shape()).containsExactly(5, 10);
            assertThat((String[]) s2d.read(new long[] {1, 8}, new int[] {2, 2}))
                    .containsExactly("row8col1", "row9col1", "row8col2", "row9col2");
            ArrayNode bools = array(c, "obs/Bool/values");
            assertThat(bools.dataType()).isEqualTo(DataType.BOOL);
            assertThat((boolean[]) bools.read(new long[] {0}, new int[] {8}))
                    .containsExactly(false, true, true, true, true, true, true, true);
            assertThat((boolean[]) array(c, "obs/BoolNA/mask").read(new long[] {0}, new int[] {8}))
                    .containsExactly(false, true, false, false, false, false, false, false);
            assertThat((long[]) array(c, "obs/IntNA/values").read(new long[] {0}, new int[] {6}))
                    .containsExactly(0, 42, 42, 42, 42, 42);
            boolean[] hv = (boolean[]) array(c, "var/highly_variable").readAll();
            assertThat(trueIndices(hv))
                    .containsExactly(
                            0, 1, 2, 3, 4, 6, 11, 15, 16, 18, 19, 23, 25, 26, 27, 29, 30, 31, 32,
                            35, 40, 43, 46, 47, 52, 53, 54, 58, 61, 66, 73, 75, 76, 81, 83, 84, 88,
                            90, 99);
            ArrayNode scalar = array(c, "uns/IntScalar");
            assertThat(scalar.shape()).isEmpty();
            assertThat((long[]) scalar.read(new long[0], new int[0])).containsExactly(1);
            assertThat((String[]) array(c, "uns/StringScalar").readAll())
                    .containsExactly("A string");
            assertThat((boolean[]) array(c, "uns/pca/params/zero_center").readAll())
                    .containsExactly(true);
            ArrayNode names = array(c, "uns/rank_genes_groups/names");
            assertThat(names.dataType()).isEqualTo(DataType.COMPOUND);
            assertThat(names.fieldNames()).containsExactly("0", "1", "2", "3", "4", "5");
            assertThat((String[]) names.readField("0", 0, 3))
                    .containsExactly("Gene006", "Gene082", "Gene084");
            assertThat((float[]) array(c, "uns/rank_genes_groups/scores").readField("5", 98, 2))
                    .containsExactly(-4.366482257843018f, -4.861161231994629f);
        }
    }

    @Test
    void anndata07ObjectReferencesResolveToRealPaths() throws Exception {
        try (H5adContainer c = openReal("anndata-archives/v0.7.0/adata.h5ad")) {
            Map<String, Object> attrs = c.node("obs/obs_cat").attributes();
            assertThat(attrs.get("categories")).isEqualTo(new NodeRef("obs/__categories/obs_cat"));
            NodeRef ref = (NodeRef) attrs.get("categories");
            assertThat((String[]) array(c, ref.path()).read(new long[] {0}, new int[] {5}))
                    .containsExactly("B", "D", "E", "G", "H");
            assertThat(c.node(ref.path()).attributes()).containsEntry("ordered", false);
            assertThat(c.node("obs/__categories/cat_ordered").attributes())
                    .containsEntry("ordered", true);
            assertThat((byte[]) array(c, "obs/obs_cat").read(new long[] {0}, new int[] {6}))
                    .containsExactly(8, 10, 2, 21, 14, 11);
            ArrayNode u8 = array(c, "obs/uint8");
            assertThat(u8.dataType()).isEqualTo(DataType.UINT8);
            assertThat((int[]) u8.read(new long[] {0}, new int[] {5}))
                    .containsExactly(226, 69, 251, 229, 118);
            assertThat(c.node("obs").attributes())
                    .containsEntry(
                            "column-order",
                            List.of("obs_cat", "cat_ordered", "int64", "float64", "uint8"));
            // (40, 50) in (20, 50) chunks
            assertThat(
                            (double[])
                                    array(c, "raw/varm/array")
                                            .read(new long[] {19, 48}, new int[] {2, 2}))
                    .containsExactly(
                            0.2874469976786136,
                            0.8691215879257431,
                            0.2638013940307372,
                            0.7555019869222868);
        }
    }

    @Test
    void anndata078NestedScalarsAndRecArray() throws Exception {
        try (H5adContainer c = openReal("anndata-archives/v0.7.8/adata.h5ad")) {
            assertThat((String[]) array(c, "uns/nested/scalar_str").readAll())
                    .containsExactly("str");
            assertThat((long[]) array(c, "uns/nested/scalar_int").readAll()).containsExactly(42);
            ArrayNode rec = array(c, "uns/O_recarray");
            assertThat(rec.fieldNames())
                    .containsExactly("TvrFQ", "QjNbK", "VvlAk", "eAyUY", "njodC");
            assertThat((String[]) rec.readField("TvrFQ", 0, 3))
                    .containsExactly("bdc", "PPts", "iQz");
        }
    }

    @Test
    void anndata011EmptyDataframes() throws Exception {
        try (H5adContainer c = openReal("anndata-archives/v0.11.4/adata.h5ad")) {
            assertThat(c.root().children())
                    .containsExactly("layers", "obs", "obsm", "obsp", "uns", "var", "varm", "varp");
            assertThat(c.node("X")).isNull();
            assertThat(c.node("obs").attributes())
                    .containsEntry("column-order", List.of())
                    .containsEntry("_index", "_index");
            assertThat((String[]) array(c, "var/_index").read(new long[] {18}, new int[] {2}))
                    .containsExactly("18", "19");
        }
    }

    @Test
    void legacyCompoundObsAndObsm() throws Exception {
        try (H5adContainer c = openReal("anndata-archives/v0.5.0/adata.h5ad")) {
            ArrayNode obs = array(c, "obs");
            assertThat(obs.dataType()).isEqualTo(DataType.COMPOUND);
            assertThat(obs.fieldNames())
                    .containsExactly(
                            "index",
                            "bulk_labels",
                            "n_genes",
                            "percent_mito",
                            "n_counts",
                            "S_score",
                            "G2M_score",
                            "phase",
                            "louvain");
            assertThat(obs.fieldType("index")).isEqualTo(DataType.STRING);
            assertThat((String[]) obs.readField("index", 0, 3))
                    .containsExactly("AAAGCCTGGCTAAC-1", "AAATTCGATGCACA-1", "AACACGTGGTCTTT-1");
            // obs is chunked by 175 records
            assertThat((long[]) obs.readField("n_genes", 173, 4))
                    .containsExactly(1528, 1168, 1152, 1361);
            assertThat((byte[]) obs.readField("bulk_labels", 0, 5)).containsExactly(5, 9, 8, 0, 9);
            assertThat((float[]) obs.readField("percent_mito", 699, 1))
                    .containsExactly(0.010885805822908878f);
            ArrayNode obsm = array(c, "obsm");
            assertThat(obsm.fieldShape("X_pca")).containsExactly(50);
            assertThat(obsm.fieldType("X_pca")).isEqualTo(DataType.FLOAT32);
            assertThat(obsm.fieldShape("X_umap")).containsExactly(2);
            // obsm is chunked by 44 records: rows 43 and 44 sit in different chunks
            float[] pca = (float[]) obsm.readField("X_pca", 43, 2);
            assertThat(pca).hasSize(100);
            assertThat(new float[] {pca[48], pca[49], pca[50], pca[51]})
                    .containsExactly(
                            -1.3156908750534058f,
                            -0.6433107852935791f,
                            -3.990147590637207f,
                            -3.072462320327759f);
            assertThat((float[]) obsm.readField("X_pca", 0, 1))
                    .startsWith(
                            -7.939618110656738f,
                            5.024913787841797f,
                            2.903730630874634f,
                            0.6902481913566589f);
            assertThat((double[]) obsm.readField("X_umap", 699, 1))
                    .containsExactly(5.906493656811345, -3.576067016954922);
            ArrayNode var = array(c, "var");
            assertThat((boolean[]) var.readField("highly_variable", 0, 6))
                    .containsExactly(true, true, false, false, true, true);
            assertThat(
                            (String[])
                                    array(c, "uns/bulk_labels_categories")
                                            .read(new long[] {0}, new int[] {2}))
                    .containsExactly("CD4+/CD25 T Reg", "CD4+/CD45RA+/CD25- Naive T");
            assertThat(c.node("raw.X").attributes())
                    .containsEntry("h5sparse_format", "csr")
                    .containsEntry("h5sparse_shape", List.of(700L, 765L));
            // X (700, 765) in (44, 96) chunks
            assertThat((float[]) array(c, "X").read(new long[] {43, 95}, new int[] {3, 3}))
                    .containsExactly(
                            0.9559999704360962f,
                            -0.40700000524520874f,
                            -0.7549999952316284f,
                            -0.5120000243186951f,
                            -0.40700000524520874f,
                            0.09300000220537186f,
                            -0.5120000243186951f,
                            0.9679999947547913f,
                            -0.7549999952316284f);
            assertThat((float[]) array(c, "raw.X/data").read(new long[] {2723}, new int[] {4}))
                    .containsExactly(
                            1.3320000171661377f,
                            1.3320000171661377f,
                            1.3320000171661377f,
                            2.236999988555908f);
            float[] x = (float[]) array(c, "X").readAll();
            double sum = 0;
            for (float v : x) {
                sum += v;
            }
            assertThat(sum).isCloseTo(-243.681057988666, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void groupChildrenAreSortedByCodePoint() throws Exception {
        try (H5adContainer c = openReal("anndataR/example.h5ad")) {
            List<String> obs = ((GroupNode) c.node("obs")).children();
            assertThat(obs).isSorted().contains("Bool", "_index", "leiden");
            assertThat(obs.indexOf("Float")).isLessThan(obs.indexOf("_index"));
            assertThat(c.node("/obs/leiden/")).isSameAs(c.node("obs/leiden"));
            assertThat(c.node("obs/nope")).isNull();
            assertThat(c.node("obs/_index/deeper")).isNull();
        }
    }

    private static int[] trueIndices(boolean[] v) {
        return java.util.stream.IntStream.range(0, v.length).filter(i -> v[i]).toArray();
    }
}
