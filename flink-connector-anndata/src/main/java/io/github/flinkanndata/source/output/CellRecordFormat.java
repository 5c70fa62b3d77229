package io.github.flinkanndata.source.output;

import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.CellRecordTypeInfo;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** One {@link CellRecord} per cell. */
@Internal
final class CellRecordFormat implements CellOutputFormat<CellRecord> {
    private static final long serialVersionUID = 1L;

    static final CellRecordFormat INSTANCE = new CellRecordFormat();

    private CellRecordFormat() {}

    @Override
    public TypeInformation<CellRecord> producedType() {
        return CellRecordTypeInfo.INSTANCE;
    }

    @Override
    public void convert(Context context, int epoch, List<Sample> samples, Collector<CellRecord> out) {
        for (Sample s : samples) {
            out.collect(new CellRecord(epoch, s), 1);
        }
    }

    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "cells";
    }
}
