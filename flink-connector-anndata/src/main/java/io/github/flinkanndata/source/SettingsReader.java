package io.github.flinkanndata.source;

import static io.github.flinkanndata.source.AnnDataSourceOptions.*;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionOptionsBuilder;
import io.github.flinkanndata.collection.Join;
import io.github.flinkanndata.format.remote.RemoteReadSettings;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.source.assigner.SamplingPolicy;
import io.github.flinkanndata.source.cache.CacheSettings;
import io.github.flinkanndata.source.cache.CachingStoreResolver;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.record.BatchToken;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Reads the source's options ({@link AnnDataSourceOptions}) into {@link SourceSettings}, and
 * validates them, here and nowhere else: {@link #read} parses every option, applies its check,
 * then the rules between options.
 */
@Internal
public final class SettingsReader {
    private SettingsReader() {}

    /**
     * Reads and validates every option of {@code config}.
     *
     * @param fixed collection options built elsewhere, used instead of the collection options
     * @throws InvalidOptionException naming the option and the problem
     * @throws IllegalArgumentException for collection options that lamindb's rules reject
     */
    public static SourceSettings read(ReadableConfig c, @Nullable CollectionOptions fixed) {
        checkEach(c);
        SamplingMode sampling = c.get(SAMPLING);
        int blockSize = c.get(BLOCK_SIZE);
        int windowBlocks = c.get(WINDOW_BLOCKS);
        int rowsPerSplit = c.get(ROWS_PER_SPLIT);
        List<String> weightKeys = c.getOptional(WEIGHT_KEYS).orElse(null);
        Double weightScaler = c.getOptional(WEIGHT_SCALER).orElse(null);
        long seed = c.get(SEED);
        CacheSettings storeCache = new CacheSettings(c.getOptional(STORE_CACHE_DIR).orElse(null),
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
        SamplingPolicy policy = sampling == SamplingMode.SEQUENTIAL ? SamplingPolicy.sequential(rowsPerSplit)
                : sampling == SamplingMode.BLOCK_SHUFFLED ? SamplingPolicy.blockShuffled(blockSize, windowBlocks, seed)
                : SamplingPolicy.weighted(blockSize, windowBlocks, seed, weightKeys, weightScaler);
        SourceSettings settings = new SourceSettings(fixed != null ? fixed : collection(c), c.get(OUTPUT), sampling,
                policy, blockSize, windowBlocks, rowsPerSplit, weightKeys, weightScaler, c.get(EPOCHS), seed,
                c.get(FETCH_ROWS), c.get(MAX_OPEN_STORES), c.getOptional(WATCH_DIRECTORIES).orElse(List.of()),
                c.get(DISCOVERY_INTERVAL), c.getOptional(GENES).orElse(null), storeCache,
                c.getOptional(START_TOKEN).map(BatchToken::parse).orElse(null));
        checkGrowing(settings);
        if (settings.startToken() != null && settings.growing()) {
            throw new InvalidOptionException(START_TOKEN, "is for fixed collections; a growing collection's epochs"
                    + " change as stores join");
        }
        return settings;
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

    private static void checkGrowing(SourceSettings s) {
        if (!s.growing()) {
            if (s.genes() != null) {
                throw new InvalidOptionException(GENES, "is for growing collections; set %s too, or use %s to choose"
                        + " the genes of a static collection", WATCH_DIRECTORIES, JOIN);
            }
            return;
        }
        if (s.bounded()) {
            throw new InvalidOptionException(WATCH_DIRECTORIES, "needs unbounded epochs (%s = -1), was %s", EPOCHS,
                    s.epochs());
        }
        if (!(s.policy() instanceof SamplingPolicy.Growable)) {
            throw new InvalidOptionException(WATCH_DIRECTORIES, "does not support %s sampling yet (label weights would"
                    + " change as stores join); use SEQUENTIAL or BLOCK_SHUFFLED", s.sampling());
        }
        if (s.collection().join() == Join.NONE) {
            throw new InvalidOptionException(WATCH_DIRECTORIES, "needs %s inner or outer: joining stores are mapped"
                    + " onto the fixed gene space by name", JOIN);
        }
        // discovery lists and opens stores in place; copying a remote directory's new stores through
        // the store cache is not built yet, so say so rather than fail on the first listing
        for (String path : s.collection().paths()) {
            if (CachingStoreResolver.isRemote(path)) {
                throw new InvalidOptionException(PATHS, "of a growing collection must be local; %s is remote"
                        + " (store-cache paths work for static collections only)", path);
            }
        }
    }
}
