package io.github.flinkanndata.format.zarr;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

import javax.annotation.Nullable;

/**
 * Read-only key/value view of a zarr store: a directory ({@link DirectoryStore}) or a zip file
 * ({@link ZipStore}). Keys are slash-separated relative paths such as {@code X/.zarray} or {@code
 * X/data/c/0}; every implementation rejects keys that could leave the store (see {@link
 * StoreKeys#check}).
 *
 * <p>Implementations are safe for concurrent use; {@link #close()} must not race with reads.
 */
interface ZarrStore extends Closeable {

    /** The whole value of a key, or null if the key does not exist. */
    @Nullable
    byte[] read(String key) throws IOException;

    /** The size in bytes of a key's value, or -1 if the key does not exist. */
    long size(String key) throws IOException;

    /**
     * Exactly {@code length} bytes of a key's value from {@code offset}. Used for shard indexes and
     * inner chunks, so that a shard is never read whole.
     *
     * @throws java.io.EOFException if the value is shorter than {@code offset + length}
     * @throws java.io.FileNotFoundException if the key does not exist
     */
    byte[] readRange(String key, long offset, int length) throws IOException;

    /**
     * Names of the immediate sub-"directories" of a prefix ({@code ""} for the store root, else a
     * key prefix without trailing slash), in no particular order.
     */
    List<String> listDirectories(String prefix) throws IOException;

    /**
     * The keys below a prefix (a node path, {@code ""} for the root) of at most {@code maxDepth}
     * segments, relative to it, in no particular order; null if there are more than {@code
     * maxKeys} of them or this store cannot list its keys. {@link ChunkSource} lists an array's
     * chunks once instead of probing, one by one, the many chunks a long read finds not stored;
     * both limits keep the listing as small as the chunks can be, whatever else the store holds.
     */
    /** Whether {@link #prefetch} does anything (a remote store); local stores read as they go. */
    default boolean prefetches() {
        return false;
    }

    /**
     * Asks the store to fetch, concurrently, keys a read is about to need: whole keys where {@code
     * lengths[i] < 0}, else {@code lengths[i]} bytes at {@code offsets[i]}. Only a hint: absent
     * keys are skipped, and the reads that follow still read every key.
     */
    default void prefetch(List<String> keys, long[] offsets, int[] lengths) throws IOException {}

    @Nullable
    default List<String> listKeys(String prefix, int maxDepth, int maxKeys) throws IOException {
        return null;
    }
}
