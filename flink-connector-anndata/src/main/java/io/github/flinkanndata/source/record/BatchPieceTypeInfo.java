package io.github.flinkanndata.source.record;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link BatchPiece}: always serialized by {@link BatchPieceSerializer}. */
@PublicEvolving
public final class BatchPieceTypeInfo extends RecordTypeInfo<BatchPiece> {
    private static final long serialVersionUID = 1L;

    public static final BatchPieceTypeInfo INSTANCE = new BatchPieceTypeInfo();

    private BatchPieceTypeInfo() {
        super(BatchPiece.class);
    }

    @Override
    protected TypeSerializer<BatchPiece> serializer() {
        return BatchPieceSerializer.INSTANCE;
    }

    /** Named by {@code @TypeInfo} on {@link BatchPiece}, as for {@link CellBatch}. */
    public static final class Factory extends TypeInfoFactory<BatchPiece> {
        @Override
        public TypeInformation<BatchPiece> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
