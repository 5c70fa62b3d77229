package io.github.flinkanndata.source.record;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import java.io.IOException;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The {@link TypeSerializer} of {@link CellRecord}s between operators and in state, so records
 * never fall back to Kryo.
 *
 * <p>Layout: epoch, global index, store index, row; then the layers, obsm and obs groups, each as
 * a count followed by (key, value) pairs. Matrix rows carry a fixed type code, their width and
 * either the dense values or (indices, values). Records are immutable, so {@link #copy} returns
 * its argument.
 *
 * <p>Version history — every format stays readable, pinned by {@code CellRecordSerializerTest}
 * ({@code serializer-snapshots/cell-record-v*.bin}); the snapshot's version names the format:
 *
 * <ul>
 *   <li>1 (snapshot version 3, written by Flink's {@code SimpleTypeSerializerSnapshot}): as above.
 *   <li>2 (snapshot version {@value CellRecordSerializerSnapshot#VERSION_FORMAT_2}, obsm with more
 *       than two dimensions): a row with a shape of two or more dimensions has {@code 0x40} set
 *       in its type code byte, followed by the rank (a byte) and the dimensions (ints); every
 *       other row is written exactly as in format 1. So format 1 bytes are format 2 bytes with
 *       the same meaning: state written by format 1 is read as it is ({@code compatibleAsIs}),
 *       while a build that knows only format 1 refuses a format 2 snapshot when it restores,
 *       instead of failing on the first shaped row.
 * </ul>
 */
@Internal
public final class CellRecordSerializer extends RecordSerializer<CellRecord> {
    private static final long serialVersionUID = 1L;

    public static final CellRecordSerializer INSTANCE = new CellRecordSerializer();

    private static final String[] NO_KEYS = new String[0];
    private static final CellRecord EMPTY = new CellRecord(0,
            new Sample(0, 0, 0, NO_KEYS, new MatrixRow[0], NO_KEYS, new MatrixRow[0], NO_KEYS, new Object[0]));

    @Override
    public CellRecord createInstance() {
        return EMPTY;
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
    public TypeSerializerSnapshot<CellRecord> snapshotConfiguration() {
        return new CellRecordSerializerSnapshot();
    }

    /**
     * Snapshot of the (stateless) serializer; restores {@link #INSTANCE}. Its version says which
     * record format the state holds (see the class comment). Version 3 was written while this
     * class extended Flink's {@code SimpleTypeSerializerSnapshot} (whose version 2, of older Flink
     * releases, holding the serializer's class name, is read as well), which is why format 2
     * starts at version 4. Versions 3 and 4 hold nothing.
     */
    public static final class CellRecordSerializerSnapshot implements TypeSerializerSnapshot<CellRecord> {
        /** Format 1, in the form of {@code SimpleTypeSerializerSnapshot} of older Flink releases. */
        static final int VERSION_FORMAT_1_LEGACY = 2;
        /** Format 1, as written by {@code SimpleTypeSerializerSnapshot}. */
        static final int VERSION_FORMAT_1 = 3;
        /** Format 2: shaped rows (N-D obsm). */
        static final int VERSION_FORMAT_2 = 4;
        static final int CURRENT_VERSION = VERSION_FORMAT_2;

        private int format = 2;

        public CellRecordSerializerSnapshot() {}

        @Override
        public int getCurrentVersion() {
            return CURRENT_VERSION;
        }

        /** The record format of the state this snapshot describes: 1 or 2. */
        int format() {
            return format;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {
            // the version says everything
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
                throws IOException {
            switch (readVersion) {
                case VERSION_FORMAT_1_LEGACY:
                    in.readUTF(); // the serializer's class name
                    format = 1;
                    break;
                case VERSION_FORMAT_1:
                    format = 1;
                    break;
                case VERSION_FORMAT_2:
                    format = 2;
                    break;
                default:
                    throw new IOException("unknown CellRecord serializer snapshot version " + readVersion
                            + " (this build reads " + VERSION_FORMAT_1_LEGACY + ".." + CURRENT_VERSION
                            + "); was the state written by a newer build?");
            }
        }

        @Override
        public TypeSerializer<CellRecord> restoreSerializer() {
            return INSTANCE; // it reads format 1 and 2
        }

        @Override
        public TypeSerializerSchemaCompatibility<CellRecord> resolveSchemaCompatibility(
                TypeSerializerSnapshot<CellRecord> oldSerializerSnapshot) {
            // format 1 and 2 are read as they are: format 2 only adds shaped rows
            return oldSerializerSnapshot instanceof CellRecordSerializerSnapshot
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CellRecordSerializerSnapshot && ((CellRecordSerializerSnapshot) o).format == format;
        }

        @Override
        public int hashCode() {
            return format;
        }

        @Override
        public String toString() {
            return "CellRecordSerializerSnapshot{format " + format + "}";
        }
    }
}
