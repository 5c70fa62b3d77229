package io.github.flinkanndata.source.cache;

import java.io.Serializable;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * How remote stores are cached on each node: where, how many bytes at most, and how often a
 * failed download is retried. Serializable: it travels in the job graph inside the source
 * settings. Validated where the settings are read ({@code SourceSettings#from}).
 */
@Internal
public final class CacheSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Folder name of the cache under the node's temporary directory when no directory is set. */
    public static final String DEFAULT_FOLDER = "flink-anndata-store-cache";

    @Nullable private final String directory;
    private final long maxBytes;
    private final int downloadRetries;

    public CacheSettings(@Nullable String directory, long maxBytes, int downloadRetries) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.downloadRetries = downloadRetries;
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
                && Objects.equals(directory, that.directory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(directory, maxBytes, downloadRetries);
    }

    @Override
    public String toString() {
        return "CacheSettings{dir=" + (directory == null ? "<tmp>/" + DEFAULT_FOLDER : directory)
                + ", maxBytes=" + maxBytes + ", downloadRetries=" + downloadRetries + "}";
    }
}
