package io.github.flinkanndata.source.config;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.assigner.SamplingPolicy;
import io.github.flinkanndata.source.cache.CacheSettings;
import io.github.flinkanndata.source.record.BatchToken;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The typed, validated view of the source's options that the enumerators and readers use. The
 * source package reads and checks it from a configuration in one place ({@code
 * source.SettingsReader}); it lives here, below the source package, so that the readers and
 * enumerators the source creates can use it without depending back on the source. Serializable:
 * it travels in the job graph. It holds no plan and no file contents; the enumerator plans when
 * the job starts.
 *
 * @param policy the sampling policy the enumerator hands out splits by
 * @param epochs number of epochs, or {@link #UNBOUNDED}
 * @param watchDirectories directories watched for new stores; empty unless the collection grows
 * @param genes the explicit fixed gene space of a growing collection, or null for the initial join
 * @param storeCache where and how remote stores are read and cached on each node
 * @param startToken the numbered-batch position to start from, or null to start at the first epoch
 */
@Internal
public record SourceSettings(CollectionOptions collection, OutputForm output, SamplingMode sampling,
        SamplingPolicy policy, int blockSize, int windowBlocks, int rowsPerSplit, @Nullable List<String> weightKeys,
        @Nullable Double weightScaler, int epochs, long seed, int fetchRows, int maxOpenStores,
        List<String> watchDirectories, Duration discoveryInterval, @Nullable List<String> genes,
        CacheSettings storeCache, @Nullable BatchToken startToken) implements Serializable {

    /** Epochs value of an unbounded (continuous) source. */
    public static final int UNBOUNDED = -1;

    public boolean bounded() {
        return epochs != UNBOUNDED;
    }

    /** A growing collection: stores found in {@link #watchDirectories()} join while the job runs. */
    public boolean growing() {
        return !watchDirectories.isEmpty();
    }

    /** The policy of a growing collection: one that can follow it as it grows. */
    public SamplingPolicy.Growable growingPolicy() {
        if (!growing()) {
            throw new IllegalStateException("not a growing collection");
        }
        return (SamplingPolicy.Growable) policy; // checked when the settings were read
    }

    /**
     * The settings the order of samples in an epoch depends on, besides the collection itself:
     * sampling, block and window sizes, rows per split, weights and seed (8 hex digits of their
     * hash, stable across JVMs). Part of a position token's key.
     */
    public String orderKey() {
        String text = sampling + "/" + blockSize + "/" + windowBlocks + "/" + rowsPerSplit + "/" + weightKeys + "/"
                + weightScaler + "/" + seed;
        return String.format("%08x", text.hashCode());
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
