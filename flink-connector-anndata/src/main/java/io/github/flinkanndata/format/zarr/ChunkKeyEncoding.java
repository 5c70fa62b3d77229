package io.github.flinkanndata.format.zarr;

import javax.annotation.Nullable;

/**
 * Maps chunk grid coordinates to store keys: v3's default encoding ({@code c/1/0}, {@code c} for a
 * 0-d array) and the v2 encoding ({@code 1.0} or {@code 1/0}, {@code 0} for a 0-d array), which v3
 * arrays may also declare. Immutable.
 */
record ChunkKeyEncoding(boolean v3Default, String separator) {

    static ChunkKeyEncoding v3Default(String separator) {
        return new ChunkKeyEncoding(true, separator);
    }

    static ChunkKeyEncoding v2(String separator) {
        return new ChunkKeyEncoding(false, separator);
    }

    /** The store key of a chunk (or shard) of the array at {@code arrayPath}. */
    String key(String arrayPath, long[] coords) {
        StringBuilder sb = new StringBuilder(arrayPath.length() + 2 + 4 * coords.length);
        if (!arrayPath.isEmpty()) {
            sb.append(arrayPath).append('/');
        }
        if (v3Default) {
            sb.append('c');
            for (long c : coords) {
                sb.append(separator).append(c);
            }
        } else if (coords.length == 0) {
            sb.append('0');
        } else {
            for (int i = 0; i < coords.length; i++) {
                if (i > 0) {
                    sb.append(separator);
                }
                sb.append(coords[i]);
            }
        }
        return sb.toString();
    }

    /** Segments of the key of a chunk of a {@code rank}-d array, relative to the array. */
    int depth(int rank) {
        if (!separator.equals("/")) {
            return 1;
        }
        return Math.max(1, rank + (v3Default ? 1 : 0));
    }

    /**
     * The grid coordinates a key names, given relative to its array ({@code c/1/0}, {@code 1.0}),
     * or null if it names no chunk of a {@code rank}-d array in this encoding (metadata files,
     * other names). The inverse of {@link #key} for the keys it writes.
     */
    @Nullable
    long[] coords(String relativeKey, int rank) {
        String s = relativeKey;
        if (v3Default) {
            if (rank == 0) {
                return s.equals("c") ? new long[0] : null;
            }
            if (!s.startsWith("c" + separator)) {
                return null;
            }
            s = s.substring(1 + separator.length());
        } else if (rank == 0) {
            return s.equals("0") ? new long[0] : null;
        }
        long[] c = new long[rank];
        int start = 0;
        for (int d = 0; d < rank; d++) {
            int end = d == rank - 1 ? s.length() : s.indexOf(separator, start);
            if (end < 0 || end == start || end - start > 18) {
                return null;
            }
            for (int i = start; i < end; i++) {
                if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                    return null;
                }
            }
            c[d] = Long.parseLong(s, start, end, 10);
            start = end + separator.length();
        }
        return c;
    }
}
