package io.github.flinkanndata.source.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.tree.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Flink's serializer contract ({@link SerializerTestBase}: copies, sequences, snapshots,
 * duplicates, Java serializability) over records with every value type the collection emits,
 * plus snapshot restore and corrupt-input checks.
 */
class CellRecordSerializerTest extends SerializerTestBase<CellRecord> {
    private static final String[] NONE = new String[0];

    @Override
    protected TypeSerializer<CellRecord> createSerializer() {
        return CellRecordSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<CellRecord> getTypeClass() {
        return CellRecord.class;
    }

    /** One dense and one sparse row of every matrix type, with edge values. */
    static List<MatrixRow> rowsOfEveryType() {
        List<MatrixRow> rows = new ArrayList<>();
        rows.add(MatrixRow.dense(DataType.FLOAT32, new float[] {0f, -0f, 1.5f, Float.NaN, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, Float.MAX_VALUE}));
        rows.add(MatrixRow.sparse(DataType.FLOAT32, 1000, new int[] {0, 17, 999}, new float[] {2.5f, 0f, -1f}));
        rows.add(MatrixRow.dense(DataType.FLOAT64, new double[] {0, -0.0, Math.PI, Double.NaN,
                Double.POSITIVE_INFINITY, Double.MIN_VALUE}));
        rows.add(MatrixRow.sparse(DataType.FLOAT64, 5, new int[] {1, 4}, new double[] {1e300, -1e-300}));
        rows.add(MatrixRow.dense(DataType.INT32, new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}));
        rows.add(MatrixRow.sparse(DataType.INT32, 3, new int[] {2}, new int[] {42}));
        rows.add(MatrixRow.dense(DataType.INT64, new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}));
        rows.add(MatrixRow.sparse(DataType.INT64, 4, new int[] {0, 3}, new long[] {-7, 1L << 40}));
        rows.add(MatrixRow.dense(DataType.BOOL, new boolean[] {true, false, true}));
        rows.add(MatrixRow.sparse(DataType.BOOL, 6, new int[] {1, 5}, new boolean[] {true, true}));
        rows.add(MatrixRow.dense(DataType.INT8, new byte[] {Byte.MIN_VALUE, 0, Byte.MAX_VALUE}));
        rows.add(MatrixRow.sparse(DataType.INT8, 9, new int[] {8}, new byte[] {-3}));
        rows.add(MatrixRow.dense(DataType.INT16, new short[] {Short.MIN_VALUE, 1, Short.MAX_VALUE}));
        rows.add(MatrixRow.sparse(DataType.INT16, 2, new int[] {0, 1}, new short[] {-300, 300}));
        // unsigned types are widened: uint8 / uint16 in int[], uint32 / uint64 in long[]
        rows.add(MatrixRow.dense(DataType.UINT8, new int[] {0, 128, 255}));
        rows.add(MatrixRow.sparse(DataType.UINT8, 4, new int[] {3}, new int[] {255}));
        rows.add(MatrixRow.dense(DataType.UINT16, new int[] {0, 65_535}));
        rows.add(MatrixRow.sparse(DataType.UINT16, 3, new int[] {0}, new int[] {40_000}));
        rows.add(MatrixRow.dense(DataType.UINT32, new long[] {0, 4_294_967_295L}));
        rows.add(MatrixRow.sparse(DataType.UINT32, 2, new int[] {1}, new long[] {3_000_000_000L}));
        rows.add(MatrixRow.dense(DataType.UINT64, new long[] {0, -1L, Long.MIN_VALUE})); // >= 2^63 keeps its bits
        rows.add(MatrixRow.sparse(DataType.UINT64, 2, new int[] {0}, new long[] {-2L}));
        // empty rows
        rows.add(MatrixRow.dense(DataType.FLOAT32, new float[0]));
        rows.add(MatrixRow.sparse(DataType.FLOAT32, 12, new int[0], new float[0]));
        rows.add(MatrixRow.sparse(DataType.FLOAT64, 0, new int[0], new double[0]));
        return rows;
    }

    private static CellRecord record(int epoch, long index, int store, long row, String[] layerKeys,
            MatrixRow[] layers, String[] obsmKeys, MatrixRow[] obsm, String[] obsKeys, Object[] obs) {
        return new CellRecord(epoch, new Sample(index, store, row, layerKeys, layers, obsmKeys, obsm, obsKeys, obs));
    }

    private static CellRecord onlyX(int i, MatrixRow x) {
        return record(i % 3, i, i % 2, 10L * i, new String[] {"X"}, new MatrixRow[] {x}, NONE, new MatrixRow[0],
                NONE, new Object[0]);
    }

    @Override
    protected CellRecord[] getTestData() {
        List<CellRecord> data = new ArrayList<>();
        List<MatrixRow> rows = rowsOfEveryType();
        for (int i = 0; i < rows.size(); i++) {
            data.add(onlyX(i, rows.get(i)));
        }
        // an empty record (no layers, obsm or obs) and the serializer's own empty instance
        data.add(record(0, 0, 0, 0, NONE, new MatrixRow[0], NONE, new MatrixRow[0], NONE, new Object[0]));
        data.add(CellRecordSerializer.INSTANCE.createInstance());
        // everything at once: several layers, obsm rows, obs values of every kind
        data.add(record(Integer.MAX_VALUE, Long.MAX_VALUE, 7, 123_456_789_012L,
                new String[] {"X", "raw.X", "counts"},
                new MatrixRow[] {rows.get(0), rows.get(3), rows.get(14)},
                new String[] {"X_pca", "X_emb"},
                new MatrixRow[] {MatrixRow.dense(DataType.FLOAT64, new double[] {0.5, -0.25}),
                    MatrixRow.sparse(DataType.FLOAT32, 3, new int[] {2}, new float[] {7f})},
                new String[] {"cell_type", "label", "donor", "n_genes", "score", "is_doublet", "batch",
                    "unknown", "celltype \u00e9\u4e8c\ud835\udd0a"},
                new Object[] {3, "T cell", "Zelltyp \u00e4\u00f6\u00fc \u2014 \u4e8c \ud83e\uddec", 12L, 0.125, true,
                    Missing.MISSING, -1, ""}));
        data.add(record(1, 2, 0, 2, NONE, new MatrixRow[0], new String[] {"sp"},
                new MatrixRow[] {MatrixRow.sparse(DataType.INT64, 4, new int[] {1}, new long[] {5})},
                new String[] {"flt", "nbool", "nint"}, new Object[] {Double.NaN, false, Long.MIN_VALUE}));
        // format 2: rows of obsm entries with more than two dimensions, dense and sparse
        data.add(record(4, 9, 2, 5, new String[] {"X"}, new MatrixRow[] {rows.get(0)},
                new String[] {"patch", "cube", "none", "pca"}, shapedRows(), NONE, new Object[0]));
        return data.toArray(new CellRecord[0]);
    }

    /** Rows of shape (2, 3) float32 dense, (2, 2, 2) int64 sparse, (0, 3) empty, and a plain one. */
    static MatrixRow[] shapedRows() {
        return new MatrixRow[] {
            MatrixRow.dense(DataType.FLOAT32, new float[] {-2f, 0f, -1f, 0.25f, 2.75f, Float.NaN})
                    .withShape(new int[] {2, 3}),
            MatrixRow.sparse(DataType.INT64, 8, new int[] {0, 7}, new long[] {45, -49}).withShape(new int[] {2, 2, 2}),
            MatrixRow.dense(DataType.FLOAT64, new double[0]).withShape(new int[] {0, 3}),
            MatrixRow.dense(DataType.FLOAT64, new double[] {-1.0, -0.125})};
    }

    // ---- pinned bytes of every format (docs/reliability.md "What is pinned") -----------------------

    private static final Path PINNED = Path.of("src", "test", "resources", "serializer-snapshots");

    /** The value pinned in {@code cell-record-v1.bin} (written by the build before format 2). */
    static CellRecord pinnedRecordV1() {
        return new CellRecord(3, new Sample(41, 1, 7, new String[] {"X", "raw.X"},
                new MatrixRow[] {MatrixRow.sparse(DataType.FLOAT32, 5, new int[] {0, 4}, new float[] {1.5f, -2f}),
                    MatrixRow.dense(DataType.INT64, new long[] {8, 9, 10})},
                new String[] {"X_pca", "one"},
                new MatrixRow[] {MatrixRow.dense(DataType.FLOAT64, new double[] {0.5, -0.25}),
                    MatrixRow.dense(DataType.INT32, new int[] {7})},
                new String[] {"cell_type", "donor", "score", "flag"},
                new Object[] {2, "d\u00e41", Missing.MISSING, true}));
    }

    /** The value pinned in {@code cell-record-v2.bin}: format 1's record plus shaped obsm rows. */
    static CellRecord pinnedRecordV2() {
        MatrixRow[] shaped = shapedRows();
        return new CellRecord(5, new Sample(12, 2, 30, new String[] {"X"},
                new MatrixRow[] {MatrixRow.dense(DataType.FLOAT32, new float[] {1f, 1.5f, 1f})},
                new String[] {"patch", "cube", "none", "pca"}, shaped,
                new String[] {"ct"}, new Object[] {Missing.MISSING}));
    }

    /**
     * The bytes pinned as {@code name}; written by the current serializer when missing, which
     * requires {@code snapshotVersion} to be its current snapshot version (commit the file; never
     * overwrite one that was committed).
     */
    private static byte[] pinned(String name, int snapshotVersion, CellRecord value) throws IOException {
        Path path = PINNED.resolve(name);
        if (!Files.exists(path)) {
            assertThat(CellRecordSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion())
                    .as("%s is missing and only snapshot version %s can write it", path, snapshotVersion)
                    .isEqualTo(snapshotVersion);
            DataOutputSerializer out = new DataOutputSerializer(256);
            CellRecordSerializer.INSTANCE.serialize(value, out);
            Files.write(path, out.getCopyOfBuffer());
        }
        return Files.readAllBytes(path);
    }

    private static CellRecord read(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        CellRecord r = CellRecordSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("trailing bytes").isZero();
        return r;
    }

    private static byte[] write(CellRecord r) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        CellRecordSerializer.INSTANCE.serialize(r, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void readsPinnedFormat1AndWritesItsRecordsByteForByte() throws IOException {
        byte[] bytes = Files.readAllBytes(PINNED.resolve("cell-record-v1.bin")); // never rewritten
        CellRecord r = read(bytes);
        assertThat(r).isEqualTo(pinnedRecordV1());
        assertThat(r.sample().obsm("X_pca").shape()).containsExactly(2);
        assertThat(r.sample().obsm("one").shape()).containsExactly(1);
        assertThat(r.matrix("X").isSparse()).isTrue();
        assertThat(r.obs("donor")).isEqualTo("d\u00e41");
        // format 2 changes nothing for rows without a shape
        assertThat(write(r)).isEqualTo(bytes);
    }

    @Test
    void readsPinnedFormat2() throws IOException {
        byte[] bytes = pinned("cell-record-v2.bin", 4, pinnedRecordV2());
        CellRecord r = read(bytes);
        assertThat(r).isEqualTo(pinnedRecordV2());
        assertThat(r.epoch()).isEqualTo(5);
        assertThat(r.globalIndex()).isEqualTo(12);
        MatrixRow patch = r.sample().obsm("patch");
        assertThat(patch.shape()).containsExactly(2, 3);
        assertThat(patch.type()).isEqualTo(DataType.FLOAT32);
        assertThat(patch.isSparse()).isFalse();
        assertThat((float[]) patch.dense()).containsExactly(-2f, 0f, -1f, 0.25f, 2.75f, Float.NaN);
        MatrixRow cube = r.sample().obsm("cube");
        assertThat(cube.shape()).containsExactly(2, 2, 2);
        assertThat(cube.isSparse()).isTrue();
        assertThat(cube.indices()).containsExactly(0, 7);
        assertThat((long[]) cube.values()).containsExactly(45, -49);
        assertThat(r.sample().obsm("none").shape()).containsExactly(0, 3);
        assertThat(r.sample().obsm("pca").shape()).containsExactly(2);
        assertThat(r.obs("ct")).isSameAs(Missing.MISSING);
        // a shaped row: type code | 0x40, rank, dimensions, then the row as format 1 writes it
        int patchAt = 4 + 8 + 4 + 8 + 4 + (2 + 1) + (1 + 4 + 1 + 3 * 4) + 4 + (2 + 5);
        assertThat(bytes[patchAt]).isEqualTo((byte) (9 | 0x40)); // float32
        assertThat(bytes[patchAt + 1]).isEqualTo((byte) 2);
    }

    @Test
    void theSnapshotVersionNamesTheFormatAndOldSnapshotsStayCompatible() throws IOException {
        TypeSerializerSnapshot<CellRecord> current = CellRecordSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.getCurrentVersion()).isEqualTo(4);

        // written by the build before format 2 (Flink's SimpleTypeSerializerSnapshot, version 3)
        TypeSerializerSnapshot<CellRecord> v1 = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(Files.readAllBytes(PINNED.resolve("cell-record-snapshot-v1.bin"))),
                getClass().getClassLoader());
        assertThat(v1).isInstanceOf(CellRecordSerializer.CellRecordSerializerSnapshot.class);
        assertThat(((CellRecordSerializer.CellRecordSerializerSnapshot) v1).format()).isEqualTo(1);
        assertThat(v1.restoreSerializer()).isSameAs(CellRecordSerializer.INSTANCE);
        assertThat(current.resolveSchemaCompatibility(v1).isCompatibleAsIs()).isTrue();

        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, current);
        TypeSerializerSnapshot<CellRecord> v2 = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(((CellRecordSerializer.CellRecordSerializerSnapshot) v2).format()).isEqualTo(2);
        assertThat(current.resolveSchemaCompatibility(v2).isCompatibleAsIs()).isTrue();
        assertThat(v2).isEqualTo(current).isNotEqualTo(v1);

        // a snapshot of a newer build is refused when restoring, not on its first shaped row
        CellRecordSerializer.CellRecordSerializerSnapshot future = new CellRecordSerializer.CellRecordSerializerSnapshot();
        assertThatThrownBy(() -> future.readSnapshot(5, new DataInputDeserializer(new byte[0]),
                getClass().getClassLoader())).isInstanceOf(IOException.class)
                .hasMessageContaining("unknown CellRecord serializer snapshot version 5");
    }

    @Test
    void corruptShapedRowsFailWithAClearIOException() throws IOException {
        MatrixRow patch = shapedRows()[0];
        byte[] bytes = write(record(0, 0, 0, 0, NONE, new MatrixRow[0], new String[] {"p"}, new MatrixRow[] {patch},
                NONE, new Object[0]));
        int code = 4 + 8 + 4 + 8 + 4 + 4 + (2 + 1);
        assertThat(bytes[code]).isEqualTo((byte) (9 | 0x40));

        byte[] rank = bytes.clone();
        rank[code + 1] = 1;
        assertThatThrownBy(() -> read(rank)).isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt record: a shaped row of 1 dimensions");
        byte[] dims = bytes.clone();
        dims[code + 2 + 3] = 4; // shape (4, 3) for 6 values
        assertThatThrownBy(() -> read(dims)).isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt record: row shape [4, 3] holds 12 values, but the row has 6");
        byte[] negative = bytes.clone();
        negative[code + 2] = (byte) 0x80;
        assertThatThrownBy(() -> read(negative)).isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt record: length");
    }

    @Test
    void snapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<CellRecord> snapshot = CellRecordSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<CellRecord> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(restored).isInstanceOf(CellRecordSerializer.CellRecordSerializerSnapshot.class);
        assertThat(restored.restoreSerializer()).isSameAs(CellRecordSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<CellRecord> compatibility =
                CellRecordSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void typeInfoAlwaysUsesThisSerializer() {
        assertThat(CellRecordTypeInfo.INSTANCE.createSerializer(new SerializerConfigImpl()))
                .isSameAs(CellRecordSerializer.INSTANCE);
        assertThat(CellRecordTypeInfo.INSTANCE.getTypeClass()).isEqualTo(CellRecord.class);
    }

    @Test
    void corruptInputFailsWithAClearIOException() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        CellRecordSerializer.INSTANCE.serialize(onlyX(1, rowsOfEveryType().get(0)), out);
        byte[] bytes = out.getCopyOfBuffer();
        // layout: epoch (4), index (8), store (4), row (8), layer count (4), key "X" (2 + 1), type code
        int typeCode = 4 + 8 + 4 + 8 + 4 + 3;
        bytes[typeCode] = 99;
        assertThatThrownBy(() -> CellRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown value type code 99");

        byte[] negative = out.getCopyOfBuffer();
        negative[24] = (byte) 0x80; // layer count < 0
        assertThatThrownBy(() -> CellRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(negative)))
                .isInstanceOf(IOException.class).hasMessageContaining("corrupt record: length");

        DataOutputSerializer obs = new DataOutputSerializer(64);
        CellRecordSerializer.INSTANCE.serialize(record(0, 0, 0, 0, NONE, new MatrixRow[0], NONE, new MatrixRow[0],
                new String[] {"k"}, new Object[] {"v"}), obs);
        byte[] tag = obs.getCopyOfBuffer();
        tag[4 + 8 + 4 + 8 + 4 + 4 + 4 + 3] = 42; // the obs value tag
        assertThatThrownBy(() -> CellRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(tag)))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown obs value tag 42");
    }

    @Test
    void obsLabelsLongerThan64KiBRoundTrip() throws IOException {
        // a free-text obs column may hold long labels; writeUTF caps a string at 65535 bytes
        String longLabel = "\u4e8c".repeat(30_000); // 90,000 bytes in (modified) UTF-8
        CellRecord r = record(0, 0, 0, 0, NONE, new MatrixRow[0], NONE, new MatrixRow[0],
                new String[] {"note"}, new Object[] {longLabel});
        DataOutputSerializer out = new DataOutputSerializer(128);
        CellRecordSerializer.INSTANCE.serialize(r, out);
        CellRecord back = CellRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.obs("note")).isEqualTo(longLabel);
    }

    @Test
    void unsupportedObsValueIsRejectedOnWrite() {
        CellRecord r = record(0, 0, 0, 0, NONE, new MatrixRow[0], NONE, new MatrixRow[0], new String[] {"k"},
                new Object[] {new StringBuilder("x")});
        assertThatThrownBy(() -> CellRecordSerializer.INSTANCE.serialize(r, new DataOutputSerializer(16)))
                .isInstanceOf(IOException.class).hasMessageContaining("obs value of unexpected type");
    }
}
