package io.github.flinkanndata.table;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.record.CellRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

/**
 * The scan of an anndata table: an {@link AnnDataSource} that reads only the selected columns'
 * keys and emits {@link RowData} through its {@link RowDataFormat}, handed to the planner as a
 * plain {@link SourceProvider}: the same enumerator, splits and checkpoints as every other output
 * of the source, and no operator after it.
 *
 * <p><b>Projection push-down.</b> The planner passes the selected top-level columns; the source
 * is built with only their layers, obsm and obs keys, so an unselected matrix, obsm entry or obs
 * column is never opened nor decoded. Metadata columns cost nothing either way.
 *
 * <p>Bounded when {@code scan.epochs} is a number of epochs, unbounded (insert-only) with -1.
 */
@Internal
final class AnnDataDynamicTableSource implements ScanTableSource, SupportsProjectionPushDown {
    private final ScanOptions options;
    private final ColumnMapping allColumns;
    private ColumnMapping selected;
    private DataType producedType;

    AnnDataDynamicTableSource(ScanOptions options, ColumnMapping allColumns, DataType physicalType) {
        this.options = options;
        this.allColumns = allColumns;
        this.selected = allColumns;
        this.producedType = physicalType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
    }

    @Override
    public boolean supportsNestedProjection() {
        return false;
    }

    @Override
    public void applyProjection(int[][] projectedFields, DataType producedDataType) {
        int[] top = new int[projectedFields.length];
        for (int i = 0; i < top.length; i++) {
            top[i] = projectedFields[i][0];
        }
        this.selected = allColumns.select(top);
        this.producedType = producedDataType;
    }

    /** The source this scan runs: it reads exactly the keys of the selected columns. */
    @VisibleForTesting
    AnnDataSource<CellRecord> source() {
        return options.buildSource(selected);
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        TypeInformation<RowData> rowType = context.createTypeInformation(producedType);
        RowDataFormat format = new RowDataFormat(selected.columns(), options.paths(), rowType);
        return SourceProvider.of(source().withFormat(format));
    }

    @Override
    public DynamicTableSource copy() {
        AnnDataDynamicTableSource copy = new AnnDataDynamicTableSource(options, allColumns, producedType);
        copy.selected = selected;
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "AnnData";
    }

    @Override
    public String toString() {
        return "AnnDataDynamicTableSource{" + selected + ", paths=" + options.paths() + "}";
    }
}
