package io.github.flinkanndata.table;

import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.RemoteMode;
import io.github.flinkanndata.source.OutputForm;
import io.github.flinkanndata.source.SamplingMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * The {@code WITH} options of an {@code 'connector' = 'anndata'} table: the source builder's
 * options with a {@code scan.} prefix (see {@link AnnDataSourceOptions} for their meaning). Lists
 * are separated by {@code ';'}, as everywhere in Flink SQL.
 *
 * <p>The four key options ({@link #LAYERS_KEYS}, {@link #OBS_KEYS}, {@link #OBSM_KEYS}, {@link
 * #ENCODE_LABELS}) and {@link #OUTPUT} have no default: when absent they are derived from the
 * table's columns, when given they must agree with them (rules in {@link ColumnMapping}).
 */
@PublicEvolving
public final class AnnDataTableOptions {
    private AnnDataTableOptions() {}

    public static final ConfigOption<List<String>> PATH = ConfigOptions.key("path").stringType().asList()
            .noDefaultValue()
            .withDescription("The stores of the collection, in order, separated by ';': .h5ad files, .zarr "
                    + "directories, .zarr.zip files.");

    public static final ConfigOption<List<String>> LAYERS_KEYS = ConfigOptions.key("scan.layers-keys")
            .stringType().asList().noDefaultValue()
            .withDescription("Matrices (X, raw.X, layer names); each is the column of the same name, raw.X "
                    + "the column raw_X. Default: the ARRAY and ROW columns.");

    public static final ConfigOption<List<String>> OBS_KEYS = ConfigOptions.key("scan.obs-keys").stringType()
            .asList().noDefaultValue()
            .withDescription("obs columns, each the table column of the same name. Default: every column that "
                    + "is not a metadata, matrix or obsm column.");

    public static final ConfigOption<List<String>> OBSM_KEYS = ConfigOptions.key("scan.obsm-keys").stringType()
            .asList().noDefaultValue()
            .withDescription("obsm entries, each the column obsm_<key>. Default: the columns named obsm_<key>.");

    public static final ConfigOption<Map<String, String>> OBS_FILTER = ConfigOptions.key("scan.obs-filter")
            .mapType().noDefaultValue()
            .withDescription("Row filter 'key:v1|v2,key2:v3' (keys ANDed, values ORed); 'nan' selects missing "
                    + "labels, numbers and true/false are typed by spelling, 's:' forces a string.");

    public static final ConfigOption<String> JOIN = ConfigOptions.key("scan.join").stringType()
            .defaultValue(AnnDataSourceOptions.JOIN.defaultValue())
            .withDescription("Gene join across stores: inner, outer or none.");

    public static final ConfigOption<String> ENCODE_LABELS = ConfigOptions.key("scan.encode-labels")
            .stringType().noDefaultValue()
            .withDescription("Obs keys encoded as integer codes: true (all), false (none) or keys separated by "
                    + "';'. Default: the obs columns declared INT.");

    public static final ConfigOption<String> UNKNOWN_LABEL = ConfigOptions.key("scan.unknown-label")
            .stringType().noDefaultValue()
            .withDescription("Label encoded as -1: one label for every encoded key, or key=label pairs "
                    + "separated by ';'.");

    public static final ConfigOption<Boolean> CACHE_CATEGORIES = ConfigOptions.key("scan.cache-categories")
            .booleanType().defaultValue(AnnDataSourceOptions.CACHE_CATEGORIES.defaultValue())
            .withDescription("Read category arrays once (speed only).");

    public static final ConfigOption<String> DTYPE = ConfigOptions.key("scan.dtype").stringType()
            .noDefaultValue()
            .withDescription("Cast matrices to float32, float64, int32 or int64 before the cast to FLOAT of "
                    + "the columns; unset keeps the stored type.");

    public static final ConfigOption<OutputForm> OUTPUT = ConfigOptions.key("scan.output")
            .enumType(OutputForm.class).noDefaultValue()
            .withDescription("dense (matrix columns ARRAY<FLOAT>) or sparse (ROW<indices ARRAY<INT>, "
                    + "`values` ARRAY<FLOAT>>). Default: from the matrix columns' type.");

    public static final ConfigOption<SamplingMode> SAMPLING = ConfigOptions.key("scan.sampling")
            .enumType(SamplingMode.class).defaultValue(AnnDataSourceOptions.SAMPLING.defaultValue())
            .withDescription("sequential, block_shuffled or weighted.");

    public static final ConfigOption<Integer> BLOCK_SIZE = ConfigOptions.key("scan.block-size").intType()
            .defaultValue(AnnDataSourceOptions.BLOCK_SIZE.defaultValue())
            .withDescription("Rows per block (one range read) for shuffled and weighted sampling.");

    public static final ConfigOption<Integer> WINDOW_BLOCKS = ConfigOptions.key("scan.window-blocks").intType()
            .defaultValue(AnnDataSourceOptions.WINDOW_BLOCKS.defaultValue())
            .withDescription("Blocks per split; rows are permuted across a split's blocks.");

    public static final ConfigOption<Integer> ROWS_PER_SPLIT = ConfigOptions.key("scan.rows-per-split")
            .intType().defaultValue(AnnDataSourceOptions.ROWS_PER_SPLIT.defaultValue())
            .withDescription("Rows per split in sequential sampling.");

    public static final ConfigOption<List<String>> WEIGHT_KEYS = ConfigOptions.key("scan.weight-keys")
            .stringType().asList().noDefaultValue()
            .withDescription("obs keys whose label weights drive weighted sampling (need not be columns).");

    public static final ConfigOption<Double> WEIGHT_SCALER = ConfigOptions.key("scan.weight-scaler")
            .doubleType().noDefaultValue()
            .withDescription("lamindb's scaler: weight = scaler / (count + scaler); unset: 1 / count.");

    public static final ConfigOption<Integer> EPOCHS = ConfigOptions.key("scan.epochs").intType()
            .defaultValue(AnnDataSourceOptions.EPOCHS.defaultValue())
            .withDescription("Epochs to emit (the table is bounded); -1 for an unbounded table.");

    public static final ConfigOption<Long> SEED = ConfigOptions.key("scan.seed").longType()
            .defaultValue(AnnDataSourceOptions.SEED.defaultValue())
            .withDescription("Seed of every random choice.");

    public static final ConfigOption<Integer> FETCH_ROWS = ConfigOptions.key("scan.fetch-rows").intType()
            .defaultValue(AnnDataSourceOptions.FETCH_ROWS.defaultValue())
            .withDescription("Samples a reader decodes per fetch of a sequential split.");

    public static final ConfigOption<Integer> MAX_OPEN_STORES = ConfigOptions.key("scan.max-open-stores")
            .intType().defaultValue(AnnDataSourceOptions.MAX_OPEN_STORES.defaultValue())
            .withDescription("Stores a reader keeps open at once.");

    public static final ConfigOption<MemorySize> CHUNK_CACHE_BYTES = ConfigOptions.key("scan.chunk-cache-bytes")
            .memoryType().defaultValue(new MemorySize(AnnDataSourceOptions.CHUNK_CACHE_BYTES.defaultValue()))
            .withDescription("Decoded-chunk cache per open store: bytes, or a size such as '64 mb'.");

    public static final ConfigOption<List<String>> WATCH_DIRECTORIES = ConfigOptions.key("scan.watch-directories")
            .stringType().asList().noDefaultValue()
            .withDescription("Growing collection (needs 'scan.epochs' = '-1'): directories whose new stores join"
                    + " the running query from the next epoch on.");

    public static final ConfigOption<Duration> DISCOVERY_INTERVAL = ConfigOptions.key("scan.discovery-interval")
            .durationType().defaultValue(AnnDataSourceOptions.DISCOVERY_INTERVAL.defaultValue())
            .withDescription("How often the watched directories are listed.");

    public static final ConfigOption<List<String>> GENES = ConfigOptions.key("scan.genes").stringType().asList()
            .noDefaultValue()
            .withDescription("Growing collection: the fixed gene space; unset: the join of the initial stores.");

    public static final ConfigOption<String> STORE_CACHE_DIR = ConfigOptions.key("scan.store-cache.dir")
            .stringType().noDefaultValue()
            .withDescription("Local folder caching remote stores ('path' entries such as s3://... or hdfs://...) "
                    + "on each node. Default: flink-anndata-store-cache under the node's temporary directory.");

    public static final ConfigOption<MemorySize> STORE_CACHE_MAX_BYTES = ConfigOptions
            .key("scan.store-cache.max-bytes").memoryType()
            .defaultValue(new MemorySize(AnnDataSourceOptions.STORE_CACHE_MAX_BYTES.defaultValue()))
            .withDescription("Bound of each node's store cache, e.g. '20 gb'; least recently used stores not in "
                    + "use are evicted.");

    public static final ConfigOption<Integer> STORE_CACHE_DOWNLOAD_RETRIES = ConfigOptions
            .key("scan.store-cache.download-retries").intType()
            .defaultValue(AnnDataSourceOptions.STORE_CACHE_DOWNLOAD_RETRIES.defaultValue())
            .withDescription("Times a failed listing or download of a remote store is retried from scratch.");

    public static final ConfigOption<RemoteMode> REMOTE_MODE = ConfigOptions.key("scan.remote.mode")
            .enumType(RemoteMode.class).defaultValue(AnnDataSourceOptions.REMOTE_MODE.defaultValue())
            .withDescription("How remote stores are read: RANGE (in place, by byte ranges, through an in-memory "
                    + "range cache per TaskManager) or COPY (copied whole into the store cache first).");

    public static final ConfigOption<MemorySize> REMOTE_CACHE_BYTES = ConfigOptions.key("scan.remote.cache-bytes")
            .memoryType().defaultValue(new MemorySize(AnnDataSourceOptions.REMOTE_CACHE_BYTES.defaultValue()))
            .withDescription("RANGE mode: bound of the in-memory range cache the slots of a TaskManager share.");
}
