package io.github.flinkanndata.source.record;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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

    /**
     * Named by {@code @TypeInfo} on {@link CellRecord}, so that Flink's type extraction gives this
     * type information to every function's CellRecord (a user's {@code map} over the source's records
     * included) instead of a Kryo fallback, which cannot copy the records.
     */
    public static final class Factory extends TypeInfoFactory<CellRecord> {
        @Override
        public TypeInformation<CellRecord> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
