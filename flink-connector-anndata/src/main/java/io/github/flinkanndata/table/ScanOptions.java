package io.github.flinkanndata.table;

import static io.github.flinkanndata.table.AnnDataTableOptions.*;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.InvalidOptionException;
import io.github.flinkanndata.source.OptionValues;
import io.github.flinkanndata.source.SettingsReader;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.output.CellFieldMapper.Kind;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/**
 * The {@code WITH} options of one table as source options ({@link
 * AnnDataTableOptions#sourceOptions}), and the bridge to {@link AnnDataSourceBuilder}: {@link
 * #buildSource} builds a source that reads exactly the keys of the given columns. The source
 * validates the options ({@link SettingsReader#read}); its errors become {@link
 * ValidationException}s naming the SQL keys. Immutable.
 *
 * <p>The key options stay as given (null when absent): {@link ColumnMapping} derives the absent
 * ones from the table's columns.
 */
@Internal
final class ScanOptions {
    private final Configuration source;
    @Nullable final List<String> layersKeys;
    @Nullable final List<String> obsKeys;
    @Nullable final List<String> obsmKeys;
    @Nullable final OutputForm output;
    // Boolean or List<String>; null: derived from the column types
    @Nullable private final Object encode;
    @Nullable private final Object unknownLabel; // one label, or a Map of them per key

    private ScanOptions(ReadableConfig table) {
        this.source = AnnDataTableOptions.sourceOptions(table);
        this.layersKeys = table.getOptional(LAYERS_KEYS).orElse(null);
        this.obsKeys = table.getOptional(OBS_KEYS).orElse(null);
        this.obsmKeys = table.getOptional(OBSM_KEYS).orElse(null);
        this.output = table.getOptional(OUTPUT).orElse(null);
        this.encode = table.getOptional(ENCODE_LABELS).map(OptionValues::encodeLabels).orElse(null);
        this.unknownLabel = table.getOptional(UNKNOWN_LABEL).map(OptionValues::unknownLabel).orElse(null);
    }

    /**
     * Checks each option's value (the rules between options wait for the columns).
     *
     * @throws ValidationException naming the option and the value at fault
     */
    static ScanOptions from(ReadableConfig table) {
        try {
            SettingsReader.checkEach(AnnDataTableOptions.sourceOptions(table));
        } catch (InvalidOptionException e) {
            throw invalid(e);
        }
        return new ScanOptions(table);
    }

    /**
     * The encoded obs keys among {@code obsColumns} as {@code scan.encode-labels} says, or null
     * when it is absent (then the column types decide).
     *
     * @throws ValidationException if the option names a key that is not an obs column
     */
    @Nullable
    Set<String> encodedKeys(List<String> obsColumns) {
        if (encode instanceof Boolean) {
            return (Boolean) encode ? new LinkedHashSet<>(obsColumns) : Set.of();
        }
        if (encode == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        List<String> keys = (List<String>) encode;
        for (String k : keys) {
            if (!obsColumns.contains(k)) {
                throw invalid(ENCODE_LABELS, "'" + k + "' is not an obs column of the table (obs columns: "
                        + obsColumns + ")");
            }
        }
        return new LinkedHashSet<>(keys);
    }

    /** The spelled {@code scan.encode-labels}, for messages. */
    String encodeLabelsSpelled() {
        return source.getOptional(AnnDataSourceOptions.ENCODE_LABELS).map(l -> String.join(";", l)).orElse("<derived>");
    }

    /**
     * Checks that per-key unknown labels name encoded obs columns.
     *
     * @throws ValidationException otherwise
     */
    void checkUnknownLabelKeys(Set<String> encoded) {
        if (unknownLabel instanceof Map) {
            for (Object k : ((Map<?, ?>) unknownLabel).keySet()) {
                if (!encoded.contains(k)) {
                    throw invalid(UNKNOWN_LABEL, "'" + k + "' is not an encoded obs column (encoded: " + encoded + ")");
                }
            }
        }
    }

    List<String> paths() {
        return source.get(AnnDataSourceOptions.PATHS);
    }

    /**
     * A source that reads the keys of {@code columns} and nothing else: the collection opens and
     * decodes only requested elements, so a column left out of a query is never read.
     *
     * @throws ValidationException if the source rejects the options
     */
    AnnDataSource<CellRecord> buildSource(ColumnMapping columns) {
        List<String> encoded = columns.encodedKeys();
        AnnDataSourceBuilder b = AnnDataSource.builder(paths()).configure(source)
                .layersKeys(columns.keys(Kind.MATRIX).toArray(String[]::new))
                .obsKeys(columns.keys(Kind.OBS).toArray(String[]::new))
                .obsmKeys(columns.keys(Kind.OBSM).toArray(String[]::new))
                .encodeLabels(encoded)
                .output(columns.output());
        if (unknownLabel instanceof Map) {
            // only the selected encoded keys: the source rejects labels of keys it does not encode
            Map<String, Object> selected = new LinkedHashMap<>();
            ((Map<?, ?>) unknownLabel).forEach((k, v) -> selected.put((String) k, v));
            selected.keySet().retainAll(encoded);
            b.unknownLabel(selected);
        }
        try {
            return b.build();
        } catch (InvalidOptionException e) {
            throw invalid(e);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("Invalid options for an anndata table: " + e.getMessage(), e);
        }
    }

    private static ValidationException invalid(InvalidOptionException e) {
        return new ValidationException("Invalid value for option " + quoted(e.option()) + ": "
                + e.problem(AnnDataTableOptions::quoted) + ".", e);
    }

    static ValidationException invalid(ConfigOption<?> option, String problem) {
        return new ValidationException("Invalid value for option '" + option.key() + "': " + problem + ".");
    }

    @Override
    public String toString() {
        return "ScanOptions" + source;
    }
}
