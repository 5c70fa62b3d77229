package io.github.flinkanndata.table;

import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.config.OutputForm;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The {@code WITH} options of an {@code 'connector' = 'anndata'} table: every option of {@link
 * AnnDataSourceOptions} under its SQL key ({@link AnnDataSourceOptions#sqlKey}: {@code path}, and
 * {@code scan.<name>} for the others), with the same type, default and meaning. Derived from that
 * list, never declared here one by one. Lists are separated by {@code ';'}, as everywhere in
 * Flink SQL.
 *
 * <p>The four key options ({@link #LAYERS_KEYS}, {@link #OBS_KEYS}, {@link #OBSM_KEYS}, {@link
 * #ENCODE_LABELS}) and {@link #OUTPUT} are derived from the table's columns when absent and must
 * agree with them when given (rules in {@link ColumnMapping}); their defaults do not apply.
 */
@PublicEvolving
public final class AnnDataTableOptions {
    private AnnDataTableOptions() {}

    /** Source option to its SQL twin, in the source's order. */
    private static final Map<ConfigOption<?>, ConfigOption<?>> SQL = new LinkedHashMap<>();

    static {
        for (ConfigOption<?> option : AnnDataSourceOptions.all()) {
            SQL.put(option, AnnDataSourceOptions.withKey(option, AnnDataSourceOptions.sqlKey(option)));
        }
    }

    public static final ConfigOption<List<String>> PATH = sql(AnnDataSourceOptions.PATHS);

    // the options the column mapping reads: schema concerns
    static final ConfigOption<List<String>> LAYERS_KEYS = sql(AnnDataSourceOptions.LAYERS_KEYS);
    static final ConfigOption<List<String>> OBS_KEYS = sql(AnnDataSourceOptions.OBS_KEYS);
    static final ConfigOption<List<String>> OBSM_KEYS = sql(AnnDataSourceOptions.OBSM_KEYS);
    static final ConfigOption<List<String>> ENCODE_LABELS = sql(AnnDataSourceOptions.ENCODE_LABELS);
    static final ConfigOption<List<String>> UNKNOWN_LABEL = sql(AnnDataSourceOptions.UNKNOWN_LABEL);
    static final ConfigOption<OutputForm> OUTPUT = sql(AnnDataSourceOptions.OUTPUT);

    /** The SQL twin of a source option. */
    @SuppressWarnings("unchecked")
    public static <T> ConfigOption<T> sql(ConfigOption<T> sourceOption) {
        ConfigOption<?> twin = SQL.get(sourceOption);
        if (twin == null) {
            throw new IllegalArgumentException("not an option of the source: " + sourceOption.key());
        }
        return (ConfigOption<T>) twin;
    }

    /** Every option but {@link #PATH}. */
    public static Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> optional = new LinkedHashSet<>(SQL.values());
        optional.remove(PATH);
        return optional;
    }

    /** The source options a table's {@code WITH} clause sets, under the source's keys. */
    static Configuration sourceOptions(ReadableConfig table) {
        Configuration source = new Configuration();
        for (ConfigOption<?> option : SQL.keySet()) {
            copy(table, option, source);
        }
        return source;
    }

    private static <T> void copy(ReadableConfig table, ConfigOption<T> option, Configuration source) {
        table.getOptional(sql(option)).ifPresent(v -> source.set(option, v));
    }

    /** How SQL names an option in a message: {@code 'scan.block-size'}. */
    static String quoted(ConfigOption<?> sourceOption) {
        return "'" + AnnDataSourceOptions.sqlKey(sourceOption) + "'";
    }
}
