package io.github.flinkanndata.format.h5ad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Slab assembly against a direct index computation, on synthetic grids of 1 to 3 dimensions. */
class SlabAssemblerTest {

    @Test
    void randomSlabsMatchDirectIndexing() throws Exception {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 500; trial++) {
            int rank = 1 + rnd.nextInt(3);
            long[] shape = new long[rank];
            int[] chunk = new int[rank];
            long[] offset = new long[rank];
            int[] count = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + rnd.nextInt(12);
                chunk[d] =
                        1 + rnd.nextInt((int) shape[d] + 2); // may exceed the shape (edge chunks)
                offset[d] = rnd.nextInt((int) shape[d]);
                count[d] = 1 + rnd.nextInt((int) (shape[d] - offset[d]));
            }
            int total = 1;
            for (int c : count) {
                total *= c;
            }
            long[] out = new long[total];
            SlabAssembler.assemble(chunk, offset, count, 1, out, off -> chunkOf(shape, chunk, off));
            int i = 0;
            for (long[] idx : indices(offset, count)) {
                assertThat(out[i++]).isEqualTo(linear(shape, idx));
            }
        }
    }

    /**
     * Chunks the file does not store (null) are filled into the slab over exactly their overlap;
     * {@code absentElements} counts the same elements.
     */
    @Test
    void absentChunksAreFilledWhereTheyOverlapTheSlab() throws Exception {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int rank = 1 + rnd.nextInt(3);
            long[] shape = new long[rank];
            int[] chunk = new int[rank];
            long[] offset = new long[rank];
            int[] count = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + rnd.nextInt(12);
                chunk[d] = 1 + rnd.nextInt((int) shape[d] + 2);
                offset[d] = rnd.nextInt((int) shape[d]);
                count[d] = 1 + rnd.nextInt((int) (shape[d] - offset[d]));
            }
            long salt = rnd.nextLong();
            SlabAssembler.Stored inIndex = off -> stored(off, salt);
            int total = 1;
            for (int c : count) {
                total *= c;
            }
            long[] out = new long[total];
            SlabAssembler.assemble(chunk, offset, count, 1, out, new SlabAssembler.Chunks() {
                @Override
                public Object chunk(long[] off) {
                    return stored(off, salt) ? chunkOf(shape, chunk, off) : null;
                }

                @Override
                public void fill(Object slab, int from, int length) {
                    java.util.Arrays.fill((long[]) slab, from, from + length, -7L);
                }
            });
            long filled = 0;
            int i = 0;
            for (long[] idx : indices(offset, count)) {
                long[] chunkOffset = new long[rank];
                for (int d = 0; d < rank; d++) {
                    chunkOffset[d] = idx[d] / chunk[d] * chunk[d];
                }
                boolean isStored = stored(chunkOffset, salt);
                assertThat(out[i++]).isEqualTo(isStored ? linear(shape, idx) : -7L);
                filled += isStored ? 0 : 1;
            }
            assertThat(SlabAssembler.absentElements(chunk, offset, count, inIndex, Long.MAX_VALUE))
                    .isEqualTo(filled);
            if (filled > 0) {
                // counting stops once past the limit
                assertThat(SlabAssembler.absentElements(chunk, offset, count, inIndex, filled - 1))
                        .isGreaterThan(filled - 1);
            }
        }
    }

    /** Whether a chunk is stored, drawn per chunk (true for about two chunks in three). */
    private static boolean stored(long[] chunkOffset, long salt) {
        return new Random(java.util.Arrays.hashCode(chunkOffset) ^ salt).nextInt(3) != 0;
    }

    @Test
    void anAbsentScalarIsFilled() throws Exception {
        double[] out = new double[1];
        SlabAssembler.assemble(new int[0], new long[0], new int[0], 1, out, new SlabAssembler.Chunks() {
            @Override
            public Object chunk(long[] off) {
                return null;
            }

            @Override
            public void fill(Object slab, int from, int length) {
                ((double[]) slab)[from] = 4.5;
            }
        });
        assertThat(out).containsExactly(4.5);
    }

    @Test
    void recordsCopyWholeRecordWidths() throws Exception {
        // 5 records of 3 bytes in chunks of 2: record r holds bytes r*10 + {0, 1, 2}
        byte[] out = new byte[3 * 3];
        SlabAssembler.assemble(
                new int[] {2},
                new long[] {1},
                new int[] {3},
                3,
                out,
                off -> {
                    byte[] c = new byte[2 * 3];
                    for (int r = 0; r < 2; r++) {
                        for (int b = 0; b < 3; b++) {
                            c[r * 3 + b] = (byte) ((off[0] + r) * 10 + b);
                        }
                    }
                    return c;
                });
        assertThat(out).containsExactly(10, 11, 12, 20, 21, 22, 30, 31, 32);
    }

    @Test
    void scalar() throws Exception {
        double[] out = new double[1];
        SlabAssembler.assemble(
                new int[0], new long[0], new int[0], 1, out, off -> new double[] {2.5});
        assertThat(out).containsExactly(2.5);
    }

    /** A full-size chunk whose elements hold their dataset linear index, -1 past the edge. */
    private static long[] chunkOf(long[] shape, int[] chunk, long[] chunkOffset) {
        int n = 1;
        for (int c : chunk) {
            n *= c;
        }
        long[] data = new long[n];
        long[] zero = new long[chunk.length];
        int i = 0;
        for (long[] idx : indices(zero, chunk)) {
            long[] abs = new long[idx.length];
            boolean inside = true;
            for (int d = 0; d < idx.length; d++) {
                abs[d] = chunkOffset[d] + idx[d];
                inside &= abs[d] < shape[d];
            }
            data[i++] = inside ? linear(shape, abs) : -1;
        }
        return data;
    }

    private static long linear(long[] shape, long[] idx) {
        long l = 0;
        for (int d = 0; d < shape.length; d++) {
            l = l * shape[d] + idx[d];
        }
        return l;
    }

    /** All indices of a box in row-major order. */
    private static java.util.List<long[]> indices(long[] offset, int[] count) {
        java.util.List<long[]> out = new java.util.ArrayList<>();
        long[] idx = offset.clone();
        while (true) {
            out.add(idx.clone());
            int d = idx.length - 1;
            while (d >= 0 && ++idx[d] == offset[d] + count[d]) {
                idx[d] = offset[d];
                d--;
            }
            if (d < 0) {
                return out;
            }
        }
    }
}
