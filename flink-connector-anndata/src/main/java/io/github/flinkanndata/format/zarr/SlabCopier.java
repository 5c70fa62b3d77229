package io.github.flinkanndata.format.zarr;

import java.util.Arrays;

/**
 * Moves the part of one decoded chunk that overlaps a requested slab into the slab's output array
 * (both in C order), or writes the fill value there when the chunk is not stored.
 *
 * <p>The overlap is walked as contiguous runs: trailing dimensions that the overlap covers
 * completely in both the chunk and the slab are merged into one run, so a block of whole rows is a
 * single {@link System#arraycopy} and a partial row range of a 2-D chunk is one copy per row.
 *
 * <p>{@code scale} multiplies every index: 1 for element arrays, the record size for structured
 * chunks kept as raw bytes. Stateless.
 */
final class SlabCopier {

    private interface Run {
        void run(int src, int dst, int length);
    }

    private SlabCopier() {}

    static void copy(
            Object chunk,
            int[] chunkShape,
            long[] chunkOrigin,
            Object out,
            long[] offset,
            int[] count,
            int scale) {
        walk(
                chunkShape,
                chunkOrigin,
                offset,
                count,
                (src, dst, length) ->
                        System.arraycopy(chunk, src * scale, out, dst * scale, length * scale));
    }

    /** Writes {@code fill} (see {@link FillValue}) where a missing chunk overlaps the slab. */
    static void fill(
            Object fill,
            int[] chunkShape,
            long[] chunkOrigin,
            Object out,
            long[] offset,
            int[] count,
            int scale) {
        walk(
                chunkShape,
                chunkOrigin,
                offset,
                count,
                (src, dst, length) -> fillRun(out, fill, dst * scale, length * scale, scale));
    }

    /**
     * Fills {@code out[from, from + length)}; a record fill repeats its bytes every {@code scale}.
     */
    static void fillRun(Object out, Object fill, int from, int length, int scale) {
        int to = from + length;
        if (fill instanceof byte[]) {
            byte[] record = (byte[]) fill;
            for (int at = from; at < to; at += scale) {
                System.arraycopy(record, 0, out, at, scale);
            }
        } else if (out instanceof boolean[]) {
            Arrays.fill((boolean[]) out, from, to, (Boolean) fill);
        } else if (out instanceof byte[]) {
            Arrays.fill((byte[]) out, from, to, (byte) (long) (Long) fill);
        } else if (out instanceof short[]) {
            Arrays.fill((short[]) out, from, to, (short) (long) (Long) fill);
        } else if (out instanceof int[]) {
            Arrays.fill((int[]) out, from, to, (int) (long) (Long) fill);
        } else if (out instanceof long[]) {
            Arrays.fill((long[]) out, from, to, (Long) fill);
        } else if (out instanceof float[]) {
            Arrays.fill((float[]) out, from, to, (float) (double) (Double) fill);
        } else if (out instanceof double[]) {
            Arrays.fill((double[]) out, from, to, (Double) fill);
        } else {
            Arrays.fill((Object[]) out, from, to, fill);
        }
    }

    private static void walk(
            int[] chunkShape, long[] chunkOrigin, long[] offset, int[] count, Run run) {
        int rank = chunkShape.length;
        if (rank == 0) {
            run.run(0, 0, 1);
            return;
        }
        int[] len = new int[rank]; // overlap length per dimension
        int[] src0 = new int[rank]; // overlap start inside the chunk
        int[] dst0 = new int[rank]; // overlap start inside the slab
        for (int d = 0; d < rank; d++) {
            long lo = Math.max(offset[d], chunkOrigin[d]);
            long hi = Math.min(offset[d] + count[d], chunkOrigin[d] + chunkShape[d]);
            if (hi <= lo) {
                return;
            }
            len[d] = (int) (hi - lo);
            src0[d] = (int) (lo - chunkOrigin[d]);
            dst0[d] = (int) (lo - offset[d]);
        }
        int[] srcStride = strides(chunkShape);
        int[] dstStride = strides(count);
        // merge trailing dimensions that are whole in both the chunk and the slab
        int inner = rank - 1;
        int runLength = len[inner];
        while (inner > 0 && len[inner] == chunkShape[inner] && len[inner] == count[inner]) {
            inner--;
            runLength *= len[inner];
        }
        int src = 0;
        int dst = 0;
        for (int d = 0; d < rank; d++) {
            src += src0[d] * srcStride[d];
            dst += dst0[d] * dstStride[d];
        }
        if (inner == 0) {
            run.run(src, dst, runLength);
            return;
        }
        // odometer over the dimensions before `inner`
        int[] i = new int[inner];
        while (true) {
            run.run(src, dst, runLength);
            int d = inner - 1;
            while (d >= 0) {
                if (++i[d] < len[d]) {
                    src += srcStride[d];
                    dst += dstStride[d];
                    break;
                }
                src -= srcStride[d] * (len[d] - 1);
                dst -= dstStride[d] * (len[d] - 1);
                i[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    private static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = stride;
            stride *= shape[d];
        }
        return s;
    }
}
