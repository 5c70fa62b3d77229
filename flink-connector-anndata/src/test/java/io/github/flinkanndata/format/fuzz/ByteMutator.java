package io.github.flinkanndata.format.fuzz;

import java.util.Arrays;
import java.util.Random;

/**
 * Structure-blind mutations of a byte string, the libFuzzer repertoire in small: bit flips,
 * "interesting" bytes and integers (0, -1, sign boundaries, huge lengths) in both byte orders,
 * truncation, deletion, duplication and random fill.
 *
 * <p>Positions favour the places where formats keep their structure: the head (HDF5 superblock and
 * root object header, zip local headers, codec headers) and the tail (zip central directory, a
 * sharded chunk's index), half of the time; the other half is uniform.
 */
final class ByteMutator {
    private static final byte[] INTERESTING_BYTES = {0, 1, 2, 0x10, 0x40, 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff};
    private static final long[] INTERESTING_LONGS = {
        0, 1, -1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0000L, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE
    };
    private static final int HEAD = 4096;
    private static final int TAIL = 512;

    private ByteMutator() {}

    /** A mutated copy of {@code in}: one to eight stacked mutations. */
    static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in;
        int n = 1 + Integer.numberOfTrailingZeros(rnd.nextInt() | 0x80); // 1..8, geometric
        for (int i = 0; i < n; i++) {
            b = once(b, rnd);
        }
        return b == in ? in.clone() : b;
    }

    /** Like {@link #mutate} but keeping the length: no truncation, deletion or insertion. */
    static byte[] mutateInPlace(byte[] in, Random rnd) {
        byte[] b = in.clone();
        int n = 1 + Integer.numberOfTrailingZeros(rnd.nextInt() | 0x80);
        for (int i = 0; i < n && b.length > 0; i++) {
            int op = rnd.nextInt(6);
            b = once(b, rnd, op < 5 ? op : 8);
        }
        return b;
    }

    private static byte[] once(byte[] in, Random rnd) {
        return once(in, rnd, rnd.nextInt(9));
    }

    private static byte[] once(byte[] in, Random rnd, int op) {
        if (in.length == 0) {
            byte[] r = new byte[1 + rnd.nextInt(16)];
            rnd.nextBytes(r);
            return r;
        }
        byte[] b = in.clone();
        int at = position(b.length, rnd);
        switch (op) {
            case 0:
            case 1:
                b[at] ^= (byte) (1 << rnd.nextInt(8));
                return b;
            case 2:
                b[at] = INTERESTING_BYTES[rnd.nextInt(INTERESTING_BYTES.length)];
                return b;
            case 3:
            case 4:
                putInteger(b, at, INTERESTING_LONGS[rnd.nextInt(INTERESTING_LONGS.length)], rnd);
                return b;
            case 5:
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            case 6: {
                int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
                byte[] r = new byte[b.length - len];
                System.arraycopy(b, 0, r, 0, at);
                System.arraycopy(b, at + len, r, at, b.length - at - len);
                return r;
            }
            case 7: {
                int from = rnd.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + rnd.nextInt(256));
                byte[] r = new byte[b.length + len];
                System.arraycopy(b, 0, r, 0, at);
                System.arraycopy(b, from, r, at, len);
                System.arraycopy(b, at, r, at + len, b.length - at);
                return r;
            }
            default: {
                int len = Math.min(b.length - at, 1 + rnd.nextInt(32));
                for (int i = 0; i < len; i++) {
                    b[at + i] = (byte) rnd.nextInt();
                }
                return b;
            }
        }
    }

    private static int position(int length, Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0:
                return rnd.nextInt(Math.min(length, HEAD));
            case 1:
                return length - 1 - rnd.nextInt(Math.min(length, TAIL));
            default:
                return rnd.nextInt(length);
        }
    }

    /** Writes 1, 2, 4 or 8 bytes of {@code v} at {@code at}, little- or big-endian, as far as they fit. */
    private static void putInteger(byte[] b, int at, long v, Random rnd) {
        int width = 1 << rnd.nextInt(4);
        boolean little = rnd.nextInt(4) != 0; // HDF5 and most zarr payloads are little-endian
        for (int i = 0; i < width && at + i < b.length; i++) {
            int shift = 8 * (little ? i : width - 1 - i);
            b[at + i] = (byte) (v >>> shift);
        }
    }
}
