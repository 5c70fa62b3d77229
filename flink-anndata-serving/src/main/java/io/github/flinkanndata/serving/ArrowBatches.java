package io.github.flinkanndata.serving;

import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.CellBatch;
import io.github.flinkanndata.source.record.MatrixBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The wire form of one training batch: an Arrow record batch with one row per cell.
 *
 * <ul>
 *   <li>{@code global_index}: int64, the cell's index in the collection;
 *   <li>a sparse matrix {@code K} (X, a layer, {@code obsm.K} for obsm entries): {@code K.indices}
 *       {@code List<Int32>} and {@code K.values} {@code List<Float32>}, whose list offsets are the
 *       CSR indptr of the batch (so indptr, indices and data are three Arrow buffers, read without
 *       a copy); a cell whose store lacks the matrix is a null list;
 *   <li>a dense matrix: {@code K} as {@code FixedSizeList<Float32>} when every row has the same width
 *       and is present, else {@code List<Float32>};
 *   <li>an obs column {@code obs.K}: int32 (category codes), utf8, int64, float64 or bool, null where
 *       the value is missing.
 * </ul>
 *
 * <p>Which training batch it is travels in the message's {@code app_metadata}, see {@link
 * #metadata}.
 */
public final class ArrowBatches {
    private static final ArrowType INT32 = new ArrowType.Int(32, true);
    private static final ArrowType INT64 = new ArrowType.Int(64, true);
    private static final ArrowType FLOAT32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    private static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

    private ArrowBatches() {}

    /** The schema of a batch (batches of one collection share it unless an obs column's type varies). */
    public static Schema schema(CellBatch b) {
        List<Field> fields = new ArrayList<>();
        fields.add(new Field("global_index", FieldType.notNullable(INT64), null));
        addMatrices(fields, "", b.matrices());
        addMatrices(fields, "obsm.", b.obsm());
        for (Map.Entry<String, Object[]> e : b.obs().entrySet()) {
            fields.add(new Field("obs." + e.getKey(), FieldType.nullable(obsType(e.getValue())), null));
        }
        return new Schema(fields);
    }

    private static void addMatrices(List<Field> fields, String prefix, Map<String, MatrixBlock> blocks) {
        for (Map.Entry<String, MatrixBlock> e : blocks.entrySet()) {
            String name = prefix + e.getKey();
            MatrixBlock m = e.getValue();
            if (m.isSparse()) {
                fields.add(list(name + ".indices", INT32));
                fields.add(list(name + ".values", FLOAT32));
            } else if (fixedWidth(m) >= 0) {
                Field item = new Field("item", FieldType.notNullable(FLOAT32), null);
                fields.add(new Field(name, FieldType.notNullable(new ArrowType.FixedSizeList(fixedWidth(m))),
                        List.of(item)));
            } else {
                fields.add(list(name, FLOAT32));
            }
        }
    }

    private static Field list(String name, ArrowType item) {
        return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                List.of(new Field("item", FieldType.notNullable(item), null)));
    }

    /** The common width of a dense block whose rows are all present, else -1. */
    private static int fixedWidth(MatrixBlock m) {
        if (m.rows() == 0) {
            return -1;
        }
        int w = m.widths()[0];
        for (int i = 0; i < m.rows(); i++) {
            if (!m.present(i) || m.widths()[i] != w) {
                return -1;
            }
        }
        return w;
    }

    private static ArrowType obsType(Object[] values) {
        Class<?> seen = null;
        for (Object v : values) {
            if (v == null || v == Missing.MISSING) {
                continue;
            }
            Class<?> c = v.getClass();
            if (seen == null) {
                seen = c;
            } else if (seen != c) {
                boolean numbers = (seen == Long.class || seen == Double.class || seen == Integer.class)
                        && (c == Long.class || c == Double.class || c == Integer.class);
                return numbers ? FLOAT64 : ArrowType.Utf8.INSTANCE;
            }
        }
        if (seen == Integer.class) {
            return INT32;
        } else if (seen == Long.class) {
            return INT64;
        } else if (seen == Double.class || seen == Float.class) {
            return FLOAT64;
        } else if (seen == Boolean.class) {
            return ArrowType.Bool.INSTANCE;
        }
        return ArrowType.Utf8.INSTANCE;
    }

    /** Fills {@code root} (whose schema is {@link #schema} of the batch) with the batch's cells. */
    public static void fill(VectorSchemaRoot root, CellBatch b) {
        int n = b.size();
        root.clear();
        BigIntVector gi = (BigIntVector) root.getVector("global_index");
        gi.allocateNew(n);
        long[] global = b.globalIndex();
        for (int i = 0; i < n; i++) {
            gi.set(i, global[i]);
        }
        gi.setValueCount(n);
        fillMatrices(root, "", b.matrices());
        fillMatrices(root, "obsm.", b.obsm());
        for (Map.Entry<String, Object[]> e : b.obs().entrySet()) {
            fillObs(root.getVector("obs." + e.getKey()), e.getValue());
        }
        root.setRowCount(n);
    }

    private static void fillMatrices(VectorSchemaRoot root, String prefix, Map<String, MatrixBlock> blocks) {
        for (Map.Entry<String, MatrixBlock> e : blocks.entrySet()) {
            String name = prefix + e.getKey();
            MatrixBlock m = e.getValue();
            if (m.isSparse()) {
                fillIntList((ListVector) root.getVector(name + ".indices"), m);
                fillFloatList((ListVector) root.getVector(name + ".values"), m);
            } else if (root.getVector(name) instanceof FixedSizeListVector) {
                FixedSizeListVector v = (FixedSizeListVector) root.getVector(name);
                v.allocateNew();
                Float4Vector data = (Float4Vector) v.getDataVector();
                float[] values = m.values();
                data.allocateNew(values.length);
                for (int j = 0; j < values.length; j++) {
                    data.set(j, values[j]);
                }
                data.setValueCount(values.length);
                for (int i = 0; i < m.rows(); i++) {
                    v.setNotNull(i);
                }
                v.setValueCount(m.rows());
            } else {
                fillFloatList((ListVector) root.getVector(name), m);
            }
        }
    }

    private static void offsets(ListVector v, MatrixBlock m) {
        v.setInitialCapacity(m.rows());
        v.allocateNew();
        int[] indptr = m.indptr();
        for (int i = 0; i < m.rows(); i++) {
            v.startNewValue(i);
            v.endValue(i, indptr[i + 1] - indptr[i]);
            if (!m.present(i)) {
                v.setNull(i);
            }
        }
        v.setValueCount(m.rows());
    }

    private static void fillIntList(ListVector v, MatrixBlock m) {
        offsets(v, m);
        IntVector data = (IntVector) v.getDataVector();
        int[] idx = m.indices();
        ByteBuffer bytes = ByteBuffer.allocate(idx.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(idx);
        copyAllValid(data, bytes.array(), idx.length);
    }

    private static void fillFloatList(ListVector v, MatrixBlock m) {
        offsets(v, m);
        Float4Vector data = (Float4Vector) v.getDataVector();
        float[] values = m.values();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        copyAllValid(data, bytes.array(), values.length);
    }

    /**
     * Fills a 4-byte fixed-width vector with {@code n} values given as little-endian bytes, all
     * valid, in two bulk copies: the per-value {@code set} checks bounds and sets a validity bit for
     * every value, which took most of the serving thread's time on batches of a million values.
     */
    private static void copyAllValid(BaseFixedWidthVector data, byte[] littleEndian, int n) {
        data.allocateNew(n);
        data.getDataBuffer().setBytes(0, littleEndian, 0, (long) n * 4);
        ArrowBuf validity = data.getValidityBuffer();
        validity.setOne(0L, (long) (n / 8));
        for (int i = n / 8 * 8; i < n; i++) {
            BitVectorHelper.setBit(validity, i);
        }
        data.setValueCount(n);
    }

    private static void fillObs(FieldVector v, Object[] values) {
        int n = values.length;
        v.setInitialCapacity(n);
        v.allocateNew();
        for (int i = 0; i < n; i++) {
            Object o = values[i];
            if (o == null || o == Missing.MISSING) {
                v.setNull(i);
            } else if (v instanceof IntVector) {
                ((IntVector) v).setSafe(i, ((Number) o).intValue());
            } else if (v instanceof BigIntVector) {
                ((BigIntVector) v).setSafe(i, ((Number) o).longValue());
            } else if (v instanceof Float8Vector) {
                ((Float8Vector) v).setSafe(i, ((Number) o).doubleValue());
            } else if (v instanceof BitVector) {
                ((BitVector) v).setSafe(i, ((Boolean) o) ? 1 : 0);
            } else {
                ((VarCharVector) v).setSafe(i, o.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        v.setValueCount(n);
    }

    /**
     * The {@code app_metadata} of a batch's message, JSON: {@code key} (the collection and order
     * settings), {@code epoch}, {@code g} (the batch's index in its epoch), {@code G} (batches in
     * the epoch), {@code B} (cells per batch), {@code rank} and {@code world}, and {@code widths}
     * (each matrix's column count, the widest row's).
     */
    public static String metadata(BatchPiece p, int rank, int world) {
        StringBuilder s = new StringBuilder(128);
        s.append("{\"key\":\"").append(p.key()).append("\",\"epoch\":").append(p.epoch())
                .append(",\"g\":").append(p.batch()).append(",\"G\":").append(p.batchesInEpoch())
                .append(",\"B\":").append(p.batchSize()).append(",\"rank\":").append(rank)
                .append(",\"world\":").append(world).append(",\"widths\":{");
        boolean first = true;
        for (Map.Entry<String, MatrixBlock> e : p.cells().matrices().entrySet()) {
            first = width(s, first, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, MatrixBlock> e : p.cells().obsm().entrySet()) {
            first = width(s, first, "obsm." + e.getKey(), e.getValue());
        }
        return s.append("}}").toString();
    }

    private static boolean width(StringBuilder s, boolean first, String name, MatrixBlock m) {
        int w = 0;
        for (int x : m.widths()) {
            w = Math.max(w, x);
        }
        if (!first) {
            s.append(',');
        }
        s.append('"').append(name.replace("\"", "\\\"")).append("\":").append(w);
        return false;
    }

    /** A root for batches of the given schema. */
    public static VectorSchemaRoot root(Schema schema, BufferAllocator allocator) {
        return VectorSchemaRoot.create(schema, allocator);
    }
}
