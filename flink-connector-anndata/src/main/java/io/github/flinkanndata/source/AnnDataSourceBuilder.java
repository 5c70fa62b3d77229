package io.github.flinkanndata.source;

import static io.github.flinkanndata.source.AnnDataSourceOptions.*;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionOptionsBuilder;
import io.github.flinkanndata.collection.LabelSpelling;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.collection.OutputType;
import io.github.flinkanndata.collection.Join;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.format.remote.RemoteReadSettings;
import io.github.flinkanndata.source.cache.CacheSettings;
import io.github.flinkanndata.source.cache.CachingStoreResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.Configuration;

/**
 * Builds an {@link AnnDataSource}. Collection options keep lamindb's names and defaults ({@code
 * layersKeys}, {@code obsKeys}, {@code obsmKeys}, {@code obsFilter}, {@code join}, {@code
 * encodeLabels}, {@code unknownLabel}, {@code cacheCategories}, {@code dtype}); the rest says how
 * to sample. Every option also exists as a {@link AnnDataSourceOptions} entry for {@link
 * #configure(Configuration)}. Everything is validated in {@link #build()}, with a message naming
 * the option and the value.
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

    private final CollectionOptionsBuilder collection;
    private OutputForm output = OUTPUT.defaultValue();
    private SamplingMode sampling = SAMPLING.defaultValue();
    private int blockSize = BLOCK_SIZE.defaultValue();
    private int windowBlocks = WINDOW_BLOCKS.defaultValue();
    private int rowsPerSplit = ROWS_PER_SPLIT.defaultValue();
    @Nullable private List<String> weightKeys;
    @Nullable private Double weightScaler;
    private int epochs = EPOCHS.defaultValue();
    private long seed = SEED.defaultValue();
    private int fetchRows = FETCH_ROWS.defaultValue();
    private int maxOpenStores = MAX_OPEN_STORES.defaultValue();
    private long chunkCacheBytes = CHUNK_CACHE_BYTES.defaultValue();
    private List<String> watchDirectories = List.of();
    private Duration discoveryInterval = DISCOVERY_INTERVAL.defaultValue();
    @Nullable private List<String> genes;
    @Nullable private String storeCacheDir;
    private long storeCacheMaxBytes = STORE_CACHE_MAX_BYTES.defaultValue();
    private int storeCacheDownloadRetries = STORE_CACHE_DOWNLOAD_RETRIES.defaultValue();
    private RemoteMode remoteMode = REMOTE_MODE.defaultValue();
    private long remoteCacheBytes = REMOTE_CACHE_BYTES.defaultValue();
    private int remoteFetchThreads = REMOTE_FETCH_THREADS.defaultValue();
    private int remoteRetries = REMOTE_RETRIES.defaultValue();
    private Duration remoteValidateInterval = REMOTE_VALIDATE_INTERVAL.defaultValue();

    @Nullable private final CollectionOptions fixedCollection;

    AnnDataSourceBuilder(List<String> paths) {
        this.collection = CollectionOptions.builder(paths);
        this.fixedCollection = null;
    }

    AnnDataSourceBuilder(CollectionOptions options) {
        this.collection = CollectionOptions.builder(options.paths());
        this.fixedCollection = options;
        this.chunkCacheBytes = options.containerOptions().chunkCacheBytes();
    }

    private CollectionOptionsBuilder collection() {
        if (fixedCollection != null) {
            throw new IllegalStateException("the collection options were given whole; set them there");
        }
        return collection;
    }

    public AnnDataSourceBuilder layersKeys(String... keys) {
        collection().layersKeys(keys);
        return this;
    }

    public AnnDataSourceBuilder obsKeys(String... keys) {
        collection().obsKeys(keys);
        return this;
    }

    public AnnDataSourceBuilder obsmKeys(String... keys) {
        collection().obsmKeys(keys);
        return this;
    }

    /** Keeps rows whose label of {@code key} is one of {@code values} ({@code Missing.MISSING} selects missing). */
    public AnnDataSourceBuilder obsFilter(String key, Object... values) {
        collection().obsFilter(key, values);
        return this;
    }

    public AnnDataSourceBuilder obsFilter(Map<String, ?> filter) {
        collection().obsFilter(filter);
        return this;
    }

    /** {@code inner} (default), {@code outer} or {@code none}/null. */
    public AnnDataSourceBuilder join(@Nullable String join) {
        collection().join("none".equals(join) ? null : join);
        return this;
    }

    public AnnDataSourceBuilder encodeLabels(boolean all) {
        collection().encodeLabels(all);
        return this;
    }

    public AnnDataSourceBuilder encodeLabels(List<String> keys) {
        collection().encodeLabels(keys);
        return this;
    }

    public AnnDataSourceBuilder unknownLabel(@Nullable Object label) {
        collection().unknownLabel(label);
        return this;
    }

    public AnnDataSourceBuilder unknownLabel(Map<String, ?> perKey) {
        collection().unknownLabel(perKey);
        return this;
    }

    public AnnDataSourceBuilder cacheCategories(boolean cache) {
        collection().cacheCategories(cache);
        return this;
    }

    /** {@code float32}, {@code float64}, {@code int32}, {@code int64}, or null for the stored type. */
    public AnnDataSourceBuilder dtype(@Nullable String dtype) {
        collection().dtype(dtype);
        return this;
    }

    public AnnDataSourceBuilder dtype(@Nullable OutputType dtype) {
        collection().dtype(dtype);
        return this;
    }

    public AnnDataSourceBuilder output(OutputForm output) {
        this.output = output;
        return this;
    }

    public AnnDataSourceBuilder sampling(SamplingMode sampling) {
        this.sampling = sampling;
        return this;
    }

    /** Rows per block (one range read) for shuffled and weighted sampling; default 256. */
    public AnnDataSourceBuilder blockSize(int rows) {
        this.blockSize = rows;
        return this;
    }

    /** Blocks per split; a split's rows are permuted together; default 16. */
    public AnnDataSourceBuilder windowBlocks(int blocks) {
        this.windowBlocks = blocks;
        return this;
    }

    public AnnDataSourceBuilder rowsPerSplit(int rows) {
        this.rowsPerSplit = rows;
        return this;
    }

    /** The obs keys whose label weights (lamindb's {@code get_label_weights}) drive weighted sampling. */
    public AnnDataSourceBuilder weightKeys(String... keys) {
        this.weightKeys = List.of(keys);
        return this;
    }

    public AnnDataSourceBuilder weightScaler(@Nullable Double scaler) {
        this.weightScaler = scaler;
        return this;
    }

    /** Number of epochs, or {@link #UNBOUNDED}; default 1. */
    public AnnDataSourceBuilder epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    public AnnDataSourceBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    public AnnDataSourceBuilder fetchRows(int rows) {
        this.fetchRows = rows;
        return this;
    }

    public AnnDataSourceBuilder maxOpenStores(int stores) {
        this.maxOpenStores = stores;
        return this;
    }

    public AnnDataSourceBuilder chunkCacheBytes(long bytes) {
        this.chunkCacheBytes = bytes;
        return this;
    }

    /**
     * A growing collection (unbounded epochs only): stores that appear in these directories join
     * the running job — {@code .h5ad} files, {@code .zarr} directories and {@code .zarr.zip} files,
     * not hidden ones — from the next epoch on. See the README section "Growing collections".
     */
    public AnnDataSourceBuilder watchDirectories(String... directories) {
        this.watchDirectories = List.of(directories);
        return this;
    }

    /** How often the watched directories are listed; default 10 s. */
    public AnnDataSourceBuilder discoveryInterval(Duration interval) {
        this.discoveryInterval = interval;
        return this;
    }

    /** The fixed gene space of a growing collection; default: the join of the initial stores. */
    public AnnDataSourceBuilder genes(List<String> names) {
        this.genes = List.copyOf(names);
        return this;
    }

    /**
     * The local folder that caches remote stores on each node (paths with a scheme such as
     * {@code s3://} or {@code hdfs://}); null for {@code flink-anndata-store-cache} under the
     * node's temporary directory. Local paths are read in place.
     */
    public AnnDataSourceBuilder storeCacheDir(@Nullable String dir) {
        this.storeCacheDir = dir;
        return this;
    }

    /** Bound of each node's store cache; least recently used stores not in use are evicted. */
    public AnnDataSourceBuilder storeCacheMaxBytes(long bytes) {
        this.storeCacheMaxBytes = bytes;
        return this;
    }

    /** Times a failed listing or download of a remote store is retried; default 3. */
    public AnnDataSourceBuilder storeCacheDownloadRetries(int retries) {
        this.storeCacheDownloadRetries = retries;
        return this;
    }

    /**
     * How remote stores are read: {@link RemoteMode#RANGE} (default) in place by byte ranges, or
     * {@link RemoteMode#COPY} copied whole into the store cache first.
     */
    public AnnDataSourceBuilder remoteMode(RemoteMode mode) {
        this.remoteMode = mode;
        return this;
    }

    /** Range mode: bound of the TaskManager's in-memory range cache; default 256 MiB. */
    public AnnDataSourceBuilder remoteCacheBytes(long bytes) {
        this.remoteCacheBytes = bytes;
        return this;
    }

    /** Range mode: concurrent range requests per TaskManager; default 8. */
    public AnnDataSourceBuilder remoteFetchThreads(int threads) {
        this.remoteFetchThreads = threads;
        return this;
    }

    /** Range mode: retries of a transient request failure; default 3. */
    public AnnDataSourceBuilder remoteRetries(int retries) {
        this.remoteRetries = retries;
        return this;
    }

    /** Range mode: how often an object's version is checked again after a fetch; default 0 (every fetch). */
    public AnnDataSourceBuilder remoteValidateInterval(Duration interval) {
        this.remoteValidateInterval = interval;
        return this;
    }

    /** Applies every option that is set in {@code config} (see {@link AnnDataSourceOptions}). */
    public AnnDataSourceBuilder configure(Configuration config) {
        config.getOptional(LAYERS_KEYS).ifPresent(k -> collection().layersKeys(k));
        config.getOptional(OBS_KEYS).ifPresent(k -> collection().obsKeys(k));
        config.getOptional(OBSM_KEYS).ifPresent(k -> collection().obsmKeys(k));
        config.getOptional(OBS_FILTER).ifPresent(f -> collection().obsFilter(parseFilter(f)));
        config.getOptional(JOIN).ifPresent(this::join);
        config.getOptional(ENCODE_LABELS).ifPresent(this::encodeLabels);
        config.getOptional(UNKNOWN_LABEL).ifPresent(this::unknownLabelSpelled);
        config.getOptional(CACHE_CATEGORIES).ifPresent(this::cacheCategories);
        config.getOptional(DTYPE).ifPresent(this::dtype);
        config.getOptional(OUTPUT).ifPresent(this::output);
        config.getOptional(SAMPLING).ifPresent(this::sampling);
        config.getOptional(BLOCK_SIZE).ifPresent(this::blockSize);
        config.getOptional(WINDOW_BLOCKS).ifPresent(this::windowBlocks);
        config.getOptional(ROWS_PER_SPLIT).ifPresent(this::rowsPerSplit);
        config.getOptional(WEIGHT_KEYS).ifPresent(k -> weightKeys = List.copyOf(k));
        config.getOptional(WEIGHT_SCALER).ifPresent(this::weightScaler);
        config.getOptional(EPOCHS).ifPresent(this::epochs);
        config.getOptional(SEED).ifPresent(this::seed);
        config.getOptional(FETCH_ROWS).ifPresent(this::fetchRows);
        config.getOptional(MAX_OPEN_STORES).ifPresent(this::maxOpenStores);
        config.getOptional(CHUNK_CACHE_BYTES).ifPresent(this::chunkCacheBytes);
        config.getOptional(WATCH_DIRECTORIES).ifPresent(d -> watchDirectories = List.copyOf(d));
        config.getOptional(DISCOVERY_INTERVAL).ifPresent(this::discoveryInterval);
        config.getOptional(GENES).ifPresent(this::genes);
        config.getOptional(STORE_CACHE_DIR).ifPresent(this::storeCacheDir);
        config.getOptional(STORE_CACHE_MAX_BYTES).ifPresent(this::storeCacheMaxBytes);
        config.getOptional(STORE_CACHE_DOWNLOAD_RETRIES).ifPresent(this::storeCacheDownloadRetries);
        config.getOptional(REMOTE_MODE).ifPresent(this::remoteMode);
        config.getOptional(REMOTE_CACHE_BYTES).ifPresent(this::remoteCacheBytes);
        config.getOptional(REMOTE_FETCH_THREADS).ifPresent(this::remoteFetchThreads);
        config.getOptional(REMOTE_RETRIES).ifPresent(this::remoteRetries);
        config.getOptional(REMOTE_VALIDATE_INTERVAL).ifPresent(this::remoteValidateInterval);
        return this;
    }

    private void encodeLabels(String spelled) {
        if (spelled.equals("true") || spelled.equals("false")) {
            collection().encodeLabels(Boolean.parseBoolean(spelled));
        } else {
            collection().encodeLabels(spelled.isEmpty() ? List.of() : List.of(spelled.split(",")));
        }
    }

    private void unknownLabelSpelled(String spelled) {
        if (!spelled.contains("=") || spelled.startsWith("s:")) {
            collection().unknownLabel(LabelSpelling.parse(spelled));
            return;
        }
        Map<String, Object> perKey = new LinkedHashMap<>();
        for (String pair : spelled.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(UNKNOWN_LABEL.key() + ": expected key=label pairs, got '" + spelled + "'");
            }
            perKey.put(pair.substring(0, eq), LabelSpelling.parse(pair.substring(eq + 1)));
        }
        collection().unknownLabel(perKey);
    }

    private static Map<String, List<Object>> parseFilter(Map<String, String> spelled) {
        Map<String, List<Object>> filter = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : spelled.entrySet()) {
            List<Object> values = new ArrayList<>();
            for (String v : e.getValue().split("\\|")) {
                values.add(LabelSpelling.parse(v));
            }
            filter.put(e.getKey(), values);
        }
        return filter;
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
        positive("blockSize", blockSize);
        positive("windowBlocks", windowBlocks);
        positive("rowsPerSplit", rowsPerSplit);
        positive("fetchRows", fetchRows);
        positive("maxOpenStores", maxOpenStores);
        if (epochs != UNBOUNDED && epochs <= 0) {
            throw new IllegalArgumentException("epochs must be > 0 or UNBOUNDED (-1), was " + epochs);
        }
        if (chunkCacheBytes < 0) {
            throw new IllegalArgumentException("chunkCacheBytes must be >= 0, was " + chunkCacheBytes);
        }
        if (sampling == SamplingMode.WEIGHTED && (weightKeys == null || weightKeys.isEmpty())) {
            throw new IllegalArgumentException("weighted sampling needs weightKeys (the obs keys to balance)");
        }
        if (sampling != SamplingMode.WEIGHTED && weightKeys != null) {
            throw new IllegalArgumentException("weightKeys " + weightKeys + " given, but sampling is " + sampling);
        }
        if (weightScaler != null && !(weightScaler > 0)) {
            throw new IllegalArgumentException("weightScaler must be > 0, was " + weightScaler);
        }
        if (remoteRetries < 0) {
            throw new IllegalArgumentException("remoteRetries must be >= 0, was " + remoteRetries);
        }
        if (remoteValidateInterval == null || remoteValidateInterval.isNegative()) {
            throw new IllegalArgumentException("remoteValidateInterval must be >= 0, was " + remoteValidateInterval);
        }
        CacheSettings storeCache = new CacheSettings(storeCacheDir, storeCacheMaxBytes, storeCacheDownloadRetries,
                remoteMode, remoteCacheBytes, remoteFetchThreads, RemoteReadSettings.DEFAULTS
                        .withRetries(remoteRetries, RemoteReadSettings.DEFAULTS.backoffMillis())
                        .withValidateIntervalMillis(remoteValidateInterval.toMillis()));
        CollectionOptions options = fixedCollection;
        if (options == null) {
            collection.containerOptions(ContainerOptions.defaults().withChunkCacheBytes(chunkCacheBytes));
            options = collection.build();
        }
        checkGrowing(options);
        return new AnnDataSource<>(new SourceSettings(options, output, sampling, blockSize, windowBlocks,
                rowsPerSplit, weightKeys, weightScaler, epochs, seed, fetchRows, maxOpenStores, watchDirectories,
                discoveryInterval, genes, storeCache), format);
    }

    private void checkGrowing(CollectionOptions options) {
        if (watchDirectories.isEmpty()) {
            if (genes != null) {
                throw new IllegalArgumentException("genes (a fixed gene space) is for growing collections;"
                        + " set watchDirectories too, or use join to choose the genes of a static collection");
            }
            return;
        }
        if (epochs != UNBOUNDED) {
            throw new IllegalArgumentException("watchDirectories " + watchDirectories
                    + " needs unbounded epochs (epochs(UNBOUNDED)); epochs is " + epochs);
        }
        if (sampling == SamplingMode.WEIGHTED) {
            throw new IllegalArgumentException("watchDirectories does not support WEIGHTED sampling yet"
                    + " (label weights would change as stores join); use SEQUENTIAL or BLOCK_SHUFFLED");
        }
        if (options.join() == Join.NONE) {
            throw new IllegalArgumentException("watchDirectories needs join inner or outer: joining stores are"
                    + " mapped onto the fixed gene space by name");
        }
        if (discoveryInterval.isNegative() || discoveryInterval.isZero()) {
            throw new IllegalArgumentException("discoveryInterval must be > 0, was " + discoveryInterval);
        }
        // discovery lists and opens stores in place; copying a remote directory's new stores through
        // the store cache is not built yet, so say so rather than fail on the first listing
        for (String path : options.paths()) {
            if (CachingStoreResolver.isRemote(path)) {
                throw new IllegalArgumentException("a growing collection reads local stores; " + path
                        + " is remote (store-cache paths work for static collections only)");
            }
        }
        for (String d : watchDirectories) {
            if (d != null && CachingStoreResolver.isRemote(d)) {
                throw new IllegalArgumentException("watchDirectories must be local directories, was " + d);
            }
            if (d == null || d.isBlank()) {
                throw new IllegalArgumentException("watchDirectories holds an empty directory name: " + watchDirectories);
            }
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }
}
