package io.github.flinkanndata.source.record;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import java.io.IOException;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The {@link TypeSerializer} of {@link CellRecord}s between operators and in state, so records
 * never fall back to Kryo.
 *
 * <p>Layout (format 1): epoch, global index, store index, row; then the layers, obsm and obs
 * groups, each as a count followed by (key, value) pairs. Matrix rows carry a fixed type code,
 * their width and either the dense values or (indices, values). Records are immutable, so
 * {@link #copy} returns its argument.
 */
@Internal
public final class CellRecordSerializer extends TypeSerializerSingleton<CellRecord> {
    private static final long serialVersionUID = 1L;

    public static final CellRecordSerializer INSTANCE = new CellRecordSerializer();

    private static final String[] NO_KEYS = new String[0];
    private static final CellRecord EMPTY = new CellRecord(0,
            new Sample(0, 0, 0, NO_KEYS, new MatrixRow[0], NO_KEYS, new MatrixRow[0], NO_KEYS, new Object[0]));

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public CellRecord createInstance() {
        return EMPTY;
    }

    @Override
    public CellRecord copy(CellRecord from) {
        return from;
    }

    @Override
    public CellRecord copy(CellRecord from, CellRecord reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(CellRecord record, DataOutputView out) throws IOException {
        Sample s = record.sample();
        out.writeInt(record.epoch());
        out.writeLong(s.index());
        out.writeInt(s.storeIndex());
        out.writeLong(s.row());
        List<String> layers = s.layerKeys();
        out.writeInt(layers.size());
        for (String k : layers) {
            out.writeUTF(k);
            ValueIO.writeRow(s.layer(k), out);
        }
        List<String> obsm = s.obsmKeys();
        out.writeInt(obsm.size());
        for (String k : obsm) {
            out.writeUTF(k);
            ValueIO.writeRow(s.obsm(k), out);
        }
        List<String> obs = s.obsKeys();
        out.writeInt(obs.size());
        for (String k : obs) {
            out.writeUTF(k);
            ValueIO.writeObs(s.obs(k), out);
        }
    }

    @Override
    public CellRecord deserialize(DataInputView in) throws IOException {
        int epoch = in.readInt();
        long index = in.readLong();
        int store = in.readInt();
        long row = in.readLong();
        int nl = ValueIO.length(in.readInt());
        String[] layerKeys = new String[nl];
        MatrixRow[] layers = new MatrixRow[nl];
        for (int i = 0; i < nl; i++) {
            layerKeys[i] = in.readUTF();
            layers[i] = ValueIO.readRow(in);
        }
        int nm = ValueIO.length(in.readInt());
        String[] obsmKeys = new String[nm];
        MatrixRow[] obsm = new MatrixRow[nm];
        for (int i = 0; i < nm; i++) {
            obsmKeys[i] = in.readUTF();
            obsm[i] = ValueIO.readRow(in);
        }
        int no = ValueIO.length(in.readInt());
        String[] obsKeys = new String[no];
        Object[] obs = new Object[no];
        for (int i = 0; i < no; i++) {
            obsKeys[i] = in.readUTF();
            obs[i] = ValueIO.readObs(in);
        }
        return new CellRecord(epoch, new Sample(index, store, row, layerKeys, layers, obsmKeys, obsm, obsKeys, obs));
    }

    @Override
    public CellRecord deserialize(CellRecord reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<CellRecord> snapshotConfiguration() {
        return new CellRecordSerializerSnapshot();
    }

    /** Snapshot of the (stateless) serializer; restores {@link #INSTANCE}. */
    public static final class CellRecordSerializerSnapshot extends SimpleTypeSerializerSnapshot<CellRecord> {
        public CellRecordSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
