package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One object (a file) or directory of a remote store as its file system lists it: where it is,
 * its length, its modification time and, where the file system has one, its entity tag (S3's
 * ETag, a digest of the content). Length, modification time and entity tag are its
 * <i>version</i>: the
 * {@link RangeCache} keys every cached range by them, so a replaced object is never served from
 * bytes of its predecessor, and {@link RangeReader} fails when the version of an object changes
 * while a job reads it. Immutable.
 */
@Internal
public final class ObjectInfo {
    private final String uri;
    private final String key;
    private final long length;
    private final long modified;
    private final boolean directory;
    @Nullable private final String etag;
    @Nullable private final Object handle;

    /**
     * @param uri the object's full location (cache keys use it, so it must name one object)
     * @param key its path relative to the store's root, '/'-separated; empty for the root
     */
    public ObjectInfo(String uri, String key, long length, long modified, boolean directory) {
        this(uri, key, length, modified, directory, null);
    }

    /** @param etag the object's entity tag (quotes removed), or null if the file system has none */
    public ObjectInfo(String uri, String key, long length, long modified, boolean directory, @Nullable String etag) {
        this(uri, key, length, modified, directory, etag, null);
    }

    /**
     * @param handle the file system's own description of the object, for its {@link ObjectStorage}
     *     to read it by (Hadoop's file status, to open the object without asking it again); not part
     *     of the version, and never looked at by this layer
     */
    public ObjectInfo(String uri, String key, long length, long modified, boolean directory, @Nullable String etag,
            @Nullable Object handle) {
        this.handle = handle;
        this.uri = Objects.requireNonNull(uri);
        this.key = Objects.requireNonNull(key);
        this.length = length;
        this.modified = modified;
        this.directory = directory;
        this.etag = etag == null || etag.isEmpty() ? null : etag;
    }

    /** The handle its {@link ObjectStorage} gave it, or null. */
    @Nullable
    public Object handle() {
        return handle;
    }

    /** The entity tag, or null. */
    @Nullable
    public String etag() {
        return etag;
    }

    public String uri() {
        return uri;
    }

    public String key() {
        return key;
    }

    /** The last segment of the key (of the URI for the root). */
    public String name() {
        String k = key.isEmpty() ? uri : key;
        while (k.endsWith("/") && k.length() > 1) {
            k = k.substring(0, k.length() - 1);
        }
        return k.substring(k.lastIndexOf('/') + 1);
    }

    public long length() {
        return length;
    }

    public long modified() {
        return modified;
    }

    public boolean isDirectory() {
        return directory;
    }

    /**
     * Whether {@code other} is the same version of the same object (URI, length, modification
     * time, and entity tag when both have one). Two directories are always the same version: object stores have no directories, and
     * the times file systems report for them (often "now") say nothing about their contents.
     */
    public boolean sameVersion(ObjectInfo other) {
        if (!uri.equals(other.uri) || directory != other.directory) {
            return false;
        }
        return directory || (length == other.length && modified == other.modified
                && (etag == null || other.etag == null || etag.equals(other.etag)));
    }

    /** The version as text, for messages. */
    public String version() {
        return directory ? "a directory"
                : length + " bytes, modified at " + modified + (etag == null ? "" : ", etag " + etag);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectInfo && sameVersion((ObjectInfo) o) && key.equals(((ObjectInfo) o).key);
    }

    @Override
    public int hashCode() {
        return directory ? Objects.hash(uri, key) : Objects.hash(uri, key, length, modified);
    }

    @Override
    public String toString() {
        return uri + " (" + version() + ")";
    }
}
