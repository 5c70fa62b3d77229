package io.github.flinkanndata.source.record;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link BatchPiece}s. Format 1: the format byte, the key (UTF), epoch, batch,
 * offset, batch size, batches in the epoch, then the cells as {@link CellBatchSerializer} writes
 * them.
 */
@Internal
public final class BatchPieceSerializer extends RecordSerializer<BatchPiece> {
    private static final long serialVersionUID = 1L;

    public static final BatchPieceSerializer INSTANCE = new BatchPieceSerializer();

    private static final byte FORMAT_1 = 1;

    @Override
    public BatchPiece createInstance() {
        return null;
    }

    @Override
    public void serialize(BatchPiece p, DataOutputView out) throws IOException {
        out.writeByte(FORMAT_1);
        out.writeUTF(p.key());
        out.writeInt(p.epoch());
        out.writeLong(p.batch());
        out.writeInt(p.offset());
        out.writeInt(p.batchSize());
        out.writeLong(p.batchesInEpoch());
        CellBatchSerializer.INSTANCE.serialize(p.cells(), out);
    }

    @Override
    public BatchPiece deserialize(DataInputView in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT_1) {
            throw new IOException("unknown BatchPiece format " + format + " (this build reads 1)");
        }
        String key = in.readUTF();
        int epoch = in.readInt();
        long batch = in.readLong();
        int offset = in.readInt();
        int batchSize = in.readInt();
        long batches = in.readLong();
        CellBatch cells = CellBatchSerializer.INSTANCE.deserialize(in);
        try {
            return new BatchPiece(key, epoch, batch, offset, batchSize, batches, cells);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt BatchPiece: " + e.getMessage(), e);
        }
    }

    @Override
    public TypeSerializerSnapshot<BatchPiece> snapshotConfiguration() {
        return new BatchPieceSerializerSnapshot();
    }

    /** Snapshot of the (stateless) serializer; restores {@link #INSTANCE}. */
    public static final class BatchPieceSerializerSnapshot extends SimpleTypeSerializerSnapshot<BatchPiece> {
        public BatchPieceSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
