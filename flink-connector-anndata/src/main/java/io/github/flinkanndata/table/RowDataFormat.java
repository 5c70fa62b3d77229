package io.github.flinkanndata.table;

import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.RowData;

/**
 * One {@link RowData} per cell, for the SQL connector: the selected columns in their order, as
 * {@link CellRowConverter} fills them. Its type information comes from the planner, so the table
 * module needs no planner dependency.
 */
@Internal
final class RowDataFormat implements CellOutputFormat<RowData> {
    private static final long serialVersionUID = 1L;

    private final CellRowConverter converter;
    private final TypeInformation<RowData> type;

    RowDataFormat(CellRowConverter converter, TypeInformation<RowData> type) {
        this.converter = converter;
        this.type = type;
    }

    @Override
    public TypeInformation<RowData> producedType() {
        return type;
    }

    @Override
    public void convert(Context context, int epoch, List<Sample> samples, Collector<RowData> out) {
        for (Sample s : samples) {
            out.collect(converter.map(new CellRecord(epoch, s)), 1);
        }
    }

    @Override
    public String toString() {
        return "rowdata(" + type + ")";
    }
}
