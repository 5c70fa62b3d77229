package io.github.flinkanndata.source;

import static io.github.flinkanndata.source.AnnDataSourceOptions.*;

import io.github.flinkanndata.source.record.BatchToken;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.LabelSpelling;
import io.github.flinkanndata.collection.OutputType;
import io.github.flinkanndata.source.cache.RemoteMode;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.record.CellRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Builds an {@link AnnDataSource}. It holds a Flink {@link Configuration} of {@link
 * AnnDataSourceOptions}: {@link #set} and {@link #configure} set options directly, and every typed
 * setter is a shorthand for one {@code set}. Collection options keep lamindb's names and defaults
 * ({@code layersKeys}, {@code obsKeys}, {@code obsmKeys}, {@code obsFilter}, {@code join}, {@code
 * encodeLabels}, {@code unknownLabel}, {@code cacheCategories}, {@code dtype}); the rest says how
 * to sample. Everything is validated in {@link #build()} ({@link SettingsReader#read}), with a
 * message naming the option and the value.
 *
 * <pre>{@code
 * AnnDataSource source = AnnDataSource.builder("a.h5ad", "b.zarr")
 *         .obsKeys("cell_type")
 *         .join("outer")
 *         .sampling(SamplingMode.BLOCK_SHUFFLED)
 *         .epochs(AnnDataSourceBuilder.UNBOUNDED)
 *         .seed(42)
 *         .build();
 * }</pre>
 */
@PublicEvolving
public final class AnnDataSourceBuilder {
    /** Value of {@link #epochs(int)} for a continuous, never-ending source. */
    public static final int UNBOUNDED = SourceSettings.UNBOUNDED;

    private static final Set<ConfigOption<?>> COLLECTION_OPTIONS = Set.of(LAYERS_KEYS, OBS_KEYS, OBSM_KEYS,
            OBS_FILTER, JOIN, ENCODE_LABELS, UNKNOWN_LABEL, CACHE_CATEGORIES, DTYPE);

    private final Configuration config = new Configuration();
    @Nullable private final CollectionOptions fixedCollection;

    AnnDataSourceBuilder(List<String> paths) {
        this.config.set(PATHS, new ArrayList<>(paths));
        this.fixedCollection = null;
    }

    AnnDataSourceBuilder(CollectionOptions options) {
        this.config.set(PATHS, options.paths());
        this.fixedCollection = options;
    }

    /** Sets {@code option} (one of {@link AnnDataSourceOptions}); null unsets it. Checked in {@link #build()}. */
    public <T> AnnDataSourceBuilder set(ConfigOption<T> option, @Nullable T value) {
        name(option); // one of ours
        if (fixedCollection != null && COLLECTION_OPTIONS.contains(option)) {
            throw new IllegalStateException("the collection options were given whole; set them there");
        }
        if (value == null) {
            config.removeConfig(option);
        } else {
            config.set(option, value);
        }
        return this;
    }

    /** Applies every option set in {@code options} (keys of {@link AnnDataSourceOptions}), as given. */
    public AnnDataSourceBuilder configure(Configuration options) {
        for (ConfigOption<?> option : all()) {
            if (options.containsKey(option.key())) {
                set(option, null); // the collection guard
                config.setString(option.key(), options.toMap().get(option.key()));
            }
        }
        return this;
    }

    public AnnDataSourceBuilder layersKeys(String... keys) {
        return set(LAYERS_KEYS, Arrays.asList(keys));
    }

    public AnnDataSourceBuilder obsKeys(String... keys) {
        return set(OBS_KEYS, Arrays.asList(keys));
    }

    public AnnDataSourceBuilder obsmKeys(String... keys) {
        return set(OBSM_KEYS, Arrays.asList(keys));
    }

    /** Keeps rows whose label of {@code key} is one of {@code values} ({@code Missing.MISSING} selects missing). */
    public AnnDataSourceBuilder obsFilter(String key, Object... values) {
        Map<String, String> filter = new LinkedHashMap<>(config.getOptional(OBS_FILTER).orElse(Map.of()));
        filter.putAll(OptionValues.spellFilter(
                java.util.Collections.singletonMap(key, values.length == 1 ? values[0] : Arrays.asList(values))));
        return set(OBS_FILTER, filter);
    }

    /** The whole filter: key to one label or a collection of labels. */
    public AnnDataSourceBuilder obsFilter(Map<String, ?> filter) {
        return set(OBS_FILTER, OptionValues.spellFilter(filter));
    }

    /** {@code inner} (default), {@code outer} or {@code none}/null. */
    public AnnDataSourceBuilder join(@Nullable String join) {
        return set(JOIN, join == null ? "none" : join);
    }

    public AnnDataSourceBuilder encodeLabels(boolean all) {
        return set(ENCODE_LABELS, List.of(String.valueOf(all)));
    }

    /** Only these obs keys (an empty list means none). */
    public AnnDataSourceBuilder encodeLabels(List<String> keys) {
        return set(ENCODE_LABELS, keys.isEmpty() ? List.of("false") : List.copyOf(keys));
    }

    /** One label encoded as -1 for every encoded key; null for none. */
    public AnnDataSourceBuilder unknownLabel(@Nullable Object label) {
        return set(UNKNOWN_LABEL, label == null ? null : List.of(LabelSpelling.spell(label, "unknown_label")));
    }

    /** A label encoded as -1 per encoded key. */
    public AnnDataSourceBuilder unknownLabel(Map<String, ?> perKey) {
        List<String> pairs = new ArrayList<>();
        perKey.forEach((k, v) -> pairs.add(k + "=" + LabelSpelling.spell(v, "unknown_label of '" + k + "'")));
        return set(UNKNOWN_LABEL, pairs.isEmpty() ? null : pairs);
    }

    public AnnDataSourceBuilder cacheCategories(boolean cache) {
        return set(CACHE_CATEGORIES, cache);
    }

    /** {@code float32}, {@code float64}, {@code int8} ... {@code int64}, or null for the stored type. */
    public AnnDataSourceBuilder dtype(@Nullable String dtype) {
        return set(DTYPE, dtype);
    }

    public AnnDataSourceBuilder dtype(@Nullable OutputType dtype) {
        return set(DTYPE, dtype == null ? null : dtype.numpyName());
    }

    public AnnDataSourceBuilder output(OutputForm output) {
        return set(OUTPUT, output);
    }

    public AnnDataSourceBuilder sampling(SamplingMode sampling) {
        return set(SAMPLING, sampling);
    }

    /** Rows per block (one range read) for shuffled and weighted sampling; default 256. */
    public AnnDataSourceBuilder blockSize(int rows) {
        return set(BLOCK_SIZE, rows);
    }

    /** Blocks per split; a split's rows are permuted together; default 16. */
    public AnnDataSourceBuilder windowBlocks(int blocks) {
        return set(WINDOW_BLOCKS, blocks);
    }

    public AnnDataSourceBuilder rowsPerSplit(int rows) {
        return set(ROWS_PER_SPLIT, rows);
    }

    /** The obs keys whose label weights (lamindb's {@code get_label_weights}) drive weighted sampling. */
    public AnnDataSourceBuilder weightKeys(String... keys) {
        return set(WEIGHT_KEYS, Arrays.asList(keys));
    }

    public AnnDataSourceBuilder weightScaler(@Nullable Double scaler) {
        return set(WEIGHT_SCALER, scaler);
    }

    /** Number of epochs, or {@link #UNBOUNDED}; default 1. */
    public AnnDataSourceBuilder epochs(int epochs) {
        return set(EPOCHS, epochs);
    }

    public AnnDataSourceBuilder seed(long seed) {
        return set(SEED, seed);
    }

    public AnnDataSourceBuilder fetchRows(int rows) {
        return set(FETCH_ROWS, rows);
    }

    public AnnDataSourceBuilder maxOpenStores(int stores) {
        return set(MAX_OPEN_STORES, stores);
    }

    /** Decoded-chunk cache per open store, in bytes; default 64 MiB. */
    public AnnDataSourceBuilder chunkCacheBytes(long bytes) {
        return bytes(CHUNK_CACHE_BYTES, bytes);
    }

    /**
     * A growing collection (unbounded epochs only): stores that appear in these directories join
     * the running job — {@code .h5ad} files, {@code .zarr} directories and {@code .zarr.zip} files,
     * not hidden ones — from the next epoch on. See the README section "Growing collections".
     */
    public AnnDataSourceBuilder watchDirectories(String... directories) {
        return set(WATCH_DIRECTORIES, Arrays.asList(directories));
    }

    /** How often the watched directories are listed; default 10 s. */
    public AnnDataSourceBuilder discoveryInterval(Duration interval) {
        return set(DISCOVERY_INTERVAL, interval);
    }

    /** The fixed gene space of a growing collection; default: the join of the initial stores. */
    public AnnDataSourceBuilder genes(List<String> names) {
        return set(GENES, List.copyOf(names));
    }

    /**
     * The local folder that caches remote stores on each node (paths with a scheme such as
     * {@code s3://} or {@code hdfs://}); null for {@code flink-anndata-store-cache} under the
     * node's temporary directory. Local paths are read in place.
     */
    public AnnDataSourceBuilder storeCacheDir(@Nullable String dir) {
        return set(STORE_CACHE_DIR, dir);
    }

    /** Bound of each node's store cache; least recently used stores not in use are evicted. */
    public AnnDataSourceBuilder storeCacheMaxBytes(long bytes) {
        return bytes(STORE_CACHE_MAX_BYTES, bytes);
    }

    /** Times a failed listing or download of a remote store is retried; default 3. */
    public AnnDataSourceBuilder storeCacheDownloadRetries(int retries) {
        return set(STORE_CACHE_DOWNLOAD_RETRIES, retries);
    }

    /**
     * How remote stores are read: {@link RemoteMode#RANGE} (default) in place by byte ranges, or
     * {@link RemoteMode#COPY} copied whole into the store cache first (docs/remote.md).
     */
    public AnnDataSourceBuilder remoteMode(RemoteMode mode) {
        return set(REMOTE_MODE, mode);
    }

    /** Range mode: bound of the TaskManager's in-memory range cache; default 256 MiB. */
    public AnnDataSourceBuilder remoteCacheBytes(long bytes) {
        return bytes(REMOTE_CACHE_BYTES, bytes);
    }

    /** Range mode: concurrent range requests per TaskManager; default 8. */
    public AnnDataSourceBuilder remoteFetchThreads(int threads) {
        return set(REMOTE_FETCH_THREADS, threads);
    }

    /** Range mode: retries of a transient request failure; default 3. */
    public AnnDataSourceBuilder remoteRetries(int retries) {
        return set(REMOTE_RETRIES, retries);
    }

    /**
     * Range mode: how long an object's confirmed version is trusted; default 0 (checked after every
     * fetch the file system does not verify itself: S3 reads are conditional on the ETag).
     */
    public AnnDataSourceBuilder remoteValidateInterval(Duration interval) {
        return set(REMOTE_VALIDATE_INTERVAL, interval);
    }

    /**
     * Starts from a trainer's position token (see {@link BatchToken}); the source must be built
     * with {@code CellOutputFormat.numberedBatches} of the token's batch size.
     */
    public AnnDataSourceBuilder startToken(@Nullable BatchToken token) {
        return set(START_TOKEN, token == null ? null : token.toString());
    }

    // as text, so that a negative size fails in build() with the option's name, like every bad value
    private AnnDataSourceBuilder bytes(ConfigOption<?> option, long bytes) {
        set(option, null);
        config.setString(option.key(), Long.toString(bytes));
        return this;
    }

    /** A copy of the options set so far (for tests). */
    Configuration configuration() {
        return new Configuration(config);
    }

    /**
     * Validates every option and builds the source of one {@code CellRecord} per cell (no store is
     * opened here).
     */
    public AnnDataSource<CellRecord> build() {
        return build(CellOutputFormat.cells());
    }

    /**
     * Validates every option and builds a source emitting {@code format}'s records, for example
     * {@code CellOutputFormat.batches(512)} for mini-batches.
     */
    public <T> AnnDataSource<T> build(CellOutputFormat<T> format) {
        return new AnnDataSource<>(SettingsReader.read(config, fixedCollection), format);
    }
}
