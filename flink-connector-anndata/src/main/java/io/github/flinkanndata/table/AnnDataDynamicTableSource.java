package io.github.flinkanndata.table;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.record.CellRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

/**
 * The scan of an anndata table: an {@link AnnDataSource} that reads only the selected columns'
 * keys, followed by a map from {@link CellRecord} to {@link RowData}.
 *
 * <p><b>Why a {@code DataStreamScanProvider} and a map.</b> A table source must produce {@code
 * RowData}. Wrapping the FLIP-27 source into a {@code Source<RowData>} would mean re-implementing
 * the reader around the record emitter (its reader base, fetcher and split state are typed to
 * {@code CellRecord}) for no gain: the map is chained to the source, and {@code CellRecord}'s
 * serializer copies nothing between chained operators, so the extra operator costs one virtual
 * call per row. The source keeps one implementation, its checkpoints and its metrics; the
 * conversion lives in {@link CellRowConverter}, and its type information comes from the planner
 * ({@link ScanContext#createTypeInformation}), so the table module needs no planner dependency.
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
    AnnDataSource source() {
        return options.buildSource(selected);
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        AnnDataSource source = source();
        CellRowConverter converter = new CellRowConverter(selected.columns(), options.paths());
        TypeInformation<RowData> rowType = context.createTypeInformation(producedType);
        boolean bounded = options.bounded();
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(ProviderContext provider, StreamExecutionEnvironment env) {
                DataStreamSource<CellRecord> cells = env.fromSource(source, WatermarkStrategy.noWatermarks(), "AnnData");
                provider.generateUid("source").ifPresent(cells::uid);
                SingleOutputStreamOperator<RowData> rows = cells.map(converter).returns(rowType).name("AnnData to rows");
                provider.generateUid("rows").ifPresent(rows::uid);
                return rows;
            }

            @Override
            public boolean isBounded() {
                return bounded;
            }
        };
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
