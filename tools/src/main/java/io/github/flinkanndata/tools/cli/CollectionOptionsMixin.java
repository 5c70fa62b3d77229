package io.github.flinkanndata.tools.cli;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.LabelSpelling;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.OptionValues;
import io.github.flinkanndata.source.SettingsReader;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The collection parameters shared by {@code dump}, {@code summary} and {@code weights}, spelled
 * like lamindb's {@code MappedCollection} arguments.
 *
 * <p><b>Label values</b> ({@code --obs-filter} values, {@code --unknown-label}) are read as
 * {@link LabelSpelling} reads every text label: {@code nan} selects missing labels, a number or
 * {@code true}/{@code false} is typed by its column when the plan is made (so {@code leiden=1}
 * selects the string category "1" of scanpy's clustering, and the integer 1 of an integer
 * column), {@code s:VALUE} is always the string VALUE, and anything else is a string. A value or
 * key that matches nothing in any store is reported on stderr.
 *
 * Values are separated by commas, so a label containing a comma cannot be given here.
 * Everything is parsed when the command runs, so a bad value fails with a one-line error.
 */
final class CollectionOptionsMixin {
    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Stores in collection order: .h5ad files, .zarr directories, .zarr.zip files;"
                    + " local paths, file:// URIs or any scheme Flink has a file system for (s3://, ...).")
    List<String> paths;

    @Option(names = "--layers-keys", split = ",", paramLabel = "KEY",
            description = "Matrices per sample: X, raw.X or layer names (default: X; \"\" for none).")
    List<String> layersKeys;

    @Option(names = "--obs-keys", split = ",", paramLabel = "KEY", description = "obs columns per sample.")
    List<String> obsKeys;

    @Option(names = "--obsm-keys", split = ",", paramLabel = "KEY", description = "obsm entries per sample.")
    List<String> obsmKeys;

    @Option(names = "--obs-filter", paramLabel = "KEY=V1[,V2...]",
            description = "Keep rows whose KEY label is one of the values; repeat for more keys (ANDed).")
    List<String> obsFilter = new ArrayList<>();

    @Option(names = "--join", paramLabel = "inner|outer|none", defaultValue = "inner",
            description = "Variable join (default: ${DEFAULT-VALUE}).")
    String join;

    @Option(names = "--encode-labels", paramLabel = "true|false|K1,K2", defaultValue = "true",
            description = "Encode obs labels to integers: all, none or the listed keys (default: ${DEFAULT-VALUE}).")
    String encodeLabels;

    @Option(names = "--unknown-label", paramLabel = "L|KEY=L",
            description = "Label encoded as -1: one for every key, or KEY=L per key (repeatable).")
    List<String> unknownLabel = new ArrayList<>();

    @Option(names = "--dtype", paramLabel = "TYPE",
            description = "Matrix output type: float32, float64, int8, int16, int32, int64 (default: as stored).")
    String dtype;

    @Option(names = "--cache-categories", arity = "1", paramLabel = "true|false", defaultValue = "true",
            description = "Speed only (default: ${DEFAULT-VALUE}).")
    boolean cacheCategories;

    // remote stores (s3://, gs://, ...): the source's remote.* options (docs/remote.md); unset, the
    // source's defaults, which the help text states (RemoteFlagsTest holds them to the options)

    @Option(names = "--remote-mode", paramLabel = "range|copy",
            description = "Remote stores (s3://, gs://, ...): read in place by byte ranges, or copy each whole into"
                    + " the store cache first (default: range).")
    String remoteMode;

    @Option(names = "--remote-cache-bytes", paramLabel = "SIZE",
            description = "Bound of the in-memory cache of fetched byte ranges, e.g. 1 gb; 0 caches nothing"
                    + " (default: 256 mb).")
    String remoteCacheBytes;

    @Option(names = "--remote-fetch-threads", paramLabel = "N",
            description = "Byte-range requests run at once (default: 8).")
    String remoteFetchThreads;

    @Option(names = "--remote-retries", paramLabel = "N",
            description = "Retries of a transient failure of one request, 100 ms apart then doubling, before the"
                    + " read fails naming the store and key (default: 3).")
    String remoteRetries;

    @Option(names = "--remote-validate-interval", paramLabel = "DURATION",
            description = "For reads the file system does not verify itself: how long a confirmed version of an"
                    + " object is trusted, e.g. 30 s; 0 checks it after every fetch (default: 0).")
    String remoteValidateInterval;

    /**
     * The flags as source options ({@link AnnDataSourceOptions}): picocli splits the command line's
     * comma lists, the source reads the values as every surface does ({@link OptionValues}).
     */
    Configuration options() {
        Configuration c = new Configuration();
        c.set(AnnDataSourceOptions.PATHS, paths);
        setKeys(c, AnnDataSourceOptions.LAYERS_KEYS, layersKeys);
        setKeys(c, AnnDataSourceOptions.OBS_KEYS, obsKeys);
        setKeys(c, AnnDataSourceOptions.OBSM_KEYS, obsmKeys);
        c.set(AnnDataSourceOptions.JOIN, join);
        c.set(AnnDataSourceOptions.ENCODE_LABELS, List.of((encodeLabels.isEmpty() ? "false" : encodeLabels).split(",", -1)));
        c.set(AnnDataSourceOptions.CACHE_CATEGORIES, cacheCategories);
        if (dtype != null) {
            c.set(AnnDataSourceOptions.DTYPE, dtype);
        }
        if (!unknownLabel.isEmpty()) {
            c.set(AnnDataSourceOptions.UNKNOWN_LABEL, unknownLabel); // L, or KEY=L per key: the option's list form
        }
        if (!obsFilter.isEmpty()) {
            Map<String, String> filter = new LinkedHashMap<>();
            for (String f : obsFilter) {
                int eq = f.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--obs-filter expects KEY=V1[,V2...], was '" + f + "'");
                }
                for (String v : f.substring(eq + 1).split(",", -1)) {
                    filter.merge(f.substring(0, eq), OptionValues.quote(v, '|'), (a, b) -> a + "|" + b);
                }
            }
            c.set(AnnDataSourceOptions.OBS_FILTER, filter);
        }
        setString(c, AnnDataSourceOptions.REMOTE_MODE, remoteMode);
        setString(c, AnnDataSourceOptions.REMOTE_CACHE_BYTES, remoteCacheBytes);
        setString(c, AnnDataSourceOptions.REMOTE_FETCH_THREADS, remoteFetchThreads);
        setString(c, AnnDataSourceOptions.REMOTE_RETRIES, remoteRetries);
        setString(c, AnnDataSourceOptions.REMOTE_VALIDATE_INTERVAL, remoteValidateInterval);
        return c;
    }

    /** A flag's text as the option's value, parsed as every surface parses it (sizes, durations, enums). */
    private static void setString(Configuration c, ConfigOption<?> option, @Nullable String value) {
        if (value != null) {
            c.setString(option.key(), value);
        }
    }

    /**
     * How remote stores are read ({@code --remote-*}, else the source's defaults), validated as the
     * source validates them.
     */
    io.github.flinkanndata.source.cache.CacheSettings remoteReads() {
        return SettingsReader.read(options(), null).storeCache();
    }

    /** The collection options, validated as the source validates them (messages name the option). */
    CollectionOptions build() {
        return SettingsReader.read(options(), null).collection();
    }

    /** A lone empty string is the empty list. */
    private static void setKeys(Configuration c, ConfigOption<List<String>> option, @Nullable List<String> keys) {
        if (keys != null) {
            c.set(option, keys.size() == 1 && keys.get(0).isEmpty() ? List.of() : keys);
        }
    }

    /**
     * Opens the collection these options describe ({@link Stores#open}: any path the source
     * reads); what its planning found worth a warning (a key or label that no store has) goes to
     * {@code err}, one line each.
     */
    AnnDataCollection open(PrintWriter err) throws AnnDataFormatException {
        return warn(Stores.open(build(), remoteReads()), err);
    }

    /** Prints the planning's warnings of {@code c} to {@code err}; returns {@code c}. */
    static AnnDataCollection warn(AnnDataCollection c, PrintWriter err) {
        for (String w : c.plan().warnings()) {
            err.println("warning: " + w);
        }
        err.flush();
        return c;
    }

    /** A label value as every text surface reads it (see the class comment). */
    static Object value(String v) {
        return LabelSpelling.parse(v);
    }
}
