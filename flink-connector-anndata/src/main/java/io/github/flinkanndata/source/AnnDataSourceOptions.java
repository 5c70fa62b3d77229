package io.github.flinkanndata.source;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every option of the source as a typed {@link ConfigOption}, so jobs can configure it from a
 * Flink {@code Configuration} ({@link AnnDataSourceBuilder#configure}). The collection options
 * keep lamindb's parameter names and defaults.
 */
@PublicEvolving
public final class AnnDataSourceOptions {
    private AnnDataSourceOptions() {}

    public static final ConfigOption<List<String>> PATHS = ConfigOptions.key("anndata.paths").stringType()
            .asList().noDefaultValue()
            .withDescription("The stores of the collection, in order: .h5ad files, .zarr directories, .zarr.zip files.");

    public static final ConfigOption<List<String>> LAYERS_KEYS = ConfigOptions.key("anndata.layers-keys")
            .stringType().asList().defaultValues("X")
            .withDescription("Matrices per sample: X, raw.X, or a layer name (lamindb's layers_keys).");

    public static final ConfigOption<List<String>> OBS_KEYS = ConfigOptions.key("anndata.obs-keys").stringType()
            .asList().noDefaultValue().withDescription("obs columns per sample (lamindb's obs_keys).");

    public static final ConfigOption<List<String>> OBSM_KEYS = ConfigOptions.key("anndata.obsm-keys")
            .stringType().asList().noDefaultValue()
            .withDescription("obsm entries per sample, emitted as obsm_<key> (lamindb's obsm_keys).");

    public static final ConfigOption<Map<String, String>> OBS_FILTER = ConfigOptions.key("anndata.obs-filter")
            .mapType().noDefaultValue()
            .withDescription("Row filter: column -> allowed values separated by '|'; 'nan' selects missing labels; "
                    + "values that look like numbers or true/false match numerically, prefix 's:' forces a string.");

    public static final ConfigOption<String> JOIN = ConfigOptions.key("anndata.join").stringType()
            .defaultValue("inner").withDescription("Gene join across stores: inner, outer or none.");

    public static final ConfigOption<String> ENCODE_LABELS = ConfigOptions.key("anndata.encode-labels")
            .stringType().defaultValue("true")
            .withDescription("Encode obs labels as integers: true (all obs keys), false, or a comma-separated subset.");

    public static final ConfigOption<String> UNKNOWN_LABEL = ConfigOptions.key("anndata.unknown-label")
            .stringType().noDefaultValue()
            .withDescription("Label encoded as -1: one label for every key, or key=label pairs separated by ','.");

    public static final ConfigOption<Boolean> CACHE_CATEGORIES = ConfigOptions.key("anndata.cache-categories")
            .booleanType().defaultValue(true).withDescription("Read category arrays once (speed only).");

    public static final ConfigOption<String> DTYPE = ConfigOptions.key("anndata.dtype").stringType()
            .noDefaultValue().withDescription("Cast every matrix to float32, float64, int32 or int64; unset keeps the stored type.");

    public static final ConfigOption<OutputForm> OUTPUT = ConfigOptions.key("anndata.output")
            .enumType(OutputForm.class).defaultValue(OutputForm.SPARSE)
            .withDescription("SPARSE (indices + values) or DENSE (full vectors, lamindb's form).");

    public static final ConfigOption<SamplingMode> SAMPLING = ConfigOptions.key("anndata.sampling")
            .enumType(SamplingMode.class).defaultValue(SamplingMode.SEQUENTIAL)
            .withDescription("SEQUENTIAL, BLOCK_SHUFFLED or WEIGHTED.");

    public static final ConfigOption<Integer> BLOCK_SIZE = ConfigOptions.key("anndata.block-size").intType()
            .defaultValue(256).withDescription("Rows per block (one range read) for shuffled and weighted sampling.");

    public static final ConfigOption<Integer> WINDOW_BLOCKS = ConfigOptions.key("anndata.window-blocks").intType()
            .defaultValue(16).withDescription("Blocks per split; rows are permuted across a split's blocks.");

    public static final ConfigOption<Integer> ROWS_PER_SPLIT = ConfigOptions.key("anndata.rows-per-split")
            .intType().defaultValue(8192).withDescription("Rows per split in sequential sampling.");

    public static final ConfigOption<List<String>> WEIGHT_KEYS = ConfigOptions.key("anndata.weight-keys")
            .stringType().asList().noDefaultValue()
            .withDescription("obs keys whose label weights drive weighted sampling (need not be obs keys).");

    public static final ConfigOption<Double> WEIGHT_SCALER = ConfigOptions.key("anndata.weight-scaler")
            .doubleType().noDefaultValue()
            .withDescription("lamindb's scaler: weight = scaler / (count + scaler); unset: 1 / count.");

    public static final ConfigOption<Integer> EPOCHS = ConfigOptions.key("anndata.epochs").intType()
            .defaultValue(1).withDescription("Epochs to emit; -1 for an unbounded (continuous) source.");

    public static final ConfigOption<Long> SEED = ConfigOptions.key("anndata.seed").longType().defaultValue(0L)
            .withDescription("Seed of every random choice (block order, permutations, draws).");

    public static final ConfigOption<Integer> FETCH_ROWS = ConfigOptions.key("anndata.fetch-rows").intType()
            .defaultValue(1024).withDescription("Samples a reader decodes per fetch of a sequential split.");

    public static final ConfigOption<Integer> MAX_OPEN_STORES = ConfigOptions.key("anndata.max-open-stores")
            .intType().defaultValue(64).withDescription("Stores a reader keeps open at once.");

    public static final ConfigOption<Long> CHUNK_CACHE_BYTES = ConfigOptions.key("anndata.chunk-cache-bytes")
            .longType().defaultValue(64L << 20).withDescription("Decoded-chunk cache per open store, in bytes.");

    public static final ConfigOption<List<String>> WATCH_DIRECTORIES = ConfigOptions.key("anndata.watch-directories")
            .stringType().asList().noDefaultValue()
            .withDescription("Growing collection (unbounded epochs only): directories watched for new stores"
                    + " (.h5ad files, .zarr directories, .zarr.zip files), which join from the next epoch on.");

    public static final ConfigOption<Duration> DISCOVERY_INTERVAL = ConfigOptions.key("anndata.discovery-interval")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("How often the watched directories are listed; a store joins once two listings in"
                    + " a row found it unchanged.");

    public static final ConfigOption<List<String>> GENES = ConfigOptions.key("anndata.genes").stringType().asList()
            .noDefaultValue()
            .withDescription("Growing collection: the fixed gene space (var names). Unset: the join of the initial"
                    + " stores. Genes of a store outside it are dropped, genes it lacks are 0.");

    public static final ConfigOption<String> STORE_CACHE_DIR = ConfigOptions.key("anndata.store-cache.dir")
            .stringType().noDefaultValue()
            .withDescription("Local folder that caches remote stores (any path with a scheme other than file:, "
                    + "e.g. s3://, hdfs://) on each node. Default: flink-anndata-store-cache under the "
                    + "TaskManager's first io.tmp.dirs entry (the JobManager's java.io.tmpdir).");

    public static final ConfigOption<Long> STORE_CACHE_MAX_BYTES = ConfigOptions.key("anndata.store-cache.max-bytes")
            .longType().defaultValue(10L << 30)
            .withDescription("Bound of each node's store cache in bytes; least recently used stores not in use "
                    + "are evicted. A store larger than the bound cannot be read.");

    public static final ConfigOption<Integer> STORE_CACHE_DOWNLOAD_RETRIES = ConfigOptions
            .key("anndata.store-cache.download-retries").intType().defaultValue(3)
            .withDescription("Times a failed listing or download of a remote store is retried from scratch.");

    public static final ConfigOption<RemoteMode> REMOTE_MODE = ConfigOptions.key("anndata.remote.mode")
            .enumType(RemoteMode.class).defaultValue(RemoteMode.RANGE)
            .withDescription("How remote stores (a scheme other than file:) are read: RANGE, in place by byte ranges "
                    + "through Flink's file system and a bounded in-memory range cache per TaskManager; COPY, copied "
                    + "whole into the node's store cache on disk first (the anndata.store-cache.* options).");

    public static final ConfigOption<Long> REMOTE_CACHE_BYTES = ConfigOptions.key("anndata.remote.cache-bytes")
            .longType().defaultValue(256L << 20)
            .withDescription("RANGE mode: bound of the in-memory cache of fetched byte ranges that the slots of a "
                    + "TaskManager share (the largest bound any source of the process asks for wins); 0 caches nothing.");

    public static final ConfigOption<Integer> REMOTE_FETCH_THREADS = ConfigOptions.key("anndata.remote.fetch-threads")
            .intType().defaultValue(8)
            .withDescription("RANGE mode: byte-range requests a TaskManager runs at once (a read that needs several "
                    + "chunks fetches them concurrently).");

    public static final ConfigOption<Integer> REMOTE_RETRIES = ConfigOptions.key("anndata.remote.retries").intType()
            .defaultValue(3)
            .withDescription("RANGE mode: times a transient failure of one request is retried, waiting 100 ms, then "
                    + "twice as long each time; then the read fails naming the store and the key.");

    public static final ConfigOption<Duration> REMOTE_VALIDATE_INTERVAL = ConfigOptions
            .key("anndata.remote.validate-interval").durationType().defaultValue(Duration.ZERO)
            .withDescription("RANGE mode: how often an object's length and modification time are checked again "
                    + "after a fetch (0: after every fetch). A changed object fails the job instead of mixing two "
                    + "versions of a store; a longer interval saves one status request per fetch but detects later.");
}
