package io.github.flinkanndata.table;

import static io.github.flinkanndata.table.AnnDataTableOptions.*;

import io.github.flinkanndata.collection.Join;
import io.github.flinkanndata.collection.LabelSpelling;
import io.github.flinkanndata.collection.OutputType;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.OutputForm;
import io.github.flinkanndata.source.SamplingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/**
 * The {@code WITH} options of one table, parsed and checked value by value (each error names its
 * option), and the bridge to {@link AnnDataSourceBuilder}: {@link #buildSource} builds a source
 * that reads exactly the keys of the given columns. Immutable.
 *
 * <p>The key options stay as given (null when absent): {@link ColumnMapping} derives the absent
 * ones from the table's columns.
 */
@Internal
final class ScanOptions {
    private final List<String> paths;
    @Nullable final List<String> layersKeys;
    @Nullable final List<String> obsKeys;
    @Nullable final List<String> obsmKeys;
    // at most one of the two is non-null; both null: derived from the column types
    @Nullable private final Boolean encodeAll;
    @Nullable private final List<String> encodeList;
    // at most one of the two is non-null
    @Nullable private final Object unknownLabel;
    @Nullable private final Map<String, Object> unknownLabelPerKey;
    @Nullable final OutputForm output;
    private final ReadableConfig config;

    private ScanOptions(ReadableConfig config) {
        this.config = config;
        this.paths = config.get(PATH);
        this.layersKeys = config.getOptional(LAYERS_KEYS).orElse(null);
        this.obsKeys = config.getOptional(OBS_KEYS).orElse(null);
        this.obsmKeys = config.getOptional(OBSM_KEYS).orElse(null);
        this.output = config.getOptional(OUTPUT).orElse(null);
        String encode = config.getOptional(ENCODE_LABELS).map(String::trim).orElse(null);
        this.encodeAll = "true".equalsIgnoreCase(encode) ? Boolean.TRUE
                : "false".equalsIgnoreCase(encode) ? Boolean.FALSE : null;
        this.encodeList = encode == null || encodeAll != null ? null : splitKeys(ENCODE_LABELS, encode);
        String unknown = config.getOptional(UNKNOWN_LABEL).orElse(null);
        boolean perKey = unknown != null && unknown.contains("=") && !unknown.startsWith("s:");
        this.unknownLabel = unknown != null && !perKey ? LabelSpelling.parse(unknown) : null;
        this.unknownLabelPerKey = perKey ? parsePairs(unknown) : null;
    }

    /**
     * Parses and checks the options that do not depend on the columns.
     *
     * @throws ValidationException naming the option and the value at fault
     */
    static ScanOptions from(ReadableConfig config) {
        ScanOptions o = new ScanOptions(config);
        if (o.paths.isEmpty() || o.paths.stream().anyMatch(p -> p.isBlank())) {
            throw invalid(PATH, "expected one or more store paths separated by ';', got " + o.paths);
        }
        try {
            Join.parse(config.get(JOIN));
        } catch (IllegalArgumentException e) {
            throw invalid(JOIN, "expected inner, outer or none, got '" + config.get(JOIN) + "'");
        }
        config.getOptional(DTYPE).ifPresent(d -> {
            try {
                OutputType.parse(d);
            } catch (IllegalArgumentException e) {
                throw invalid(DTYPE, e.getMessage());
            }
        });
        for (ConfigOption<Integer> positive : List.of(BLOCK_SIZE, WINDOW_BLOCKS, ROWS_PER_SPLIT, FETCH_ROWS,
                MAX_OPEN_STORES)) {
            if (config.get(positive) <= 0) {
                throw invalid(positive, "must be > 0, was " + config.get(positive));
            }
        }
        int epochs = config.get(EPOCHS);
        if (epochs <= 0 && epochs != AnnDataSourceBuilder.UNBOUNDED) {
            throw invalid(EPOCHS, "must be > 0, or -1 for an unbounded table, was " + epochs);
        }
        boolean weighted = config.get(SAMPLING) == SamplingMode.WEIGHTED;
        List<String> weightKeys = config.getOptional(WEIGHT_KEYS).orElse(null);
        if (weighted && (weightKeys == null || weightKeys.isEmpty())) {
            throw invalid(WEIGHT_KEYS, "weighted sampling needs the obs keys to balance");
        }
        if (!weighted && weightKeys != null) {
            throw invalid(WEIGHT_KEYS, "given, but 'scan.sampling' is " + config.get(SAMPLING));
        }
        config.getOptional(WEIGHT_SCALER).filter(s -> !(s > 0)).ifPresent(s -> {
            throw invalid(WEIGHT_SCALER, "must be > 0, was " + s);
        });
        config.getOptional(OBS_FILTER).ifPresent(ScanOptions::parseFilter);
        if (config.get(STORE_CACHE_MAX_BYTES).getBytes() <= 0) {
            throw invalid(STORE_CACHE_MAX_BYTES, "must be > 0, was " + config.get(STORE_CACHE_MAX_BYTES));
        }
        if (config.get(STORE_CACHE_DOWNLOAD_RETRIES) < 0) {
            throw invalid(STORE_CACHE_DOWNLOAD_RETRIES, "must be >= 0, was " + config.get(STORE_CACHE_DOWNLOAD_RETRIES));
        }
        return o;
    }

    /**
     * The encoded obs keys among {@code obsColumns} as {@code scan.encode-labels} says, or null
     * when it is absent (then the column types decide).
     *
     * @throws ValidationException if the option names a key that is not an obs column
     */
    @Nullable
    Set<String> encodedKeys(List<String> obsColumns) {
        if (encodeAll != null) {
            return encodeAll ? new LinkedHashSet<>(obsColumns) : Set.of();
        }
        if (encodeList == null) {
            return null;
        }
        for (String k : encodeList) {
            if (!obsColumns.contains(k)) {
                throw invalid(ENCODE_LABELS, "'" + k + "' is not an obs column of the table (obs columns: "
                        + obsColumns + ")");
            }
        }
        return new LinkedHashSet<>(encodeList);
    }

    /** The spelled {@code scan.encode-labels}, for messages. */
    String encodeLabelsSpelled() {
        return config.getOptional(ENCODE_LABELS).orElse("<derived>");
    }

    /**
     * Checks that per-key unknown labels name encoded obs columns.
     *
     * @throws ValidationException otherwise
     */
    void checkUnknownLabelKeys(Set<String> encoded) {
        if (unknownLabelPerKey == null) {
            return;
        }
        for (String k : unknownLabelPerKey.keySet()) {
            if (!encoded.contains(k)) {
                throw invalid(UNKNOWN_LABEL, "'" + k + "' is not an encoded obs column (encoded: " + encoded + ")");
            }
        }
    }

    boolean bounded() {
        return config.get(EPOCHS) != AnnDataSourceBuilder.UNBOUNDED;
    }

    List<String> paths() {
        return paths;
    }

    /**
     * A source that reads the keys of {@code columns} and nothing else: the collection opens and
     * decodes only requested elements, so a column left out of a query is never read.
     *
     * @throws ValidationException if the builder rejects the combination
     */
    AnnDataSource<CellRecord> buildSource(ColumnMapping columns) {
        List<String> encoded = columns.encodedKeys();
        AnnDataSourceBuilder b = AnnDataSource.builder(paths)
                .layersKeys(columns.keys(MappedColumn.Kind.MATRIX).toArray(String[]::new))
                .obsKeys(columns.keys(MappedColumn.Kind.OBS).toArray(String[]::new))
                .obsmKeys(columns.keys(MappedColumn.Kind.OBSM).toArray(String[]::new))
                .encodeLabels(encoded)
                .join(config.get(JOIN))
                .cacheCategories(config.get(CACHE_CATEGORIES))
                .dtype(config.getOptional(DTYPE).orElse(null))
                .output(columns.output())
                .sampling(config.get(SAMPLING))
                .blockSize(config.get(BLOCK_SIZE))
                .windowBlocks(config.get(WINDOW_BLOCKS))
                .rowsPerSplit(config.get(ROWS_PER_SPLIT))
                .weightScaler(config.getOptional(WEIGHT_SCALER).orElse(null))
                .epochs(config.get(EPOCHS))
                .seed(config.get(SEED))
                .fetchRows(config.get(FETCH_ROWS))
                .maxOpenStores(config.get(MAX_OPEN_STORES))
                .chunkCacheBytes(config.get(CHUNK_CACHE_BYTES).getBytes())
                .storeCacheDir(config.getOptional(STORE_CACHE_DIR).orElse(null))
                .storeCacheMaxBytes(config.get(STORE_CACHE_MAX_BYTES).getBytes())
                .storeCacheDownloadRetries(config.get(STORE_CACHE_DOWNLOAD_RETRIES))
                .remoteMode(config.get(REMOTE_MODE))
                .remoteCacheBytes(config.get(REMOTE_CACHE_BYTES).getBytes());
        config.getOptional(OBS_FILTER).ifPresent(f -> b.obsFilter(parseFilter(f)));
        config.getOptional(WEIGHT_KEYS).ifPresent(k -> b.weightKeys(k.toArray(String[]::new)));
        config.getOptional(WATCH_DIRECTORIES).ifPresent(d -> b.watchDirectories(d.toArray(String[]::new)));
        b.discoveryInterval(config.get(DISCOVERY_INTERVAL));
        config.getOptional(GENES).ifPresent(b::genes);
        if (unknownLabel != null) {
            b.unknownLabel(unknownLabel);
        } else if (unknownLabelPerKey != null) {
            // only the selected encoded keys: the builder rejects labels of keys it does not encode
            Map<String, Object> selected = new LinkedHashMap<>(unknownLabelPerKey);
            selected.keySet().retainAll(encoded);
            b.unknownLabel(selected);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ValidationException("Invalid options for an anndata table: " + e.getMessage(), e);
        }
    }

    private static Map<String, List<Object>> parseFilter(Map<String, String> spelled) {
        Map<String, List<Object>> filter = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : spelled.entrySet()) {
            List<Object> values = new ArrayList<>();
            for (String v : e.getValue().split("\\|", -1)) {
                if (v.isEmpty()) {
                    throw invalid(OBS_FILTER, "empty value for key '" + e.getKey() + "' in '" + e.getValue() + "'");
                }
                values.add(LabelSpelling.parse(v));
            }
            filter.put(e.getKey(), values);
        }
        return filter;
    }

    private static Map<String, Object> parsePairs(String spelled) {
        Map<String, Object> perKey = new LinkedHashMap<>();
        for (String pair : spelled.split(";")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw invalid(UNKNOWN_LABEL, "expected one label or key=label pairs separated by ';', got '"
                        + spelled + "'");
            }
            perKey.put(pair.substring(0, eq).trim(), LabelSpelling.parse(pair.substring(eq + 1)));
        }
        return perKey;
    }

    private static List<String> splitKeys(ConfigOption<?> option, String spelled) {
        List<String> keys = new ArrayList<>();
        for (String k : spelled.split(";")) {
            if (k.isBlank()) {
                throw invalid(option, "expected true, false or obs keys separated by ';', got '" + spelled + "'");
            }
            keys.add(k.trim());
        }
        return keys;
    }

    static ValidationException invalid(ConfigOption<?> option, String problem) {
        return new ValidationException("Invalid value for option '" + option.key() + "': " + problem + ".");
    }

    @Override
    public String toString() {
        return "ScanOptions" + config;
    }
}
