package io.github.flinkanndata.format.zarr;

import static io.github.flinkanndata.format.zarr.ZarrTestStores.array;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.GroupNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The zarr v2 codec and data type matrix of {@code v2_codecs.zarr} (make_test_stores.py). Expected
 * values are numpy's, printed by the script.
 */
class ZarrV2CodecsTest {

    /** np.arange(35, dtype="<i4").reshape(7, 5) * 37 - 600, chunks (3, 2). */
    static final int[] BASE_I4 = {
        -600, -563, -526, -489, -452, -415, -378, -341, -304, -267, -230, -193, -156, -119, -82,
        -45, -8, 29, 66, 103, 140, 177, 214, 251, 288, 325, 362, 399, 436, 473, 510, 547, 584, 621,
        658
    };

    /** np.linspace(-3, 5, 23) with [4] = nan and [7] = inf, chunks (5,). */
    static final double[] F8 = {
        -3.0,
        -2.6363636363636362,
        -2.2727272727272725,
        -1.9090909090909092,
        Double.NaN,
        -1.1818181818181817,
        -0.8181818181818183,
        Double.POSITIVE_INFINITY,
        -0.09090909090909083,
        0.27272727272727293,
        0.6363636363636367,
        1.0,
        1.3636363636363633,
        1.7272727272727275,
        2.090909090909091,
        2.454545454545455,
        2.8181818181818183,
        3.1818181818181817,
        3.545454545454546,
        3.909090909090909,
        4.272727272727273,
        4.636363636363637,
        5.0
    };

    static final String[] VLEN = {
        "a", "", "gene_\u00b5", "\u65e5\u672c", "x".repeat(40), "z", "\uD83D\uDE00"
    };

    private static ZarrContainer c;

    @BeforeAll
    static void open() throws Exception {
        c = ZarrTestStores.open(ZarrTestStores.resource("v2_codecs.zarr"));
    }

    @AfterAll
    static void close() throws Exception {
        c.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lz4", "lz4hc", "zstd", "zlib", "blosclz"})
    void bloscWithEveryShuffle(String cname) throws Exception {
        for (int shuffle = 0; shuffle <= 2; shuffle++) {
            ArrayNode a = array(c, "blosc_" + cname + "_" + shuffle);
            assertThat((int[]) a.readAll()).as("shuffle %d", shuffle).containsExactly(BASE_I4);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "zlib", "lz4", "bz2", "none"})
    void otherCompressors(String name) throws Exception {
        ArrayNode a = array(c, name);
        assertThat(a.dataType()).isEqualTo(DataType.FLOAT64);
        assertThat((double[]) a.readAll()).containsExactly(F8);
        // across the edge chunk (stored full size)
        assertThat((double[]) a.read(new long[] {19}, new int[] {4}))
                .containsExactly(Arrays.copyOfRange(F8, 19, 23));
    }

    @Test
    void partialTwoDimensionalReadsAcrossChunks() throws Exception {
        ArrayNode a = array(c, "blosc_lz4_1");
        for (int r0 = 0; r0 < 7; r0++) {
            for (int c0 = 0; c0 < 5; c0++) {
                for (int rows = 0; r0 + rows <= 7; rows += 2) {
                    for (int cols = 1; c0 + cols <= 5; cols++) {
                        int[] got = (int[]) a.read(new long[] {r0, c0}, new int[] {rows, cols});
                        int[] want = new int[rows * cols];
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < cols; j++) {
                                want[i * cols + j] = BASE_I4[(r0 + i) * 5 + c0 + j];
                            }
                        }
                        assertThat(got)
                                .as("rows %d+%d cols %d+%d", r0, rows, c0, cols)
                                .containsExactly(want);
                    }
                }
            }
        }
    }

    @Test
    void fortranOrder() throws Exception {
        ArrayNode a = array(c, "forder_i2");
        short[] all = (short[]) a.readAll();
        for (int i = 0; i < 35; i++) {
            assertThat(all[i]).isEqualTo((short) (i - 10)); // np.arange(35).reshape(5, 7) - 10
        }
        assertThat((short[]) a.read(new long[] {3, 5}, new int[] {2, 2}))
                .containsExactly((short) 16, (short) 17, (short) 23, (short) 24);
        float[] cube = (float[]) array(c, "forder_3d").readAll();
        for (int i = 0; i < 60; i++) {
            assertThat(cube[i]).isEqualTo(i * 0.5f); // (np.arange(60) * 0.5).reshape(3, 4, 5)
        }
        assertThat((float[]) array(c, "forder_3d").read(new long[] {1, 2, 3}, new int[] {2, 1, 2}))
                .containsExactly(16.5f, 17f, 26.5f, 27f);
    }

    @Test
    void bigEndianAndSlashSeparator() throws Exception {
        assertThat((double[]) array(c, "be_f8").readAll())
                .containsExactly(1.5, -2.0, Math.PI, 1e-300);
        assertThat((int[]) array(c, "be_i4").readAll())
                .containsExactly(1, -2, 2147483647, -2147483648, 66000);
        assertThat((int[]) array(c, "be_u2").readAll()).containsExactly(0, 1, 65535, 256);
        long[] slash = (long[]) array(c, "slash").readAll();
        for (int i = 0; i < 24; i++) {
            assertThat(slash[i]).isEqualTo(i * 1000L);
        }
    }

    @Test
    void missingChunksReadAsFill() throws Exception {
        ArrayNode a = array(c, "missing");
        float[] all = (float[]) a.readAll();
        float[] want = new float[40];
        Arrays.fill(want, Float.NaN);
        want[0] = 0.5f;
        want[1] = 1.5f;
        want[4] = 2.5f;
        want[5] = 3.5f;
        want[8] = 4.5f;
        want[9] = 5.5f;
        want[39] = 42f;
        assertThat(all).containsExactly(want);
        assertThat((double[]) array(c, "fill_inf").readAll())
                .containsExactly(
                        Double.NEGATIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        Double.NEGATIVE_INFINITY);
    }

    @Test
    void integerTypesAreWidened() throws Exception {
        assertThat(array(c, "u1").dataType()).isEqualTo(DataType.UINT8);
        assertThat((int[]) array(c, "u1").readAll()).containsExactly(0, 1, 255, 128);
        assertThat((int[]) array(c, "u2").readAll()).containsExactly(0, 65535, 1234);
        assertThat((long[]) array(c, "u4").readAll()).containsExactly(0L, 4294967295L, 3000000000L);
        assertThat((long[]) array(c, "u8").readAll())
                .containsExactly(0L, -1L, Long.MIN_VALUE, 12345L);
        assertThat((byte[]) array(c, "i1").readAll()).containsExactly(-128, 127, 0, -1);
        assertThat((short[]) array(c, "i2").readAll())
                .containsExactly((short) -32768, (short) 32767, (short) 5);
        assertThat((long[]) array(c, "i8").readAll())
                .containsExactly(Long.MIN_VALUE, Long.MAX_VALUE, 0, -5);
        assertThat((boolean[]) array(c, "bools").readAll())
                .containsExactly(true, false, true, true, false);
    }

    @Test
    void strings() throws Exception {
        assertThat((String[]) array(c, "vlen").readAll()).containsExactly(VLEN);
        assertThat((String[]) array(c, "vlen").read(new long[] {2}, new int[] {3}))
                .containsExactly(VLEN[2], VLEN[3], VLEN[4]);
        assertThat((String[]) array(c, "vlen_2d_f").readAll())
                .containsExactly(
                        "r0c0", "r0c1", "", "r0c3", "r1c0", "\u00b5", "r1c2", "r1c3", "r2c0",
                        "r2c1", "r2c2", "end");
        assertThat((String[]) array(c, "fixed_u").readAll())
                .containsExactly("ab", "", "h\u00e9llo", "12345", "x");
        assertThat((String[]) array(c, "fixed_s").readAll()).containsExactly("ab", "", "abcd", "q");
        assertThat((String[]) array(c, "scalar_u").read(new long[0], new int[0]))
                .containsExactly("abc");
        assertThat((double[]) array(c, "scalar_f").readAll()).containsExactly(3.25);
    }

    @Test
    void structuredFields() throws Exception {
        ArrayNode s = array(c, "struct");
        assertThat(s.fieldNames()).containsExactly("name", "code", "x", "n", "v", "b");
        assertThat((String[]) s.readField("name", 0, 5))
                .containsExactly("ab", "\u00e9t\u00e9", "", "wxyz", "k");
        assertThat((String[]) s.readField("code", 1, 3)).containsExactly("", "abc", "q");
        assertThat((double[]) s.readField("x", 0, 5))
                .containsExactly(1.5, -2.25, Double.NaN, 1e300, 0.0);
        assertThat((int[]) s.readField("n", 0, 5))
                .containsExactly(-7, 100000, 0, -2147483648, 2147483647);
        assertThat(s.fieldType("v")).isEqualTo(DataType.FLOAT32);
        assertThat(s.fieldShape("v")).containsExactly(3);
        assertThat((float[]) s.readField("v", 3, 2)).containsExactly(0f, 0f, 0.25f, 9f, 8f, 7f);
        assertThat(s.fieldType("b")).isEqualTo(DataType.UINT8);
        assertThat((int[]) s.readField("b", 0, 5)).containsExactly(255, 0, 7, 128, 1);
    }

    @Test
    void attributesAreNormalised() throws Exception {
        Map<String, Object> attrs = c.root().attributes();
        assertThat(attrs.get("int")).isEqualTo(5L);
        assertThat(attrs.get("float")).isEqualTo(2.5);
        assertThat(attrs.get("bool")).isEqualTo(true);
        assertThat(attrs.get("str")).isEqualTo("s");
        assertThat(attrs.get("list")).isEqualTo(List.of(1L, 2.5, "a", List.of(true)));
        assertThat(attrs.get("obj")).isEqualTo(Map.of("k", List.of(1L)));
        assertThat(attrs).containsKey("null");
        assertThat(attrs.get("null")).isNull();
        assertThat((Double) attrs.get("nan")).isNaN();
    }

    @Test
    void consolidatedMetadataWithPerNodeFallback() throws Exception {
        List<String> children = c.root().children();
        assertThat(children)
                .contains("blosc_lz4_0", "struct", "sub", "vlen")
                .doesNotContain("late")
                .isSorted();
        assertThat(children).hasSize(45);
        assertThat(((GroupNode) c.node("sub")).children()).containsExactly("leaf");
        assertThat((long[]) array(c, "sub/leaf").readAll()).containsExactly(7, 8, 9);
        // written after consolidation: unknown to .zmetadata, found through its own .zarray
        assertThat((int[]) array(c, "late").readAll()).containsExactly(1, 2);
        assertThat(c.node("/sub/leaf/")).isSameAs(c.node("sub/leaf"));
    }
}
