package io.github.flinkanndata.source.split;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link AnnDataSplit}s for assignment and for the readers' checkpoints.
 *
 * <p>Version history — each version stays readable forever, pinned by {@code
 * AnnDataSplitSerializerTest}:
 *
 * <ul>
 *   <li>1: epoch, ordinal, permuted, permutation seed, skip, segments (store, from, to, draws or
 *       -1).
 *   <li>2: as 1, then the split's place in its epoch: offset and epoch size (-1, -1: unplaced).
 * </ul>
 */
@Internal
public final class AnnDataSplitSerializer implements SimpleVersionedSerializer<AnnDataSplit> {
    public static final AnnDataSplitSerializer INSTANCE = new AnnDataSplitSerializer();

    static final int VERSION_1 = 1;
    static final int VERSION_2 = 2;
    static final int CURRENT_VERSION = VERSION_2;

    private static final ThreadLocal<DataOutputSerializer> BUFFERS =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(64));

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(AnnDataSplit split) throws IOException {
        DataOutputSerializer out = BUFFERS.get();
        out.clear();
        write(split, out);
        return out.getCopyOfBuffer();
    }

    /** Writes the current version's form inline, for nesting in the enumerator state. */
    public static void write(AnnDataSplit split, DataOutputView out) throws IOException {
        out.writeInt(split.epoch());
        out.writeLong(split.ordinal());
        out.writeBoolean(split.permuted());
        out.writeLong(split.permutationSeed());
        out.writeInt(split.skip());
        List<Segment> segments = split.segments();
        out.writeInt(segments.size());
        for (Segment s : segments) {
            out.writeInt(s.store());
            out.writeLong(s.from());
            out.writeLong(s.to());
            int[] draws = s.draws();
            out.writeInt(draws == null ? -1 : draws.length);
            if (draws != null) {
                for (int d : draws) {
                    out.writeInt(d);
                }
            }
        }
        out.writeLong(split.epochOffset());
        out.writeLong(split.epochSize());
    }

    @Override
    public AnnDataSplit deserialize(int version, byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        AnnDataSplit split;
        try {
            split = read(version, in);
        } catch (EOFException e) {
            throw truncated("split", bytes.length, e);
        }
        if (in.available() > 0) {
            throw new IOException("unexpected " + in.available() + " trailing bytes after split " + split.splitId());
        }
        return split;
    }

    /** An EOF with the context Flink's deserializer leaves out (its EOFException has no message). */
    public static IOException truncated(String what, int length, EOFException cause) {
        return new IOException(what + " truncated: its " + length + " bytes ended before the data did", cause);
    }

    /** Reads a split written by {@link #write} at the given version. */
    public static AnnDataSplit read(int version, DataInputView in) throws IOException {
        if (version != VERSION_1 && version != VERSION_2) {
            throw new IOException("unknown split serializer version " + version + " (this build reads 1.."
                    + CURRENT_VERSION + ")");
        }
        int epoch = in.readInt();
        long ordinal = in.readLong();
        boolean permuted = in.readBoolean();
        long seed = in.readLong();
        int skip = in.readInt();
        int n = in.readInt();
        if (n <= 0 || n > 1 << 20) {
            throw new IOException("corrupt split: " + n + " segments");
        }
        List<Segment> segments = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int store = in.readInt();
            long from = in.readLong();
            long to = in.readLong();
            int draws = in.readInt();
            int[] d = null;
            if (draws >= 0) {
                if (draws > 1 << 24) {
                    throw new IOException("corrupt split: " + draws + " draws in one segment");
                }
                d = new int[draws];
                for (int k = 0; k < draws; k++) {
                    d[k] = in.readInt();
                }
            }
            try {
                segments.add(new Segment(store, from, to, d));
            } catch (IllegalArgumentException e) {
                throw new IOException("corrupt split: " + e.getMessage(), e);
            }
        }
        long offset = AnnDataSplit.UNPLACED;
        long size = AnnDataSplit.UNPLACED;
        if (version >= VERSION_2) {
            offset = in.readLong();
            size = in.readLong();
        }
        try {
            AnnDataSplit split = new AnnDataSplit(epoch, ordinal, segments, permuted, seed).withSkip(skip);
            return offset == AnnDataSplit.UNPLACED ? split : split.placed(offset, size);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt split: " + e.getMessage(), e);
        }
    }
}
