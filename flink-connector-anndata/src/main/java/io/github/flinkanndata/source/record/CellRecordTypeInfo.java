package io.github.flinkanndata.source.record;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link CellRecord}: always serialized by {@link CellRecordSerializer}. */
@PublicEvolving
public final class CellRecordTypeInfo extends TypeInformation<CellRecord> {
    private static final long serialVersionUID = 1L;

    public static final CellRecordTypeInfo INSTANCE = new CellRecordTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<CellRecord> getTypeClass() {
        return CellRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<CellRecord> createSerializer(SerializerConfig config) {
        return CellRecordSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "CellRecord";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof CellRecordTypeInfo;
    }

    @Override
    public int hashCode() {
        return CellRecordTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof CellRecordTypeInfo;
    }
}
