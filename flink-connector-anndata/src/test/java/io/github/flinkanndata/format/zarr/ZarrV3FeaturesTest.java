package io.github.flinkanndata.format.zarr;

import static io.github.flinkanndata.format.zarr.ZarrTestStores.array;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.GroupNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.annotation.Nullable;

/**
 * zarr v3 features of {@code v3_features.zarr} (make_test_stores.py): sharding, crc32c, gzip,
 * blosc, big endian, transpose, v2 chunk keys, 0-d arrays, strings and structured types. Expected
 * values are numpy's, printed by the script.
 */
class ZarrV3FeaturesTest {

    /** sharded_end: int32 (10, 9), fill -1; rows 0..4 = arange(45); [9, 8] = 999. */
    static int[] shardedEnd() {
        int[] want = new int[90];
        for (int i = 0; i < 90; i++) {
            want[i] = i < 45 ? i : -1;
        }
        want[89] = 999;
        return want;
    }

    private static ZarrContainer c;

    @BeforeAll
    static void open() throws Exception {
        c = ZarrTestStores.open(ZarrTestStores.resource("v3_features.zarr"));
    }

    @AfterAll
    static void close() throws Exception {
        c.close();
    }

    @Test
    void groupsWithoutConsolidatedMetadata() throws Exception {
        assertThat(c.zarrFormat()).isEqualTo(3);
        assertThat(c.root().children())
                .containsExactly(
                        "big",
                        "blosc",
                        "crc",
                        "fixed_u",
                        "gzip",
                        "null",
                        "scalar",
                        "scalar_str",
                        "sharded_end",
                        "sharded_start",
                        "sharded_str",
                        "strings",
                        "struct",
                        "sub",
                        "transpose",
                        "v2keys");
        assertThat(c.root().attributes())
                .containsEntry("encoding-type", "dict")
                .containsEntry("n", 3L)
                .containsEntry("list", List.of("a", 1L));
        GroupNode sub = (GroupNode) c.node("sub");
        assertThat(sub.attributes()).containsEntry("x", 1L);
        assertThat(sub.children()).containsExactly("leaf");
        assertThat((boolean[]) array(c, "sub/leaf").readAll()).containsExactly(true, false, true);
    }

    @Test
    void shardedWithIndexAtEndAndEmptyInnerChunks() throws Exception {
        ArrayNode a = array(c, "sharded_end");
        assertThat(a.dataType()).isEqualTo(DataType.INT32);
        int[] want = shardedEnd();
        assertThat((int[]) a.readAll()).containsExactly(want);
        for (int r0 = 0; r0 < 10; r0 += 3) {
            for (int c0 = 0; c0 < 9; c0 += 2) {
                int rows = Math.min(4, 10 - r0);
                int cols = Math.min(5, 9 - c0);
                int[] got = (int[]) a.read(new long[] {r0, c0}, new int[] {rows, cols});
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        assertThat(got[i * cols + j]).isEqualTo(want[(r0 + i) * 9 + c0 + j]);
                    }
                }
            }
        }
    }

    @Test
    void shardedWithIndexAtStartBigEndianGzipInner() throws Exception {
        double[] want = {
            0.0,
            0.08333333333333333,
            0.16666666666666666,
            0.25,
            0.3333333333333333,
            0.41666666666666663,
            0.5,
            0.5833333333333333,
            0.6666666666666666,
            0.75,
            0.8333333333333333,
            0.9166666666666666,
            1.0,
            0,
            0,
            0,
            0,
            0,
            0,
            0
        };
        assertThat((double[]) array(c, "sharded_start").readAll()).containsExactly(want);
        assertThat((double[]) array(c, "sharded_start").read(new long[] {7}, new int[] {3}))
                .containsExactly(want[7], want[8], want[9]);
    }

    @Test
    void shardedStrings() throws Exception {
        assertThat((String[]) array(c, "sharded_str").readAll())
                .containsExactly("s0", "", "\u00b5\u00b5", "s3", "a longer string", "s5", "last");
    }

    @Test
    void bytesCodecsAndLayouts() throws Exception {
        assertThat((short[]) array(c, "crc").readAll())
                .containsExactly((short) 1, (short) -2, (short) 3, (short) -4, (short) 5);
        assertThat((float[]) array(c, "gzip").read(new long[] {1, 1}, new int[] {2, 3}))
                .containsExactly(1.25f, 1.5f, 1.75f, 2.25f, 2.5f, 2.75f);
        assertThat((long[]) array(c, "blosc").readAll())
                .containsExactly(0L, -1L, 1099511627779L, 17L, 5L);
        assertThat((double[]) array(c, "big").readAll())
                .containsExactly(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5);
        int[] transposed = (int[]) array(c, "transpose").readAll();
        for (int i = 0; i < 20; i++) {
            assertThat(transposed[i]).isEqualTo(i); // np.arange(20).reshape(4, 5)
        }
        assertThat((int[]) array(c, "transpose").read(new long[] {2, 1}, new int[] {2, 3}))
                .containsExactly(11, 12, 13, 16, 17, 18);
        assertThat((long[]) array(c, "v2keys").read(new long[] {1, 1}, new int[] {2, 2}))
                .containsExactly(5L, 6L, 9L, 10L);
    }

    @Test
    void scalarsStringsAndStructs() throws Exception {
        assertThat((double[]) array(c, "scalar").read(new long[0], new int[0]))
                .containsExactly(3.5);
        assertThat((String[]) array(c, "scalar_str").readAll()).containsExactly("hello");
        assertThat((boolean[]) array(c, "null").readAll()).containsExactly(false);
        assertThat((String[]) array(c, "strings").readAll())
                .containsExactly("a", "\u00e9", "", "ccc", "d", "e");
        assertThat((String[]) array(c, "strings").read(new long[] {1, 1}, new int[] {2, 1}))
                .containsExactly("ccc", "e");
        assertThat((String[]) array(c, "fixed_u").readAll()).containsExactly("ab", "", "cde");
        ArrayNode s = array(c, "struct");
        assertThat(s.dataType()).isEqualTo(DataType.COMPOUND);
        assertThat(s.fieldNames()).containsExactly("name", "x", "n");
        assertThat((String[]) s.readField("name", 0, 3)).containsExactly("ab", "\u00e9", "xyz");
        assertThat((double[]) s.readField("x", 1, 2)).containsExactly(-1.0, 2.0);
        assertThat((int[]) s.readField("n", 0, 3)).containsExactly(7, -8, 9);
    }

    @Test
    void shardReadsTouchOnlyTheIndexAndTheNeededInnerChunks() throws Exception {
        RecordingStore store =
                new RecordingStore(new DirectoryStore(ZarrTestStores.resource("v3_features.zarr")));
        try (ZarrContainer rc =
                ZarrContainer.open("recorded", store, ContainerOptions.defaults())) {
            ArrayNode a = array(rc, "sharded_end");
            store.calls.clear();
            assertThat((int[]) a.read(new long[] {0, 0}, new int[] {1, 1})).containsExactly(0);
            // shard c/0/0 holds 2 x 2 inner chunks: index = 4 * 16 + 4 crc bytes, at the end
            long size = store.size("sharded_end/c/0/0");
            assertThat(store.calls).hasSize(2);
            assertThat(store.calls.get(0))
                    .isEqualTo("range sharded_end/c/0/0 @" + (size - 68) + "+68");
            assertThat(store.calls.get(1)).startsWith("range sharded_end/c/0/0 @");
            assertThat(store.calls).noneMatch(call -> call.startsWith("read sharded_end/c"));

            store.calls.clear();
            assertThat((int[]) a.read(new long[] {1, 2}, new int[] {1, 1}))
                    .containsExactly(11); // same inner chunk
            assertThat(store.calls).isEmpty();
            assertThat(rc.cache().hits()).isPositive();

            assertThat((int[]) a.read(new long[] {0, 3}, new int[] {1, 1}))
                    .containsExactly(3); // next inner chunk
            assertThat(store.calls)
                    .hasSize(1)
                    .allMatch(call -> call.startsWith("range sharded_end/c/0/0 @"));
        }
    }

    /** Wraps a store and records the calls that read chunk data. */
    static final class RecordingStore implements ZarrStore {
        final ZarrStore delegate;
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        RecordingStore(ZarrStore delegate) {
            this.delegate = delegate;
        }

        @Nullable
        @Override
        public byte[] read(String key) throws IOException {
            calls.add("read " + key);
            return delegate.read(key);
        }

        @Override
        public long size(String key) throws IOException {
            return delegate.size(key);
        }

        @Override
        public byte[] readRange(String key, long offset, int length) throws IOException {
            calls.add("range " + key + " @" + offset + "+" + length);
            return delegate.readRange(key, offset, length);
        }

        @Override
        public List<String> listDirectories(String prefix) throws IOException {
            return delegate.listDirectories(prefix);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
