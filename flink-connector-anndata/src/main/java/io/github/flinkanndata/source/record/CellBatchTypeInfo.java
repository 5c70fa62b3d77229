package io.github.flinkanndata.source.record;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link CellBatch}: always serialized by {@link CellBatchSerializer}. */
@PublicEvolving
public final class CellBatchTypeInfo extends RecordTypeInfo<CellBatch> {
    private static final long serialVersionUID = 1L;

    public static final CellBatchTypeInfo INSTANCE = new CellBatchTypeInfo();

    private CellBatchTypeInfo() {
        super(CellBatch.class);
    }

    @Override
    protected TypeSerializer<CellBatch> serializer() {
        return CellBatchSerializer.INSTANCE;
    }
}
