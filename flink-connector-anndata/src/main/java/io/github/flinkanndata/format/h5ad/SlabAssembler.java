package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import javax.annotation.Nullable;

/**
 * Copies a hyperslab out of decoded chunks into one row-major array.
 *
 * <p>A chunk the file does not store (the source returned null) is never materialised: its
 * overlap with the slab is written with the fill value directly ({@link Chunks#fill}), so reading
 * data the file does not hold allocates the slab and nothing else.
 *
 * <p>Visits only the chunks that overlap the slab, in row-major grid order, and copies each overlap
 * with {@link System#arraycopy} over the longest runs that are contiguous in both the chunk and the
 * output (a CSR range read is one copy per chunk; a block of whole rows of a dense matrix chunked
 * by rows is one copy per chunk as well).
 *
 * <p>Stateless; thread-safe.
 */
final class SlabAssembler {
    private SlabAssembler() {}

    /** Supplies decoded chunks by the element offset of their first element. */
    interface Chunks {
        /** The decoded chunk, or null if the file does not store it (it reads as fill). */
        @Nullable
        Object chunk(long[] chunkOffset) throws AnnDataFormatException;

        /**
         * As {@link #chunk(long[])}; {@code interior} says that the slab covers this chunk whole
         * and continues past it on both sides along the first dimension, so a later read is
         * unlikely to want it again (worth no cache space).
         */
        @Nullable
        default Object chunk(long[] chunkOffset, boolean interior) throws AnnDataFormatException {
            return chunk(chunkOffset);
        }

        /**
         * Writes the fill value into slots {@code [from, from + length)} of the output, where a
         * chunk that is not stored overlaps the slab. Sources that store every chunk need not
         * implement it.
         */
        default void fill(Object out, int from, int length) {
            throw new IllegalStateException("a chunk is not stored and this source has no fill value");
        }
    }

    /** Whether the file stores the chunk whose first element is at {@code chunkOffset}. */
    interface Stored {
        boolean test(long[] chunkOffset) throws AnnDataFormatException;
    }

    /**
     * Fills {@code out} with the slab {@code [offset, offset + count)}. The caller has checked the
     * bounds, that every count is positive, and that the slab and each chunk fit in an array.
     *
     * @param width array slots per element (record size for raw records, else 1)
     */
    static void assemble(
            int[] chunkShape, long[] offset, int[] count, int width, Object out, Chunks chunks)
            throws AnnDataFormatException {
        int rank = offset.length;
        if (rank == 0) {
            Object only = chunks.chunk(new long[0]);
            if (only == null) {
                chunks.fill(out, 0, width);
            } else {
                System.arraycopy(only, 0, out, 0, width);
            }
            return;
        }
        long[] first = new long[rank];
        long[] last = new long[rank];
        for (int d = 0; d < rank; d++) {
            first[d] = offset[d] / chunkShape[d];
            last[d] = (offset[d] + count[d] - 1) / chunkShape[d];
        }
        int[] chunkStrides = strides(chunkShape);
        int[] outStrides = strides(count);
        int[] lo = new int[rank];
        int[] outLo = new int[rank];
        int[] len = new int[rank];
        long[] grid = first.clone();
        while (true) {
            long[] chunkOffset = new long[rank];
            for (int d = 0; d < rank; d++) {
                chunkOffset[d] = grid[d] * chunkShape[d];
                long start = Math.max(offset[d], chunkOffset[d]);
                long end = Math.min(offset[d] + count[d], chunkOffset[d] + chunkShape[d]);
                lo[d] = (int) (start - chunkOffset[d]);
                outLo[d] = (int) (start - offset[d]);
                len[d] = (int) (end - start);
            }
            Object chunk = chunks.chunk(chunkOffset, interior(grid, first, last, lo, len, chunkShape));
            copyOverlap(
                    chunk, chunkShape, chunkStrides, lo, out, count, outStrides, outLo, len, width,
                    chunks);
            // advance the grid odometer, last dimension fastest
            int d = rank - 1;
            while (d >= 0 && ++grid[d] > last[d]) {
                grid[d] = first[d];
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    /** Whole in every dimension, with chunks of the slab before and after it along dimension 0. */
    private static boolean interior(long[] grid, long[] first, long[] last, int[] lo, int[] len, int[] chunkShape) {
        if (grid[0] <= first[0] || grid[0] >= last[0]) {
            return false;
        }
        for (int d = 0; d < grid.length; d++) {
            if (lo[d] != 0 || len[d] != chunkShape[d]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The number of elements of the slab {@code [offset, offset + count)} that lie in chunks the
     * file does not store, counted chunk by chunk until it exceeds {@code limit} (any larger count
     * is then returned as it stands). Allocates nothing in proportion to the slab.
     */
    static long absentElements(int[] chunkShape, long[] offset, int[] count, Stored stored, long limit)
            throws AnnDataFormatException {
        int rank = offset.length;
        if (rank == 0) {
            return stored.test(new long[0]) ? 0 : 1;
        }
        long[] first = new long[rank];
        long[] last = new long[rank];
        for (int d = 0; d < rank; d++) {
            if (count[d] == 0) {
                return 0;
            }
            first[d] = offset[d] / chunkShape[d];
            last[d] = (offset[d] + count[d] - 1) / chunkShape[d];
        }
        long absent = 0;
        long[] grid = first.clone();
        while (true) {
            long[] chunkOffset = new long[rank];
            long overlap = 1;
            for (int d = 0; d < rank; d++) {
                chunkOffset[d] = grid[d] * chunkShape[d];
                long start = Math.max(offset[d], chunkOffset[d]);
                long end = Math.min(offset[d] + count[d], chunkOffset[d] + chunkShape[d]);
                overlap *= end - start;
            }
            if (!stored.test(chunkOffset)) {
                absent += overlap;
                if (absent > limit) {
                    return absent;
                }
            }
            int d = rank - 1;
            while (d >= 0 && ++grid[d] > last[d]) {
                grid[d] = first[d];
                d--;
            }
            if (d < 0) {
                return absent;
            }
        }
    }

    private static void copyOverlap(
            @Nullable Object chunk,
            int[] chunkShape,
            int[] chunkStrides,
            int[] lo,
            Object out,
            int[] count,
            int[] outStrides,
            int[] outLo,
            int[] len,
            int width,
            Chunks chunks) {
        int rank = len.length;
        // merge trailing dimensions that the overlap covers whole in both arrays into one run
        int k = rank - 1;
        long run = len[k];
        while (k > 0 && len[k] == chunkShape[k] && len[k] == count[k]) {
            k--;
            run *= len[k];
        }
        int runSlots = (int) run * width;
        int[] idx = new int[k];
        while (true) {
            int src = 0;
            int dst = 0;
            for (int d = 0; d < rank; d++) {
                int i = d < k ? idx[d] : 0;
                src += (lo[d] + i) * chunkStrides[d];
                dst += (outLo[d] + i) * outStrides[d];
            }
            if (chunk == null) {
                chunks.fill(out, dst * width, runSlots);
            } else {
                System.arraycopy(chunk, src * width, out, dst * width, runSlots);
            }
            int d = k - 1;
            while (d >= 0 && ++idx[d] == len[d]) {
                idx[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    private static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }
}
