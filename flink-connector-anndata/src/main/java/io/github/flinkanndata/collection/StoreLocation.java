package io.github.flinkanndata.collection;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * What a store path as the user wrote it names: a local file or directory (no scheme, or a
 * {@code file:} URI) or a remote store (any other scheme: {@code s3://}, {@code hdfs://}, ...).
 * Every resolver and every client-side check asks here, so that a path means the same to the
 * collection without Flink, to the source's readers and to the command-line tool.
 */
public final class StoreLocation {
    // RFC 3986 scheme of two or more characters: a single letter is a Windows drive (C:\data)
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):");

    private StoreLocation() {}

    /** The path's URI scheme in lower case, or null for a plain local path. */
    @Nullable
    public static String scheme(String path) {
        Matcher m = SCHEME.matcher(path);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    /** Whether {@code path} names a store that only a Flink file system can read. */
    public static boolean isRemote(String path) {
        String scheme = scheme(path);
        return scheme != null && !scheme.equals("file");
    }

    /**
     * The local file or directory {@code path} names, or null when it is remote. Of a {@code
     * file:} URI the authority ({@code file://localhost/...}) is ignored, as Flink's local file
     * system does; percent escapes, as {@code Path.toUri()} and Python's {@code as_uri()} write
     * them, are decoded, while a URI written by hand with raw spaces is read as it is.
     */
    @Nullable
    public static Path local(String path) {
        String scheme = scheme(path);
        if (scheme == null) {
            return Path.of(path);
        }
        if (!scheme.equals("file")) {
            return null;
        }
        String rest = path.substring("file:".length());
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "/" : rest.substring(slash);
        }
        if (rest.indexOf('%') >= 0) {
            try {
                rest = new URI(rest).getPath();
            } catch (URISyntaxException e) {
                // not a valid escaped path: a file name that contains '%'
            }
        }
        return Path.of(rest);
    }
}
