package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.io.IOException;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The file system a remote store lives on, as {@link RangeReader} needs it: what is at a key, what
 * a directory holds, and single byte-range reads. Implementations make <b>one attempt</b> per call;
 * retries, caching, coalescing and concurrency are {@link RangeReader}'s. The source implements it
 * over Flink's {@code FileSystem}, so this layer stays free of Flink; tests implement it in memory.
 *
 * <p>Keys are relative to the store's root, '/'-separated; the empty key is the root itself (the
 * one object of a single-file store, or the directory of a zarr directory store). Implementations
 * must be safe for concurrent use.
 */
@Internal
public interface ObjectStorage {
    /** The store's location as the user wrote it, for messages and cache keys. */
    String location();

    /** What is at {@code key} now, or null if nothing is. */
    @Nullable
    ObjectInfo stat(String key) throws IOException;

    /** The immediate children of the directory at {@code key}; empty if it is none. */
    List<ObjectInfo> list(String key) throws IOException;

    /**
     * Whether {@link #listRecursive} works: the file system lists every object below a directory,
     * at any depth, in one paged listing (S3's flat listing of a prefix), fewer requests than a
     * listing per directory. Flink's {@code FileSystem} API has no such listing; Hadoop's has
     * ({@code listFiles(path, true)}), which the source reaches for Hadoop-based file systems.
     */
    default boolean listsRecursively() {
        return false;
    }

    /**
     * The objects (no directories) below the directory at {@code key}, at any depth; empty if it
     * is none. Only if {@link #listsRecursively}.
     */
    default List<ObjectInfo> listRecursive(String key) throws IOException {
        throw new UnsupportedOperationException("no recursive listing on " + location());
    }

    /**
     * Reads exactly {@code length} bytes of {@code object} from {@code offset} into {@code dst}.
     *
     * @throws java.io.EOFException if the object ends first
     * @throws java.io.FileNotFoundException if the object is gone
     */
    void read(ObjectInfo object, long offset, byte[] dst, int dstOffset, int length) throws IOException;

    /**
     * As {@link #read}, and says whether the file system itself guaranteed that the bytes are of
     * {@code object}'s version: a conditional request (S3's {@code If-Match} on the entity tag)
     * that fails with {@link ObjectChangedException} when the object is another one now. Then
     * {@link RangeReader} asks no status after the fetch. By default false: the bytes are
     * checked by a status after the fetch.
     */
    default boolean readVerified(ObjectInfo object, long offset, byte[] dst, int dstOffset, int length)
            throws IOException {
        read(object, offset, dst, dstOffset, length);
        return false;
    }

    /**
     * Whether a failure of {@link #read}, {@link #stat} or {@link #list} may go away when tried
     * again (a dropped connection, a throttled request), so that it is worth a retry. By default
     * everything but a missing object, a refused access, an end of file and a changed object.
     */
    default boolean isTransient(IOException failure) {
        return !(failure instanceof java.io.FileNotFoundException
                || failure instanceof java.nio.file.NoSuchFileException
                || failure instanceof java.nio.file.AccessDeniedException
                || failure instanceof java.io.EOFException
                || failure instanceof ObjectChangedException);
    }
}
