package io.github.flinkanndata.source.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.tree.DataType;
import java.io.IOException;
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
        return data.toArray(new CellRecord[0]);
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
