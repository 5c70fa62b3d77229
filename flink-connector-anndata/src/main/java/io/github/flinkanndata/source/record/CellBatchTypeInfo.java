package io.github.flinkanndata.source.record;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link CellBatch}: always serialized by {@link CellBatchSerializer}. */
@PublicEvolving
public final class CellBatchTypeInfo extends TypeInformation<CellBatch> {
    private static final long serialVersionUID = 1L;

    public static final CellBatchTypeInfo INSTANCE = new CellBatchTypeInfo();

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
    public Class<CellBatch> getTypeClass() {
        return CellBatch.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<CellBatch> createSerializer(SerializerConfig config) {
        return CellBatchSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "CellBatch";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof CellBatchTypeInfo;
    }

    @Override
    public int hashCode() {
        return CellBatchTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof CellBatchTypeInfo;
    }
}
