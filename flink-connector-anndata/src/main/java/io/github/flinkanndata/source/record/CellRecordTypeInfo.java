package io.github.flinkanndata.source.record;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link CellRecord}: always serialized by {@link CellRecordSerializer}. */
@PublicEvolving
public final class CellRecordTypeInfo extends RecordTypeInfo<CellRecord> {
    private static final long serialVersionUID = 1L;

    public static final CellRecordTypeInfo INSTANCE = new CellRecordTypeInfo();

    private CellRecordTypeInfo() {
        super(CellRecord.class);
    }

    @Override
    protected TypeSerializer<CellRecord> serializer() {
        return CellRecordSerializer.INSTANCE;
    }
}
