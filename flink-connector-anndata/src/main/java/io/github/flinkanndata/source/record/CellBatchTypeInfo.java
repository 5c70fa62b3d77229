package io.github.flinkanndata.source.record;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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

    /**
     * Named by {@code @TypeInfo} on {@link CellBatch}, so that Flink's type extraction gives this
     * type information to every function's CellBatch (a user's {@code map} over the source's records
     * included) instead of a Kryo fallback, which cannot copy the records.
     */
    public static final class Factory extends TypeInfoFactory<CellBatch> {
        @Override
        public TypeInformation<CellBatch> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
