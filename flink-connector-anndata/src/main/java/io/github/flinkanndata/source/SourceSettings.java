package io.github.flinkanndata.source;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.cache.CacheSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Everything the source was configured with, validated by {@link AnnDataSourceBuilder}: the
 * collection options plus how to sample. Serializable: it travels in the job graph. It holds no
 * plan and no file contents; the enumerator plans when the job starts.
 */
@Internal
public final class SourceSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Epochs value of an unbounded (continuous) source. */
    public static final int UNBOUNDED = -1;

    final CollectionOptions collection;
    final OutputForm output;
    final SamplingMode sampling;
    final int blockSize;
    final int windowBlocks;
    final int rowsPerSplit;
    @Nullable final List<String> weightKeys;
    @Nullable final Double weightScaler;
    final int epochs;
    final long seed;
    final int fetchRows;
    final int maxOpenStores;
    final List<String> watchDirectories;
    final Duration discoveryInterval;
    @Nullable final List<String> genes;
    final CacheSettings storeCache;

    SourceSettings(CollectionOptions collection, OutputForm output, SamplingMode sampling, int blockSize,
            int windowBlocks, int rowsPerSplit, @Nullable List<String> weightKeys,
            @Nullable Double weightScaler, int epochs, long seed, int fetchRows, int maxOpenStores,
            List<String> watchDirectories, Duration discoveryInterval, @Nullable List<String> genes,
            CacheSettings storeCache) {
        this.collection = collection;
        this.output = output;
        this.sampling = sampling;
        this.blockSize = blockSize;
        this.windowBlocks = windowBlocks;
        this.rowsPerSplit = rowsPerSplit;
        this.weightKeys = weightKeys == null ? null : List.copyOf(weightKeys);
        this.weightScaler = weightScaler;
        this.epochs = epochs;
        this.seed = seed;
        this.fetchRows = fetchRows;
        this.maxOpenStores = maxOpenStores;
        this.watchDirectories = List.copyOf(watchDirectories);
        this.discoveryInterval = discoveryInterval;
        this.genes = genes == null ? null : List.copyOf(genes);
        this.storeCache = storeCache;
    }

    public CollectionOptions collection() {
        return collection;
    }

    public OutputForm output() {
        return output;
    }

    public SamplingMode sampling() {
        return sampling;
    }

    public int blockSize() {
        return blockSize;
    }

    public int windowBlocks() {
        return windowBlocks;
    }

    public int rowsPerSplit() {
        return rowsPerSplit;
    }

    @Nullable
    public List<String> weightKeys() {
        return weightKeys;
    }

    @Nullable
    public Double weightScaler() {
        return weightScaler;
    }

    /** Number of epochs, or {@link #UNBOUNDED}. */
    public int epochs() {
        return epochs;
    }

    public boolean bounded() {
        return epochs != UNBOUNDED;
    }

    public long seed() {
        return seed;
    }

    public int fetchRows() {
        return fetchRows;
    }

    public int maxOpenStores() {
        return maxOpenStores;
    }

    /** Directories watched for new stores; empty unless the collection grows. */
    public List<String> watchDirectories() {
        return watchDirectories;
    }

    /** A growing collection: stores found in {@link #watchDirectories()} join while the job runs. */
    public boolean growing() {
        return !watchDirectories.isEmpty();
    }

    public Duration discoveryInterval() {
        return discoveryInterval;
    }

    /** The explicit fixed gene space of a growing collection, or null for the initial join. */
    @Nullable
    public List<String> genes() {
        return genes;
    }

    /** Where and how remote stores are cached on each node. */
    public CacheSettings storeCache() {
        return storeCache;
    }

    @Override
    public String toString() {
        return "SourceSettings{" + collection + ", output=" + output + ", sampling=" + sampling
                + ", blockSize=" + blockSize + ", windowBlocks=" + windowBlocks + ", rowsPerSplit="
                + rowsPerSplit + ", weightKeys=" + weightKeys + ", epochs="
                + (bounded() ? String.valueOf(epochs) : "unbounded") + ", seed=" + seed
                + (growing() ? ", watch=" + watchDirectories + " every " + discoveryInterval
                        + (genes == null ? "" : ", " + genes.size() + " fixed genes") : "") + ", " + storeCache + "}";
    }
}
