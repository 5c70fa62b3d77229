package io.github.flinkanndata.source;

import io.github.flinkanndata.source.record.BatchToken;
import io.github.flinkanndata.collection.Join;
import io.github.flinkanndata.collection.OutputType;
import io.github.flinkanndata.source.cache.CachingStoreResolver;
import io.github.flinkanndata.source.cache.RemoteMode;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Every option of the source, declared once: key, type, default, description and the check of its
 * value. Every surface reads this list: the builder's setters set these options, {@link
 * AnnDataSourceBuilder#configure} takes them from a Flink {@code Configuration}, the SQL connector
 * accepts each as {@code scan.<name>} ({@link #sqlKey}), the Python builder names each in its key
 * table, and the README's option table lists them. {@link SettingsReader#read} reads and checks
 * them, in one place. The collection options keep lamindb's parameter names and defaults.
 *
 * <p>Text values follow Flink's conventions: a list is separated by {@code ;}, a map is {@code
 * key:value,key2:value2}, and an element holding a separator is quoted ({@code 'a;b'}, a quote
 * doubled inside). Alternatives of one filter key are separated by {@code |}, quoted the same way.
 * Labels are spelled as {@code LabelSpelling} reads them.
 */
@PublicEvolving
public final class AnnDataSourceOptions {
    private AnnDataSourceOptions() {}

    /** Prefix of every key in a Flink configuration. */
    public static final String PREFIX = "anndata.";

    /** Checks a value that parsed as its type; returns what is wrong with it, or null. */
    @FunctionalInterface
    interface Check<T> {
        @Nullable
        String problem(T value);
    }

    private static final Map<ConfigOption<?>, Declared<?>> DECLARED = new LinkedHashMap<>();

    /** An option's name, the spec that makes it under any key (the SQL twin) and its check. */
    private record Declared<T>(String name, Function<ConfigOptions.OptionBuilder, ConfigOption<T>> spec,
            Check<T> check) {}

    private static <T> ConfigOption<T> option(String name,
            Function<ConfigOptions.OptionBuilder, ConfigOption<T>> spec, Check<T> check) {
        ConfigOption<T> option = spec.apply(ConfigOptions.key(PREFIX + name));
        DECLARED.put(option, new Declared<>(name, spec, check));
        return option;
    }

    private static <T> ConfigOption<T> option(String name,
            Function<ConfigOptions.OptionBuilder, ConfigOption<T>> spec) {
        return option(name, spec, v -> null);
    }

    public static final ConfigOption<List<String>> PATHS = option("paths", k -> k.stringType().asList()
            .noDefaultValue().withDescription("The stores of the collection, in order: .h5ad files, .zarr "
                    + "directories, .zarr.zip files; local paths, file: URIs or any scheme Flink has a file system for."),
            p -> p.isEmpty() || p.stream().anyMatch(String::isBlank)
                    ? "expected one or more store paths separated by ';', got " + p : null);

    public static final ConfigOption<List<String>> LAYERS_KEYS = option("layers-keys", k -> k.stringType().asList()
            .defaultValues("X").withDescription("Matrices per sample: X, raw.X, or a layer name (lamindb's layers_keys)."));

    public static final ConfigOption<List<String>> OBS_KEYS = option("obs-keys", k -> k.stringType().asList()
            .noDefaultValue().withDescription("obs columns per sample (lamindb's obs_keys)."));

    public static final ConfigOption<List<String>> OBSM_KEYS = option("obsm-keys", k -> k.stringType().asList()
            .noDefaultValue().withDescription("obsm entries per sample, emitted as obsm_<key> (lamindb's obsm_keys)."));

    public static final ConfigOption<Map<String, String>> OBS_FILTER = option("obs-filter", k -> k.mapType()
            .noDefaultValue().withDescription("Row filter 'key:v1|v2,key2:v3' (keys ANDed, values ORed); 'nan' "
                    + "selects missing labels; a number or true/false is typed by its column, 's:' forces a string."),
            f -> OptionValues.filterProblem(f));

    public static final ConfigOption<String> JOIN = option("join", k -> k.stringType().defaultValue("inner")
            .withDescription("Gene join across stores: inner, outer or none."),
            j -> {
                try {
                    Join.parse("none".equals(j) ? null : j);
                    return null;
                } catch (IllegalArgumentException e) {
                    return "must be " + Join.SPELLINGS + ", was '" + j + "'";
                }
            });

    public static final ConfigOption<List<String>> ENCODE_LABELS = option("encode-labels", k -> k.stringType()
            .asList().defaultValues("true")
            .withDescription("Obs keys encoded as integer codes: true (all obs keys), false (none) or a list of keys."));

    public static final ConfigOption<List<String>> UNKNOWN_LABEL = option("unknown-label", k -> k.stringType()
            .asList().noDefaultValue()
            .withDescription("Label encoded as -1: one label for every encoded key, or a list of key=label pairs."),
            u -> OptionValues.unknownLabelProblem(u));

    public static final ConfigOption<Boolean> CACHE_CATEGORIES = option("cache-categories", k -> k.booleanType()
            .defaultValue(true).withDescription("Read category arrays once (speed only)."));

    public static final ConfigOption<String> DTYPE = option("dtype", k -> k.stringType().noDefaultValue()
            .withDescription("Cast every matrix to float32, float64, int8, int16, int32 or int64; unset keeps the stored type."),
            d -> {
                try {
                    OutputType.parse(d);
                    return null;
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            });

    public static final ConfigOption<OutputForm> OUTPUT = option("output", k -> k.enumType(OutputForm.class)
            .defaultValue(OutputForm.SPARSE).withDescription("SPARSE (indices + values) or DENSE (full vectors, lamindb's form)."));

    public static final ConfigOption<SamplingMode> SAMPLING = option("sampling", k -> k.enumType(SamplingMode.class)
            .defaultValue(SamplingMode.SEQUENTIAL).withDescription("SEQUENTIAL, BLOCK_SHUFFLED or WEIGHTED."));

    public static final ConfigOption<Integer> BLOCK_SIZE = option("block-size", k -> k.intType().defaultValue(256)
            .withDescription("Rows per block (one range read) for shuffled and weighted sampling."), positive());

    public static final ConfigOption<Integer> WINDOW_BLOCKS = option("window-blocks", k -> k.intType().defaultValue(16)
            .withDescription("Blocks per split; rows are permuted across a split's blocks."), positive());

    public static final ConfigOption<Integer> ROWS_PER_SPLIT = option("rows-per-split", k -> k.intType()
            .defaultValue(8192).withDescription("Rows per split in sequential sampling."), positive());

    public static final ConfigOption<List<String>> WEIGHT_KEYS = option("weight-keys", k -> k.stringType().asList()
            .noDefaultValue().withDescription("obs keys whose label weights drive weighted sampling (need not be obs keys)."));

    public static final ConfigOption<Double> WEIGHT_SCALER = option("weight-scaler", k -> k.doubleType()
            .noDefaultValue().withDescription("lamindb's scaler: weight = scaler / (count + scaler); unset: 1 / count."),
            s -> s > 0 ? null : "must be > 0, was " + s);

    public static final ConfigOption<Integer> EPOCHS = option("epochs", k -> k.intType().defaultValue(1)
            .withDescription("Epochs to emit; -1 for an unbounded (continuous) source."),
            e -> e > 0 || e == SourceSettings.UNBOUNDED ? null
                    : "must be > 0, or -1 (UNBOUNDED) for a continuous source, was " + e);

    public static final ConfigOption<Long> SEED = option("seed", k -> k.longType().defaultValue(0L)
            .withDescription("Seed of every random choice (block order, permutations, draws)."));

    public static final ConfigOption<String> START_TOKEN = option("start-token", k -> k.stringType().noDefaultValue()
            .withDescription("Start from a numbered-batch position token (fab1:<key>:<epoch>:<next>): the rest of "
                    + "that epoch from batch <next>, then the following epochs. Only with numbered batches; the "
                    + "token's key must match the collection and the batch-order settings."),
            t -> {
                try {
                    BatchToken.parse(t);
                    return null;
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            });

    public static final ConfigOption<Integer> FETCH_ROWS = option("fetch-rows", k -> k.intType().defaultValue(1024)
            .withDescription("Samples a reader decodes per fetch of a sequential split."), positive());

    public static final ConfigOption<Integer> MAX_OPEN_STORES = option("max-open-stores", k -> k.intType()
            .defaultValue(64).withDescription("Stores a reader keeps open at once."), positive());

    public static final ConfigOption<MemorySize> CHUNK_CACHE_BYTES = option("chunk-cache-bytes", k -> k.memoryType()
            .defaultValue(MemorySize.ofMebiBytes(64))
            .withDescription("Decoded-chunk cache per open store: bytes, or a size such as '256 mb'."));

    public static final ConfigOption<List<String>> WATCH_DIRECTORIES = option("watch-directories", k -> k.stringType()
            .asList().noDefaultValue()
            .withDescription("Growing collection (unbounded epochs only): local directories watched for new stores"
                    + " (.h5ad files, .zarr directories, .zarr.zip files), which join from the next epoch on."),
            dirs -> {
                for (String d : dirs) {
                    if (d == null || d.isBlank()) {
                        return "holds an empty directory name: " + dirs;
                    }
                    if (CachingStoreResolver.isRemote(d)) {
                        return "must be local directories, was " + d;
                    }
                }
                return null;
            });

    public static final ConfigOption<Duration> DISCOVERY_INTERVAL = option("discovery-interval", k -> k.durationType()
            .defaultValue(Duration.ofSeconds(10))
            .withDescription("How often the watched directories are listed; a store joins once two listings in"
                    + " a row found it unchanged."),
            d -> d.isNegative() || d.isZero() ? "must be > 0, was " + d : null);

    public static final ConfigOption<List<String>> GENES = option("genes", k -> k.stringType().asList()
            .noDefaultValue()
            .withDescription("Growing collection: the fixed gene space (var names). Unset: the join of the initial"
                    + " stores. Genes of a store outside it are dropped, genes it lacks are 0."));

    public static final ConfigOption<String> STORE_CACHE_DIR = option("store-cache.dir", k -> k.stringType()
            .noDefaultValue()
            .withDescription("Local folder that caches remote stores (any path with a scheme other than file:, "
                    + "e.g. s3://, hdfs://) on each node. Default: flink-anndata-store-cache under the "
                    + "TaskManager's first io.tmp.dirs entry (the JobManager's java.io.tmpdir)."),
            d -> d.isBlank() ? "must not be blank" : null);

    public static final ConfigOption<MemorySize> STORE_CACHE_MAX_BYTES = option("store-cache.max-bytes",
            k -> k.memoryType().defaultValue(MemorySize.parse("10 gb"))
                    .withDescription("Bound of each node's store cache, e.g. '20 gb'; least recently used stores not"
                            + " in use are evicted. A store larger than the bound cannot be read."),
            m -> m.getBytes() > 0 ? null : "must be > 0, was " + m.getBytes());

    public static final ConfigOption<Integer> STORE_CACHE_DOWNLOAD_RETRIES = option("store-cache.download-retries",
            k -> k.intType().defaultValue(3)
                    .withDescription("Times a failed listing or download of a remote store is retried from scratch."),
            r -> r >= 0 ? null : "must be >= 0, was " + r);

    public static final ConfigOption<RemoteMode> REMOTE_MODE = option("remote.mode", k -> k
            .enumType(RemoteMode.class).defaultValue(RemoteMode.RANGE)
            .withDescription("How remote stores (a scheme other than file:) are read: RANGE, in place by byte ranges"
                    + " through Flink's file system and a bounded in-memory range cache per TaskManager; COPY, copied"
                    + " whole into the node's store cache on disk first (the store-cache options)."));

    public static final ConfigOption<MemorySize> REMOTE_CACHE_BYTES = option("remote.cache-bytes",
            k -> k.memoryType().defaultValue(MemorySize.parse("256 mb"))
                    .withDescription("RANGE mode: bound of the in-memory cache of fetched byte ranges that the slots"
                            + " of a TaskManager share (the largest bound any source of the process asks for wins);"
                            + " 0 caches nothing."),
            m -> m.getBytes() >= 0 ? null : "must be >= 0, was " + m.getBytes());

    public static final ConfigOption<Integer> REMOTE_FETCH_THREADS = option("remote.fetch-threads",
            k -> k.intType().defaultValue(8)
                    .withDescription("RANGE mode: byte-range requests a TaskManager runs at once (a read that needs"
                            + " several chunks fetches them concurrently)."),
            positive());

    public static final ConfigOption<Integer> REMOTE_RETRIES = option("remote.retries", k -> k.intType().defaultValue(3)
            .withDescription("RANGE mode: times a transient failure of one request is retried, waiting 100 ms, then"
                    + " twice as long each time; then the read fails naming the store and the key."),
            r -> r >= 0 ? null : "must be >= 0, was " + r);

    public static final ConfigOption<Duration> REMOTE_VALIDATE_INTERVAL = option("remote.validate-interval",
            k -> k.durationType().defaultValue(Duration.ZERO)
                    .withDescription("RANGE mode: how long a confirmed version (length, modification time) of an"
                            + " object is trusted; 0 checks it after every fetch that the file system did not verify"
                            + " itself (S3 reads through flink-s3-fs-hadoop are conditional on the listed ETag and"
                            + " need no check). A changed object fails the job instead of mixing two versions of a"
                            + " store; a longer interval saves status requests but detects later."),
            d -> d.isNegative() ? "must be >= 0, was " + d : null);

    private static Check<Integer> positive() {
        return v -> v > 0 ? null : "must be > 0, was " + v;
    }

    /** Every option, in declaration order (the order of the README's table). */
    public static List<ConfigOption<?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(DECLARED.keySet()));
    }

    /** The option's name without {@link #PREFIX}: {@code block-size}, {@code store-cache.dir}. */
    public static String name(ConfigOption<?> option) {
        return declared(option).name();
    }

    /** The builder's name of an option: {@code blockSize}, {@code storeCacheDir}. */
    public static String builderName(ConfigOption<?> option) {
        String[] words = name(option).split("[-.]");
        StringBuilder b = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            b.append(Character.toUpperCase(words[i].charAt(0))).append(words[i], 1, words[i].length());
        }
        return b.toString();
    }

    /** The key of an option in a SQL table's {@code WITH} clause: {@code path}, or {@code scan.<name>}. */
    public static String sqlKey(ConfigOption<?> option) {
        return option.equals(PATHS) ? "path" : "scan." + name(option);
    }

    /** The same option (type, default, description) under another key: a surface's spelling. */
    @SuppressWarnings("unchecked")
    public static <T> ConfigOption<T> withKey(ConfigOption<T> option, String key) {
        return ((Declared<T>) declared(option)).spec().apply(ConfigOptions.key(key));
    }

    /** What is wrong with {@code value} of {@code option}, or null. */
    @SuppressWarnings("unchecked")
    static <T> String problem(ConfigOption<T> option, T value) {
        return ((Declared<T>) declared(option)).check().problem(value);
    }

    private static Declared<?> declared(ConfigOption<?> option) {
        Declared<?> d = DECLARED.get(option);
        if (d == null) {
            throw new IllegalArgumentException("not an option of the source: " + option.key());
        }
        return d;
    }
}
