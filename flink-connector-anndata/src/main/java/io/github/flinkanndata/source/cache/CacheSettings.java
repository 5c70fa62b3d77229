package io.github.flinkanndata.source.cache;

import java.io.Serializable;
import java.util.Objects;
import io.github.flinkanndata.format.remote.RemoteReadSettings;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * How remote stores are read on each node: in place by ranges (the default; how large the range
 * cache is, how many requests run at once, retries and version checks) or copied whole into the
 * store cache (where, how many bytes at most, and how often a failed download is retried). Serializable: it travels in the job graph inside the source
 * settings. Validated where the settings are read ({@code SettingsReader#read}).
 */
@Internal
public final class CacheSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Folder name of the cache under the node's temporary directory when no directory is set. */
    public static final String DEFAULT_FOLDER = "flink-anndata-store-cache";

    /** Default bound of a TaskManager's in-memory range cache. */
    public static final long DEFAULT_RANGE_CACHE_BYTES = 256L << 20;
    /** Default number of concurrent range requests per TaskManager. */
    public static final int DEFAULT_FETCH_THREADS = 8;

    @Nullable private final String directory;
    private final long maxBytes;
    private final int downloadRetries;
    private final RemoteMode mode;
    private final long rangeCacheBytes;
    private final int fetchThreads;
    private final RemoteReadSettings reads;

    /** Copy-cache settings with the default remote reading: by ranges. */
    public CacheSettings(@Nullable String directory, long maxBytes, int downloadRetries) {
        this(directory, maxBytes, downloadRetries, RemoteMode.RANGE, DEFAULT_RANGE_CACHE_BYTES, DEFAULT_FETCH_THREADS,
                RemoteReadSettings.DEFAULTS);
    }

    /**
     * @param mode whether remote stores are read in place by ranges or copied whole first
     * @param rangeCacheBytes bound of the TaskManager's in-memory range cache (range mode)
     * @param fetchThreads concurrent range requests per TaskManager (range mode)
     * @param reads retries, coalescing and version checks of range reads
     */
    public CacheSettings(@Nullable String directory, long maxBytes, int downloadRetries, RemoteMode mode,
            long rangeCacheBytes, int fetchThreads, RemoteReadSettings reads) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.downloadRetries = downloadRetries;
        this.mode = Objects.requireNonNull(mode, "remoteMode");
        this.rangeCacheBytes = rangeCacheBytes;
        this.fetchThreads = fetchThreads;
        this.reads = Objects.requireNonNull(reads);
    }

    public RemoteMode mode() {
        return mode;
    }

    public long rangeCacheBytes() {
        return rangeCacheBytes;
    }

    public int fetchThreads() {
        return fetchThreads;
    }

    public RemoteReadSettings reads() {
        return reads;
    }

    /** The cache folder, or null for {@link #DEFAULT_FOLDER} under the node's temporary directory. */
    @Nullable
    public String directory() {
        return directory;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public int downloadRetries() {
        return downloadRetries;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CacheSettings)) {
            return false;
        }
        CacheSettings that = (CacheSettings) o;
        return maxBytes == that.maxBytes && downloadRetries == that.downloadRetries
                && Objects.equals(directory, that.directory) && mode == that.mode
                && rangeCacheBytes == that.rangeCacheBytes && fetchThreads == that.fetchThreads
                && reads.equals(that.reads);
    }

    @Override
    public int hashCode() {
        return Objects.hash(directory, maxBytes, downloadRetries, mode, rangeCacheBytes, fetchThreads, reads);
    }

    @Override
    public String toString() {
        return "CacheSettings{dir=" + (directory == null ? "<tmp>/" + DEFAULT_FOLDER : directory)
                + ", maxBytes=" + maxBytes + ", downloadRetries=" + downloadRetries + ", remote=" + mode
                + (mode == RemoteMode.RANGE ? ", rangeCacheBytes=" + rangeCacheBytes + ", fetchThreads=" + fetchThreads
                        + ", " + reads : "") + "}";
    }
}
