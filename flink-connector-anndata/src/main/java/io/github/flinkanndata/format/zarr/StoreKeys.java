package io.github.flinkanndata.format.zarr;

import java.io.IOException;
import java.util.Comparator;

import javax.annotation.Nullable;

/**
 * Validation and joining of store keys and node paths.
 *
 * <p>Node paths come from callers and from metadata; keys derived from them are used to open files.
 * A key with a {@code ..} or {@code .} segment, an empty segment, a leading slash, a backslash, a
 * drive letter or a NUL could name something outside the store, so all of those are refused here,
 * once, for every store implementation.
 */
final class StoreKeys {

    /** Orders names by Unicode code point (String#compareTo orders by UTF-16 unit). */
    static final Comparator<String> CODE_POINT_ORDER =
            (a, b) -> {
                int i = 0;
                int j = 0;
                while (i < a.length() && j < b.length()) {
                    int ca = a.codePointAt(i);
                    int cb = b.codePointAt(j);
                    if (ca != cb) {
                        return Integer.compare(ca, cb);
                    }
                    i += Character.charCount(ca);
                    j += Character.charCount(cb);
                }
                return Integer.compare(a.length() - i, b.length() - j);
            };

    private StoreKeys() {}

    /**
     * Returns the problem with a key or node path, or null if it is safe. The empty string (the
     * root) is safe.
     */
    @Nullable
    static String problem(String key) {
        if (key.isEmpty()) {
            return null;
        }
        if (key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            return "contains a backslash or NUL";
        }
        if (key.startsWith("/")) {
            return "is absolute";
        }
        if (key.length() >= 2
                && key.charAt(1) == ':'
                && Character.isLetter(key.charAt(0))
                && (key.length() == 2 || key.charAt(2) == '/')) {
            return "starts with a drive letter";
        }
        // segment by segment in place: every chunk key of every read passes here, and splitting
        // it cost about 260 bytes a chunk (most of the allocation of a read across many small
        // chunks that are not stored, found by the reader fuzzer)
        int start = 0;
        while (true) {
            int end = key.indexOf('/', start);
            if (end < 0) {
                end = key.length();
            }
            int length = end - start;
            if (length == 0) {
                return "has an empty segment";
            }
            if (key.charAt(start) == '.' && (length == 1 || (length == 2 && key.charAt(start + 1) == '.'))) {
                return "has a '" + key.substring(start, end) + "' segment";
            }
            if (end == key.length()) {
                return null;
            }
            start = end + 1;
        }
    }

    /** Throws if the key is unsafe; used by the stores as a last line of defence. */
    static void check(String key) throws IOException {
        String problem = problem(key);
        if (problem != null) {
            throw new IOException("refusing key '" + key + "': it " + problem);
        }
    }

    /** Joins a node path and a relative name ({@code ""} is the root). */
    static String join(String path, String name) {
        return path.isEmpty() ? name : path + "/" + name;
    }

    /** The parent of a node path; the parent of a top-level node is the root {@code ""}. */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /** The last segment of a node path. */
    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
