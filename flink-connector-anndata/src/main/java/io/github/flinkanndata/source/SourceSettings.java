package io.github.flinkanndata.source;

import static io.github.flinkanndata.source.AnnDataSourceOptions.*;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionOptionsBuilder;
import io.github.flinkanndata.collection.Join;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.source.assigner.SamplingPolicy;
import io.github.flinkanndata.format.remote.RemoteReadSettings;
import io.github.flinkanndata.source.cache.CacheSettings;
import io.github.flinkanndata.source.cache.CachingStoreResolver;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The typed view of the source's options ({@link AnnDataSourceOptions}), read and validated here
 * and nowhere else: {@link #from} parses every option, applies its check, then the rules between
 * options. It is what the enumerators and readers use. Serializable: it travels in the job graph.
 * It holds no plan and no file contents; the enumerator plans when the job starts.
 */
@Internal
public final class SourceSettings implements Serializable {
    private static final long serialVersionUID = 3L;

    /** Epochs value of an unbounded (continuous) source. */
    public static final int UNBOUNDED = -1;

    private final CollectionOptions collection;
    private final OutputForm output;
    private final SamplingMode sampling;
    private final SamplingPolicy policy;
    private final int blockSize;
    private final int windowBlocks;
    private final int rowsPerSplit;
    @Nullable private final List<String> weightKeys;
    @Nullable private final Double weightScaler;
    private final int epochs;
    private final long seed;
    private final int fetchRows;
    private final int maxOpenStores;
    private final List<String> watchDirectories;
    private final Duration discoveryInterval;
    @Nullable private final List<String> genes;
    private final CacheSettings storeCache;
    @Nullable private final BatchToken startToken;

    /**
     * Reads and validates every option of {@code config}.
     *
     * @param fixed collection options built elsewhere, used instead of the collection options
     * @throws InvalidOptionException naming the option and the problem
     * @throws IllegalArgumentException for collection options that lamindb's rules reject
     */
    public static SourceSettings from(ReadableConfig config, @Nullable CollectionOptions fixed) {
        checkEach(config);
        return new SourceSettings(config, fixed);
    }

    /**
     * Parses and checks each option of {@code config} on its own, without the rules between them.
     *
     * @throws InvalidOptionException naming the first option at fault
     */
    public static void checkEach(ReadableConfig config) {
        for (ConfigOption<?> option : all()) {
            check(config, option);
        }
    }

    private static <T> void check(ReadableConfig config, ConfigOption<T> option) {
        Optional<T> value;
        try {
            value = config.getOptional(option);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(option, "has an invalid value: %s", e.getMessage());
        }
        String problem = value.map(v -> AnnDataSourceOptions.problem(option, v)).orElse(null);
        if (problem != null) {
            throw new InvalidOptionException(option, "%s", problem);
        }
    }

    private SourceSettings(ReadableConfig c, @Nullable CollectionOptions fixed) {
        this.output = c.get(OUTPUT);
        this.sampling = c.get(SAMPLING);
        this.blockSize = c.get(BLOCK_SIZE);
        this.windowBlocks = c.get(WINDOW_BLOCKS);
        this.rowsPerSplit = c.get(ROWS_PER_SPLIT);
        this.weightKeys = c.getOptional(WEIGHT_KEYS).orElse(null);
        this.weightScaler = c.getOptional(WEIGHT_SCALER).orElse(null);
        this.epochs = c.get(EPOCHS);
        this.seed = c.get(SEED);
        this.fetchRows = c.get(FETCH_ROWS);
        this.maxOpenStores = c.get(MAX_OPEN_STORES);
        this.watchDirectories = c.getOptional(WATCH_DIRECTORIES).orElse(List.of());
        this.discoveryInterval = c.get(DISCOVERY_INTERVAL);
        this.genes = c.getOptional(GENES).orElse(null);
        this.storeCache = new CacheSettings(c.getOptional(STORE_CACHE_DIR).orElse(null),
                c.get(STORE_CACHE_MAX_BYTES).getBytes(), c.get(STORE_CACHE_DOWNLOAD_RETRIES), c.get(REMOTE_MODE),
                c.get(REMOTE_CACHE_BYTES).getBytes(), c.get(REMOTE_FETCH_THREADS), RemoteReadSettings.DEFAULTS
                        .withRetries(c.get(REMOTE_RETRIES), RemoteReadSettings.DEFAULTS.backoffMillis())
                        .withValidateIntervalMillis(c.get(REMOTE_VALIDATE_INTERVAL).toMillis()));
        if (sampling == SamplingMode.WEIGHTED && (weightKeys == null || weightKeys.isEmpty())) {
            throw new InvalidOptionException(WEIGHT_KEYS, "must name the obs keys to balance in %s sampling", sampling);
        }
        if (sampling != SamplingMode.WEIGHTED && weightKeys != null) {
            throw new InvalidOptionException(WEIGHT_KEYS, "given (%s), but %s is %s", weightKeys, SAMPLING, sampling);
        }
        this.policy = sampling == SamplingMode.SEQUENTIAL ? SamplingPolicy.sequential(rowsPerSplit)
                : sampling == SamplingMode.BLOCK_SHUFFLED ? SamplingPolicy.blockShuffled(blockSize, windowBlocks, seed)
                : SamplingPolicy.weighted(blockSize, windowBlocks, seed, weightKeys, weightScaler);
        this.collection = fixed != null ? fixed : collection(c);
        this.startToken = c.getOptional(START_TOKEN).map(BatchToken::parse).orElse(null);
        checkGrowing();
        if (startToken != null && !watchDirectories.isEmpty()) {
            throw new InvalidOptionException(START_TOKEN, "is for fixed collections; a growing collection's epochs"
                    + " change as stores join");
        }
    }

    /** The collection options, validated in lamindb's order by the collection layer. */
    private static CollectionOptions collection(ReadableConfig c) {
        CollectionOptionsBuilder b = CollectionOptions.builder(c.get(PATHS))
                .layersKeys(c.get(LAYERS_KEYS))
                .obsKeys(c.getOptional(OBS_KEYS).orElse(null))
                .obsmKeys(c.getOptional(OBSM_KEYS).orElse(null))
                .join("none".equals(c.get(JOIN)) ? null : c.get(JOIN))
                .cacheCategories(c.get(CACHE_CATEGORIES))
                .dtype(c.getOptional(DTYPE).orElse(null))
                .containerOptions(ContainerOptions.defaults().withChunkCacheBytes(c.get(CHUNK_CACHE_BYTES).getBytes()));
        c.getOptional(OBS_FILTER).ifPresent(f -> b.obsFilter(OptionValues.filter(f)));
        Object encode = OptionValues.encodeLabels(c.get(ENCODE_LABELS));
        if (encode instanceof Boolean) {
            b.encodeLabels((Boolean) encode);
        } else {
            @SuppressWarnings("unchecked")
            List<String> keys = (List<String>) encode;
            b.encodeLabels(keys);
        }
        c.getOptional(UNKNOWN_LABEL).map(OptionValues::unknownLabel).ifPresent(u -> {
            if (u instanceof Map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> perKey = (Map<String, Object>) u;
                b.unknownLabel(perKey);
            } else {
                b.unknownLabel(u);
            }
        });
        return b.build();
    }

    private void checkGrowing() {
        if (watchDirectories.isEmpty()) {
            if (genes != null) {
                throw new InvalidOptionException(GENES, "is for growing collections; set %s too, or use %s to choose"
                        + " the genes of a static collection", WATCH_DIRECTORIES, JOIN);
            }
            return;
        }
        if (epochs != UNBOUNDED) {
            throw new InvalidOptionException(WATCH_DIRECTORIES, "needs unbounded epochs (%s = -1), was %s", EPOCHS, epochs);
        }
        if (!(policy instanceof SamplingPolicy.Growable)) {
            throw new InvalidOptionException(WATCH_DIRECTORIES, "does not support %s sampling yet (label weights would"
                    + " change as stores join); use SEQUENTIAL or BLOCK_SHUFFLED", sampling);
        }
        if (collection.join() == Join.NONE) {
            throw new InvalidOptionException(WATCH_DIRECTORIES, "needs %s inner or outer: joining stores are mapped"
                    + " onto the fixed gene space by name", JOIN);
        }
        // discovery lists and opens stores in place; copying a remote directory's new stores through
        // the store cache is not built yet, so say so rather than fail on the first listing
        for (String path : collection.paths()) {
            if (CachingStoreResolver.isRemote(path)) {
                throw new InvalidOptionException(PATHS, "of a growing collection must be local; %s is remote"
                        + " (store-cache paths work for static collections only)", path);
            }
        }
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

    /** The sampling policy the enumerator hands out splits by. */
    public SamplingPolicy policy() {
        return policy;
    }

    /** The policy of a growing collection: one that can follow it as it grows. */
    public SamplingPolicy.Growable growingPolicy() {
        if (!growing()) {
            throw new IllegalStateException("not a growing collection");
        }
        return (SamplingPolicy.Growable) policy; // checked when the settings were read
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

    /** The position token to start from, or null to start at the first epoch. */
    @Nullable
    public BatchToken startToken() {
        return startToken;
    }

    /**
     * The settings the order of samples in an epoch depends on, besides the collection itself:
     * sampling, block and window sizes, rows per split, weights and seed (8 hex digits of their
     * hash). Part of a position token's key.
     */
    public String orderKey() {
        String text = sampling + "/" + blockSize + "/" + windowBlocks + "/" + rowsPerSplit + "/" + weightKeys + "/"
                + weightScaler + "/" + seed;
        return String.format("%08x", text.hashCode());
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
