package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.AnnDataSplitSerializer;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes the enumerator checkpoint.
 *
 * <p>Version history — every version stays readable, pinned by {@code
 * AnnDataEnumStateSerializerTest}:
 *
 * <ul>
 *   <li>1: magic, split serializer version, plan (length or -1, bytes), epoch, cursor, returned
 *       splits (count, each in the nested split version).
 *   <li>2 (growing collections): version 1, then the active stores (int, -1 for all) and the
 *       dropped genes (long). A version 1 state reads as "all stores active, none dropped".
 * </ul>
 */
@Internal
public final class AnnDataEnumStateSerializer implements SimpleVersionedSerializer<AnnDataEnumState> {
    static final int MAGIC = 0xADA7E001;
    static final int VERSION_1 = 1;
    static final int VERSION_2 = 2;
    static final int CURRENT_VERSION = VERSION_2;

    /** Plans are O(stores + genes + vocabulary); anything larger is corruption. */
    private static final int MAX_PLAN_BYTES = 1 << 30;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(AnnDataEnumState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(MAGIC);
        out.writeInt(AnnDataSplitSerializer.INSTANCE.getVersion());
        byte[] plan = state.plan();
        out.writeInt(plan == null ? -1 : plan.length);
        if (plan != null) {
            out.write(plan);
        }
        out.writeInt(state.epoch());
        out.writeLong(state.cursor());
        out.writeInt(state.returned().size());
        for (AnnDataSplit s : state.returned()) {
            AnnDataSplitSerializer.write(s, out);
        }
        out.writeInt(state.activeStores());
        out.writeLong(state.droppedGenes());
        return out.getCopyOfBuffer();
    }

    @Override
    public AnnDataEnumState deserialize(int version, byte[] bytes) throws IOException {
        try {
            return read(version, bytes);
        } catch (EOFException e) {
            throw AnnDataSplitSerializer.truncated("enumerator state", bytes.length, e);
        }
    }

    private static AnnDataEnumState read(int version, byte[] bytes) throws IOException {
        if (version != VERSION_1 && version != VERSION_2) {
            throw new IOException("unknown enumerator state version " + version + " (this build reads 1.."
                    + CURRENT_VERSION + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(String.format("not an AnnData enumerator state: magic %08x", magic));
        }
        int splitVersion = in.readInt();
        int planLength = in.readInt();
        if (planLength < -1 || planLength > MAX_PLAN_BYTES) {
            throw new IOException("corrupt enumerator state: plan of " + planLength + " bytes");
        }
        byte[] plan = null;
        if (planLength >= 0) {
            plan = new byte[planLength];
            in.readFully(plan);
        }
        int epoch = in.readInt();
        long cursor = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > 1 << 24 || epoch < 0 || cursor < 0) {
            throw new IOException("corrupt enumerator state: epoch " + epoch + ", cursor " + cursor
                    + ", " + n + " returned splits");
        }
        List<AnnDataSplit> returned = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            returned.add(AnnDataSplitSerializer.read(splitVersion, in));
        }
        int activeStores = AnnDataEnumState.ALL_STORES;
        long dropped = 0;
        if (version >= VERSION_2) {
            activeStores = in.readInt();
            dropped = in.readLong();
            if (activeStores < AnnDataEnumState.ALL_STORES || dropped < 0) {
                throw new IOException("corrupt enumerator state: " + activeStores + " active stores, "
                        + dropped + " dropped genes");
            }
        }
        if (in.available() > 0) {
            throw new IOException("unexpected " + in.available() + " trailing bytes in enumerator state");
        }
        return new AnnDataEnumState(plan, epoch, cursor, returned, activeStores, dropped);
    }
}
