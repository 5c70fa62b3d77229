package io.github.flinkanndata.format.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.Containers;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.tree.SlabPool;
import io.github.flinkanndata.testutil.TinyZarr;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-dimensional read into a pooled array ({@link ArrayNode#read(long[], int[], SlabPool.Lease)})
 * gives what a read into a new array gives, although the pooled array holds the values of an
 * earlier read: also where chunks are not stored (a new array holds the fill value 0 there by
 * itself; a used one must be written). 100 elements in chunks of 10, chunks 2 and 5 not stored,
 * element {@code i} holds {@code i + 1}.
 */
class ZarrPooledReadTest {
    private static final int N = 100;
    private static final int CHUNK = 10;
    private static final List<Integer> ABSENT = List.of(2, 5);

    @TempDir Path tmp;

    private Path store(String dtype) {
        TinyZarr z = new TinyZarr(tmp.resolve(dtype.substring(1) + ".zarr"));
        z.group("", Map.of());
        z.arrayMeta("a", dtype, new long[] {N}, new long[] {CHUNK}, null, List.of(), Map.of());
        for (int c = 0; c < N / CHUNK; c++) {
            if (ABSENT.contains(c)) {
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = c * CHUNK; i < (c + 1) * CHUNK; i++) {
                if (dtype.equals("<i4")) {
                    b.putInt(i + 1);
                } else {
                    b.putFloat(i + 1);
                }
            }
            z.write("a", String.valueOf(c), b.array());
        }
        return z.root();
    }

    private static double expected(int i) {
        return ABSENT.contains(i / CHUNK) ? 0 : i + 1;
    }

    @Test
    void aPooledIntArrayReadsWhatANewOneReads() throws Exception {
        try (Container c = Containers.open(store("<i4"), ContainerOptions.defaults())) {
            ArrayNode a = (ArrayNode) c.node("a");
            SlabPool pool = new SlabPool(1 << 20);
            SlabPool.Lease earlier = pool.lease();
            int[] used = earlier.ints(80);
            Arrays.fill(used, -1);
            earlier.release();
            int[] fresh = (int[]) a.read(new long[] {5}, new int[] {80});
            Object got = a.read(new long[] {5}, new int[] {80}, pool.lease());
            assertThat(got).isSameAs(used); // the read did reuse the array
            assertThat(Arrays.copyOf(used, 80)).isEqualTo(fresh);
            for (int i = 0; i < 80; i++) {
                assertThat((double) used[i]).as("element %d", 5 + i).isEqualTo(expected(5 + i));
            }
        }
    }

    @Test
    void aPooledFloatArrayReadsWhatANewOneReads() throws Exception {
        try (Container c = Containers.open(store("<f4"), ContainerOptions.defaults())) {
            ArrayNode a = (ArrayNode) c.node("a");
            SlabPool pool = new SlabPool(1 << 20);
            SlabPool.Lease earlier = pool.lease();
            float[] used = earlier.floats(95);
            Arrays.fill(used, Float.NaN);
            earlier.release();
            Object got = a.read(new long[] {3}, new int[] {95}, pool.lease());
            assertThat(got).isSameAs(used);
            assertThat(Arrays.copyOf(used, 95)).isEqualTo((float[]) a.read(new long[] {3}, new int[] {95}));
            for (int i = 0; i < 95; i++) {
                assertThat((double) used[i]).as("element %d", 3 + i).isEqualTo(expected(3 + i));
            }
        }
    }
}
