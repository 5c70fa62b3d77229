package io.github.flinkanndata.table;

import static io.github.flinkanndata.table.AnnDataTableOptions.*;

import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.RowType;

/**
 * The SQL connector {@code 'connector' = 'anndata'}: cells of an AnnData collection as a table.
 *
 * <pre>{@code
 * CREATE TABLE cells (
 *   global_idx BIGINT,            -- metadata columns, by name: store_idx, global_idx, epoch
 *   X          ARRAY<FLOAT>,      -- a matrix (X, raw_X for raw.X, a layer); dense here
 *   obsm_X_pca ARRAY<FLOAT>,      -- obsm entry X_pca
 *   cell_type  INT,               -- an obs key: INT = encoded code, STRING/BIGINT/DOUBLE/BOOLEAN = raw
 *   donor      STRING
 * ) WITH (
 *   'connector' = 'anndata',
 *   'path' = '/data/a.h5ad;/data/b.zarr',
 *   'scan.join' = 'outer'
 * );
 * }</pre>
 *
 * The options are the source builder's with a {@code scan.} prefix ({@link AnnDataTableOptions});
 * unknown options are rejected by Flink's option validation, bad values with a {@link
 * ValidationException} naming the option. How columns map to keys and which types they need is
 * {@link ColumnMapping}'s contract. Nothing is opened here: the stores are read when the job runs.
 */
@PublicEvolving
public final class AnnDataDynamicTableFactory implements DynamicTableSourceFactory {
    /** The value of {@code 'connector'}. */
    public static final String IDENTIFIER = "anndata";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(PATH);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return AnnDataTableOptions.optionalOptions();
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate(); // unknown keys, missing 'path', values that do not parse as their type
        ScanOptions options = ScanOptions.from(helper.getOptions());
        RowType physical = (RowType) context.getPhysicalRowDataType().getLogicalType();
        ColumnMapping columns = ColumnMapping.resolve(physical, options);
        // the whole table through the builder once, so every combination it rejects fails here,
        // at planning time, rather than when the job starts
        options.buildSource(columns);
        return new AnnDataDynamicTableSource(options, columns, context.getPhysicalRowDataType());
    }
}
