package io.github.flinkanndata.format.tree;

import java.io.Serializable;

/**
 * Tuning knobs of an open container. They never change values, only speed and memory.
 *
 * <p>{@code chunkCacheBytes} bounds the decoded-chunk cache of one container (default 64 MiB); 0
 * disables caching.
 */
public final class ContainerOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final long DEFAULT_CHUNK_CACHE_BYTES = 64L << 20;

    private final long chunkCacheBytes;

    private ContainerOptions(long chunkCacheBytes) {
        if (chunkCacheBytes < 0) {
            throw new IllegalArgumentException(
                    "chunkCacheBytes must be >= 0, was " + chunkCacheBytes);
        }
        this.chunkCacheBytes = chunkCacheBytes;
    }

    public static ContainerOptions defaults() {
        return new ContainerOptions(DEFAULT_CHUNK_CACHE_BYTES);
    }

    public ContainerOptions withChunkCacheBytes(long bytes) {
        return new ContainerOptions(bytes);
    }

    public long chunkCacheBytes() {
        return chunkCacheBytes;
    }

    @Override
    public String toString() {
        return "ContainerOptions{chunkCacheBytes=" + chunkCacheBytes + "}";
    }
}
