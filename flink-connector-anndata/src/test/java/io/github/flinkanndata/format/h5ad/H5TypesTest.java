package io.github.flinkanndata.format.h5ad;

import static io.github.flinkanndata.format.h5ad.H5Fixtures.array;
import static io.github.flinkanndata.format.h5ad.H5Fixtures.openResource;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.NodeRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Element types, layouts and attribute kinds of types.h5 (see make_test_files.py). */
class H5TypesTest {
    private static H5adContainer c;

    @BeforeAll
    static void open() throws Exception {
        c = openResource("types.h5");
    }

    @AfterAll
    static void close() {
        c.close();
    }

    @Test
    void integersWidenUnsignedTypes() throws Exception {
        assertThat((byte[]) array(c, "ints/i8").readAll()).containsExactly(-128, -1, 0, 127);
        assertThat((short[]) array(c, "ints/i16").readAll())
                .containsExactly((short) -32768, (short) 0, (short) 32767);
        assertThat((int[]) array(c, "ints/i32_be").readAll())
                .containsExactly(-2, 1, Integer.MAX_VALUE);
        assertThat((long[]) array(c, "ints/i64").readAll())
                .containsExactly(Long.MIN_VALUE, 0, Long.MAX_VALUE);
        assertThat(array(c, "ints/u8").dataType()).isEqualTo(DataType.UINT8);
        assertThat((int[]) array(c, "ints/u8").readAll()).containsExactly(0, 200, 255);
        assertThat(array(c, "ints/u16").dataType()).isEqualTo(DataType.UINT16);
        assertThat((int[]) array(c, "ints/u16").readAll()).containsExactly(0, 40000, 65535);
        assertThat(array(c, "ints/u32").dataType()).isEqualTo(DataType.UINT32);
        assertThat((long[]) array(c, "ints/u32").readAll())
                .containsExactly(0L, 3_000_000_000L, 4294967295L);
    }

    @Test
    void floatsIncludingHalfAndBigEndian() throws Exception {
        assertThat(array(c, "floats/f16").dataType()).isEqualTo(DataType.FLOAT32);
        assertThat((float[]) array(c, "floats/f16").readAll())
                .containsExactly(0.5f, -2.0f, 65504.0f);
        assertThat((float[]) array(c, "floats/f32").readAll())
                .containsExactly(1.5f, -0.25f, Float.POSITIVE_INFINITY);
        double[] be = (double[]) array(c, "floats/f64_be").readAll();
        assertThat(be[0]).isEqualTo(Math.PI);
        assertThat(be[1]).isEqualTo(-1e300);
        assertThat(be[2]).isNaN();
    }

    @Test
    void strings() throws Exception {
        assertThat((String[]) array(c, "strings/vlen").readAll())
                .containsExactly("a", "", "gène_µ", "日本語", "x".repeat(40));
        assertThat((String[]) array(c, "strings/fixed_ascii").readAll())
                .containsExactly("ab", "abcdefgh", "");
        assertThat((String[]) array(c, "strings/fixed_utf8").readAll()).containsExactly("é", "ü1");
        assertThat((String[]) array(c, "strings/scalar").read(new long[0], new int[0]))
                .containsExactly("héllo");
        // (5, 3) in (2, 2) chunks, gzip
        assertThat((String[]) array(c, "strings/vlen_2d").read(new long[] {1, 1}, new int[] {3, 2}))
                .containsExactly("r1c1", "r1c2", "r2c1", "r2c2", "r3c1", "r3c2");
    }

    @Test
    void emptyDatasetsReadAsEmptyArrays() throws Exception {
        ArrayNode empty = array(c, "empty"); // h5py.Empty("f"): anndata's null encoding
        assertThat(empty.shape()).containsExactly(0);
        assertThat(empty.dataType()).isEqualTo(DataType.FLOAT32);
        assertThat((float[]) empty.readAll()).isEmpty();
        assertThat((float[]) empty.read(new long[] {0}, new int[] {0})).isEmpty();
        assertThat((int[]) array(c, "zero_len").readAll()).isEmpty();
        assertThat((double[]) array(c, "zero_len_chunked").readAll()).isEmpty();
        assertThat((int[]) array(c, "grid2d").read(new long[] {3, 5}, new int[] {2, 0})).isEmpty();
    }

    @Test
    void scalars() throws Exception {
        ArrayNode f = array(c, "scalar_f64");
        assertThat(f.shape()).isEmpty();
        assertThat((double[]) f.read(new long[0], new int[0])).containsExactly(3.5);
        assertThat((long[]) array(c, "scalar_i64").readAll()).containsExactly(-42);
    }

    @Test
    void chunkedSlabsInTwoAndThreeDimensions() throws Exception {
        // arange(35).reshape(7, 5) in (3, 2) chunks, with partial edge chunks
        assertThat((int[]) array(c, "grid2d").read(new long[] {2, 1}, new int[] {4, 3}))
                .containsExactly(11, 12, 13, 16, 17, 18, 21, 22, 23, 26, 27, 28);
        assertThat((int[]) array(c, "grid2d").read(new long[] {6, 4}, new int[] {1, 1}))
                .containsExactly(34);
        // arange(60).reshape(4, 3, 5) in (2, 2, 3) chunks, shuffle + gzip
        assertThat((float[]) array(c, "grid3d").read(new long[] {1, 1, 2}, new int[] {2, 2, 3}))
                .containsExactly(22, 23, 24, 27, 28, 29, 37, 38, 39, 42, 43, 44);
        float[] all = (float[]) array(c, "grid3d").readAll();
        for (int i = 0; i < 60; i++) {
            assertThat(all[i]).isEqualTo(i);
        }
    }

    @Test
    void contiguousAndCompactLayouts() throws Exception {
        assertThat((double[]) array(c, "contiguous2d").read(new long[] {4, 1}, new int[] {2, 2}))
                .containsExactly(4.25, 4.5, 5.25, 5.5);
        assertThat((short[]) array(c, "compact_i16").read(new long[] {1}, new int[] {3}))
                .containsExactly((short) -6, (short) 7, (short) -8);
    }

    @Test
    void unwrittenChunksReadAsTheFillValue() throws Exception {
        assertThat((int[]) array(c, "sparse_fill").read(new long[] {15}, new int[] {10}))
                .containsExactly(-7, -7, -7, -7, -7, 0, 1, 2, 3, 4);
    }

    @Test
    void compoundFields() throws Exception {
        ArrayNode rec = array(c, "compound"); // 5 records in chunks of 2, gzip
        assertThat(rec.dataType()).isEqualTo(DataType.COMPOUND);
        assertThat(rec.fieldNames()).containsExactly("name", "code", "vec", "label");
        assertThat(rec.fieldType("code")).isEqualTo(DataType.INT16);
        assertThat(rec.fieldShape("code")).isEmpty();
        assertThat(rec.fieldShape("vec")).containsExactly(3);
        assertThat((String[]) rec.readField("name", 1, 3)).containsExactly("n1", "n2", "n3");
        assertThat((short[]) rec.readField("code", 0, 5))
                .containsExactly((short) -20, (short) -10, (short) 0, (short) 10, (short) 20);
        assertThat((float[]) rec.readField("vec", 3, 2))
                .containsExactly(3f, 3.5f, -3f, 4f, 4.5f, -4f);
        assertThat((String[]) rec.readField("label", 4, 1)).containsExactly("lab_4_ß");
        assertThat((Object[]) rec.read(new long[] {0}, new int[] {5})).hasSize(5);
    }

    @Test
    void attributesAreNormalised() throws Exception {
        Map<String, Object> a = c.node("attrs").attributes();
        assertThat(new java.util.ArrayList<>(a.keySet())).isSorted();
        assertThat(a)
                .containsEntry("bool_scalar", true)
                .containsEntry("bool_array", List.of(true, false))
                .containsEntry("int_scalar", 7L)
                .containsEntry("int_one", List.of(7L))
                .containsEntry("int_array", List.of(1L, 2L, 3L))
                .containsEntry("u8_scalar", 250L)
                .containsEntry("u64_max", -1L)
                .containsEntry("float_scalar", 0.25)
                .containsEntry("empty_floats", List.of())
                .containsEntry("str_scalar", "ünï")
                .containsEntry("str_array", List.of("a", "ü"))
                .containsEntry("fixed_str", "abc")
                .containsEntry("ref", new NodeRef("ints/i8"))
                .containsEntry("group_ref", new NodeRef("floats"));
        assertThat(c.node("ints/i8").attributes()).isEmpty();
    }
}
