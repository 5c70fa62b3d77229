package io.github.flinkanndata.format.zarr;

/**
 * Undoes a dimension permutation of one chunk: the v3 {@code transpose} codec and zarr v2's {@code
 * order: "F"} (which is the transpose with the reversed axis order).
 *
 * <p>Convention of the v3 spec: encoding with {@code order} turns a chunk of shape {@code s} into
 * one of shape {@code e[i] = s[order[i]]} with {@code encoded[j] = decoded[k]}, {@code k[order[i]]
 * = j[i]}. Decoding walks the encoded chunk in C order and scatters into the decoded one.
 */
final class Transpose {

    private Transpose() {}

    /** The permutation that zarr v2's F order amounts to. */
    static int[] reversed(int rank) {
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = rank - 1 - i;
        }
        return order;
    }

    /** Checks that {@code order} is a permutation of {@code 0..rank-1}. */
    static boolean isPermutation(int[] order, int rank) {
        if (order.length != rank) {
            return false;
        }
        boolean[] seen = new boolean[rank];
        for (int o : order) {
            if (o < 0 || o >= rank || seen[o]) {
                return false;
            }
            seen[o] = true;
        }
        return true;
    }

    /** The encoded shape of a chunk of {@code decodedShape}. */
    static int[] encodedShape(int[] decodedShape, int[] order) {
        int[] e = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            e[i] = decodedShape[order[i]];
        }
        return e;
    }

    /**
     * Decodes fixed-size elements of {@code itemSize} bytes ({@code src} laid out in the encoded
     * shape) into C order of {@code decodedShape}.
     */
    static byte[] decode(byte[] src, int itemSize, int[] decodedShape, int[] order) {
        byte[] dst = new byte[src.length];
        walk(
                decodedShape,
                order,
                (from, to) -> System.arraycopy(src, from * itemSize, dst, to * itemSize, itemSize));
        return dst;
    }

    /** Same for object elements (variable-length strings). */
    static String[] decode(String[] src, int[] decodedShape, int[] order) {
        String[] dst = new String[src.length];
        walk(decodedShape, order, (from, to) -> dst[to] = src[from]);
        return dst;
    }

    private interface Move {
        void move(int from, int to);
    }

    private static void walk(int[] decodedShape, int[] order, Move move) {
        int rank = order.length;
        int total = 1;
        for (int d : decodedShape) {
            total *= d;
        }
        if (total == 0) {
            return;
        }
        int[] decodedStride = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--) {
            decodedStride[d] = stride;
            stride *= decodedShape[d];
        }
        int[] encShape = encodedShape(decodedShape, order);
        // step[i]: how far the decoded index moves when encoded index i moves by one
        int[] step = new int[rank];
        for (int i = 0; i < rank; i++) {
            step[i] = decodedStride[order[i]];
        }
        int[] j = new int[rank];
        int to = 0;
        for (int from = 0; from < total; from++) {
            move.move(from, to);
            // odometer over the encoded index, last axis fastest
            for (int i = rank - 1; i >= 0; i--) {
                if (++j[i] < encShape[i]) {
                    to += step[i];
                    break;
                }
                to -= step[i] * (j[i] - 1);
                j[i] = 0;
            }
        }
    }
}
