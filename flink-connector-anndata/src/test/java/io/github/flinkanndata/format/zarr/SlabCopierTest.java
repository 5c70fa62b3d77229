package io.github.flinkanndata.format.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * Checks the run-merging copy of {@link SlabCopier} and the permutations of {@link Transpose}
 * against element-by-element reference loops, on random shapes of rank 1 to 4.
 */
class SlabCopierTest {

    private final Random random = new Random(7);

    @RepeatedTest(200)
    void copyMatchesElementwiseReference() {
        int rank = 1 + random.nextInt(4);
        int[] chunk = new int[rank];
        long[] origin = new long[rank];
        long[] offset = new long[rank];
        int[] count = new int[rank];
        for (int d = 0; d < rank; d++) {
            chunk[d] = 1 + random.nextInt(5);
            origin[d] = chunk[d] * (long) random.nextInt(3);
            offset[d] = random.nextInt((int) origin[d] + chunk[d] + 1);
            count[d] = 1 + random.nextInt(8);
        }
        int chunkSize = size(chunk);
        long[] src = new long[chunkSize];
        for (int i = 0; i < chunkSize; i++) {
            src[i] = encode(unravel(i, chunk), origin);
        }
        long[] out = new long[size(count)];
        SlabCopier.copy(src, chunk, origin, out, offset, count, 1);
        for (int i = 0; i < out.length; i++) {
            int[] local = unravel(i, count);
            boolean inside = true;
            long[] global = new long[rank];
            for (int d = 0; d < rank; d++) {
                global[d] = offset[d] + local[d];
                inside &= global[d] >= origin[d] && global[d] < origin[d] + chunk[d];
            }
            long want = inside ? encode(global) : 0;
            assertThat(out[i]).as("element %d", i).isEqualTo(want);
        }
    }

    @Test
    void zeroDimensionalAndRecordScale() {
        long[] out = new long[1];
        SlabCopier.copy(new long[] {42}, new int[0], new long[0], out, new long[0], new int[0], 1);
        assertThat(out).containsExactly(42);
        byte[] records = {1, 2, 3, 4, 5, 6}; // three 2-byte records
        byte[] slab = new byte[4];
        SlabCopier.copy(
                records, new int[] {3}, new long[] {0}, slab, new long[] {1}, new int[] {2}, 2);
        assertThat(slab).containsExactly(3, 4, 5, 6);
        SlabCopier.fill(
                new byte[] {9, 8},
                new int[] {3},
                new long[] {3},
                slab,
                new long[] {2},
                new int[] {2},
                2);
        assertThat(slab).containsExactly(3, 4, 9, 8);
    }

    @RepeatedTest(50)
    void transposeMatchesReference() {
        int rank = 1 + random.nextInt(4);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = 1 + random.nextInt(4);
        }
        int[] order = permutation(rank);
        int[] encShape = Transpose.encodedShape(shape, order);
        int n = size(shape);
        // encoded[j] = decoded[k] with k[order[i]] = j[i]; decoded values are their C index
        String[] encoded = new String[n];
        for (int j = 0; j < n; j++) {
            int[] jj = unravel(j, encShape);
            int[] k = new int[rank];
            for (int i = 0; i < rank; i++) {
                k[order[i]] = jj[i];
            }
            encoded[j] = Integer.toString(ravel(k, shape));
        }
        String[] decoded = Transpose.decode(encoded, shape, order);
        for (int i = 0; i < n; i++) {
            assertThat(decoded[i]).isEqualTo(Integer.toString(i));
        }
    }

    private int[] permutation(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = i;
        }
        for (int i = rank - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static long encode(int[] local, long[] origin) {
        long[] global = new long[local.length];
        for (int d = 0; d < local.length; d++) {
            global[d] = origin[d] + local[d];
        }
        return encode(global);
    }

    /** A distinct non-zero value per global coordinate. */
    private static long encode(long[] global) {
        long v = 1;
        for (long g : global) {
            v = v * 100 + g;
        }
        return v;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static int[] unravel(int index, int[] shape) {
        int[] out = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            out[d] = index % shape[d];
            index /= shape[d];
        }
        return out;
    }

    private static int ravel(int[] idx, int[] shape) {
        int v = 0;
        for (int d = 0; d < shape.length; d++) {
            v = v * shape[d] + idx[d];
        }
        return v;
    }
}
