package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Corrupt input never yields a plan it does not describe, nor a runtime exception, nor an
 * allocation sized by a count nobody backed with bytes: it is an {@link IOException} that says
 * what is wrong and where.
 */
class PlanCodecCorruptInputTest {

    private static byte[] rows() throws IOException {
        return CollectionPlanCodec.toBytes(PlanCodecPinnedBytesTest.outerFiltered(), true);
    }

    private static byte[] ints(int... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (int v : values) {
            out.writeInt(v);
        }
        return bytes.toByteArray();
    }

    private static byte[] longs(long... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (long v : values) {
            out.writeLong(v);
        }
        return bytes.toByteArray();
    }

    private static byte[] string(String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return concat(ints(utf8.length), utf8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** {@code bytes} with the single occurrence of {@code find} replaced by {@code replace}. */
    private static byte[] patch(byte[] bytes, byte[] find, byte[] replace) {
        int at = -1;
        for (int i = 0; i + find.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + find.length, find, 0, find.length)) {
                assertThat(at).as("pattern occurs more than once").isEqualTo(-1);
                at = i;
            }
        }
        assertThat(at).as("pattern not found").isNotNegative();
        byte[] out = new byte[bytes.length - find.length + replace.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(replace, 0, out, at, replace.length);
        System.arraycopy(bytes, at + find.length, out, at + replace.length, bytes.length - at - find.length);
        return out;
    }

    private static void assertCorrupt(byte[] bytes, String message) {
        assertThatThrownBy(() -> CollectionPlanCodec.fromBytes(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining(message);
    }

    @Test
    void everyTruncationIsAnIoException() throws IOException {
        for (boolean withRows : new boolean[] {true, false}) {
            byte[] full = CollectionPlanCodec.toBytes(PlanCodecPinnedBytesTest.outerFiltered(), withRows);
            for (int n = 0; n < full.length; n++) {
                byte[] cut = Arrays.copyOf(full, n);
                assertThatThrownBy(() -> CollectionPlanCodec.fromBytes(cut)).as("first %d of %d bytes", n, full.length)
                        .isInstanceOf(IOException.class);
            }
        }
        byte[] full = rows();
        assertThatThrownBy(() -> CollectionPlanCodec.fromBytes(Arrays.copyOf(full, full.length - 3)))
                .isInstanceOf(EOFException.class).hasMessageContaining("truncated").hasMessageContaining("encoder 'donor'");
    }

    @Test
    void wrongMagicTrailingBytesAndUnknownVersion() throws IOException {
        byte[] ok = rows();
        byte[] magic = ok.clone();
        magic[0] ^= 1;
        assertCorrupt(magic, "magic number");
        assertCorrupt(new byte[] {1, 2}, "too short");
        assertCorrupt(concat(ok, new byte[] {0}), "1 trailing bytes");
        byte[] version = ok.clone();
        version[7] = 3; // 2 is the growing collections' version
        assertCorrupt(version, "unsupported collection plan version 3");
    }

    @Test
    void absurdCountsAreRefusedWithoutAllocatingThem() throws IOException {
        byte[] ok = rows();
        byte[] negative = ok.clone();
        System.arraycopy(ints(-1), 0, negative, 8, 4); // the path count
        assertCorrupt(negative, "negative count -1 of paths");
        byte[] huge = ok.clone();
        System.arraycopy(ints(Integer.MAX_VALUE), 0, huge, 8, 4);
        assertCorrupt(huge, "paths");
        // a string length beyond the format's limit
        assertCorrupt(patch(ok, string("X_pca"), concat(ints(Integer.MAX_VALUE - 1), "X_pca".getBytes())),
                "count 2147483646 of string bytes exceeds");
        // more kept rows than the store has
        assertCorrupt(patch(ok, ints(3, 0, 3, 4), ints(6, 0, 3, 4)), "count 6 of kept rows exceeds 5");
        // a store claiming 2^31 - 9 rows, all kept: the count is within bounds, so the reader must
        // not allocate it up front (8 GiB) but run out of bytes
        byte[] hugeStore = patch(ok, concat(string(PlanCodecPinnedBytesTest.P0), longs(5)),
                concat(string(PlanCodecPinnedBytesTest.P0), longs(PlanCodecIo.MAX_COUNT)));
        byte[] hugeKept = patch(hugeStore, ints(3, 0, 3, 4), ints(PlanCodecIo.MAX_COUNT, 0, 3, 4));
        assertThatThrownBy(() -> CollectionPlanCodec.fromBytes(hugeKept)).isInstanceOf(EOFException.class)
                .hasMessageContaining("store 0");
    }

    @Test
    void invalidValuesNameWhatIsWrong() throws IOException {
        byte[] ok = rows();
        assertCorrupt(patch(ok, ints(3, 0, 3, 4), ints(3, 0, 4, 3)), "kept rows must ascend");
        assertCorrupt(patch(ok, ints(3, 0, 3, 4), ints(3, 0, 3, 5)), "kept rows must ascend within [0, 5)");
        assertCorrupt(patch(ok, ints(3, 2, 0, 1), ints(3, 2, 0, 9)), "var index 2 is 9, outside [0, 5)");
        assertCorrupt(patch(ok, ints(2, 3, 1), ints(1, 3)), "1 var indices, expected 2");
        // the encoder's code of "T cell" (1) made 5
        assertCorrupt(patch(ok, concat(string("T cell"), ints(1)), concat(string("T cell"), ints(5))),
                "has code 5, expected 1");
        // store 2's path (followed by its row count, 3) no longer matches the options'
        assertCorrupt(patch(ok, concat(string(PlanCodecPinnedBytesTest.P2), longs(3)),
                concat(string("relative/other.h5ad"), longs(3))), "differs from the options' path");
        // invalid UTF-8 in a string
        byte[] badUtf8 = patch(ok, string("X_pca"), concat(ints(5), new byte[] {'X', '_', (byte) 0xC3, 'c', 'a'}));
        assertCorrupt(badUtf8, "not valid UTF-8");
    }

    @Test
    void invalidCodesAndFlags() throws IOException {
        byte[] ok = CollectionPlanCodec.toBytes(PlanCodecPinnedBytesTest.innerUnfiltered(), true);
        // layout: magic, version, paths (2), layersKeys ["X"], obsKeys absent (0), obsmKeys absent (0),
        // filter absent (0), join byte
        int afterLayers = 4 + 4 + 4 + (4 + 6) + (4 + 6) + 4 + (4 + 1);
        assertThat(ok[afterLayers]).isZero(); // obsKeys absent
        byte[] flag = ok.clone();
        flag[afterLayers] = 7;
        assertCorrupt(flag, "flag byte is 7");
        byte[] join = ok.clone();
        join[afterLayers + 3] = 3;
        assertCorrupt(join, "join code 3 is unknown");
        // the unknown label 42: tag LONG made 9
        byte[] tag = patch(ok, new byte[] {1, PlanCodecIo.LONG, 0, 0, 0, 0, 0, 0, 0, 42},
                new byte[] {1, 9, 0, 0, 0, 0, 0, 0, 0, 42});
        assertCorrupt(tag, "label tag code 9 is unknown");
    }

    /** Whether every filtered store of {@code p} has its kept rows exactly when {@code withRows}. */
    private static boolean rowsTravelAs(CollectionPlan p, boolean withRows) {
        for (StorePlan s : p.stores()) {
            if (s.isFiltered() && s.isComplete() != withRows) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every single-byte change of a valid plan either still decodes (to some valid plan) or is an
     * IOException: no index, arithmetic or allocation failure escapes the reader.
     */
    @Test
    void everySingleByteMutationIsHandled() throws IOException {
        for (boolean withRows : new boolean[] {true, false}) {
            byte[] ok = CollectionPlanCodec.toBytes(PlanCodecPinnedBytesTest.outerFiltered(), withRows);
            for (int i = 0; i < ok.length; i++) {
                for (byte b : new byte[] {0, 1, 2, (byte) 0x7F, (byte) 0x80, (byte) 0xFF, (byte) (ok[i] + 1)}) {
                    byte[] mutated = ok.clone();
                    mutated[i] = b;
                    CollectionPlan p;
                    try {
                        p = CollectionPlanCodec.fromBytes(mutated);
                    } catch (IOException expected) {
                        continue;
                    }
                    // a plan that decodes is a plan: it re-encodes and decodes again, and (unless
                    // the change turned kept rows into a count or back) to exactly the mutated bytes
                    byte[] again = CollectionPlanCodec.toBytes(p, p.isComplete());
                    PlanAsserts.assertSamePlan(CollectionPlanCodec.fromBytes(again), p, p.isComplete());
                    if (rowsTravelAs(p, withRows)) {
                        assertThat(CollectionPlanCodec.toBytes(p, withRows)).as("byte %d = %d", i, b)
                                .isEqualTo(mutated);
                    }
                }
            }
        }
    }
}
