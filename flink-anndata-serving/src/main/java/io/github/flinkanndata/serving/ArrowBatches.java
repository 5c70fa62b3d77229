package io.github.flinkanndata.serving;

import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.CellBatch;
import io.github.flinkanndata.source.record.MatrixBlock;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
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

    /**
     * The schema of a batch given in parts (consecutive cells; batches of one collection share it
     * unless an obs column's type varies).
     */
    public static Schema schema(List<CellBatch> parts) {
        CellBatch first = parts.get(0);
        List<Field> fields = new ArrayList<>();
        fields.add(new Field("global_index", FieldType.notNullable(INT64), null));
        for (String k : first.matrices().keySet()) {
            addMatrix(fields, k, blocks(parts, b -> b.matrices().get(k)));
        }
        for (String k : first.obsm().keySet()) {
            addMatrix(fields, "obsm." + k, blocks(parts, b -> b.obsm().get(k)));
        }
        for (String k : first.obs().keySet()) {
            fields.add(new Field("obs." + k, FieldType.nullable(obsType(parts, k)), null));
        }
        return new Schema(fields);
    }

    /** One matrix's blocks, one per part; they must agree on sparse or dense. */
    private static List<MatrixBlock> blocks(List<CellBatch> parts, Function<CellBatch, MatrixBlock> get) {
        List<MatrixBlock> out = new ArrayList<>(parts.size());
        for (CellBatch b : parts) {
            MatrixBlock m = get.apply(b);
            if (m == null || m.isSparse() != get.apply(parts.get(0)).isSparse()) {
                throw new IllegalArgumentException("the parts of a batch differ in their matrices");
            }
            out.add(m);
        }
        return out;
    }

    private static void addMatrix(List<Field> fields, String name, List<MatrixBlock> blocks) {
        if (blocks.get(0).isSparse()) {
            fields.add(list(name + ".indices", INT32));
            fields.add(list(name + ".values", FLOAT32));
        } else if (fixedWidth(blocks) >= 0) {
            Field item = new Field("item", FieldType.notNullable(FLOAT32), null);
            fields.add(new Field(name, FieldType.notNullable(new ArrowType.FixedSizeList(fixedWidth(blocks))),
                    List.of(item)));
        } else {
            fields.add(list(name, FLOAT32));
        }
    }

    private static Field list(String name, ArrowType item) {
        return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                List.of(new Field("item", FieldType.notNullable(item), null)));
    }

    /** The common width of dense blocks whose rows are all present, else -1. */
    private static int fixedWidth(List<MatrixBlock> blocks) {
        int w = -1;
        for (MatrixBlock m : blocks) {
            for (int i = 0; i < m.rows(); i++) {
                if (!m.present(i) || (w >= 0 && m.widths()[i] != w)) {
                    return -1;
                }
                w = m.widths()[i];
            }
        }
        return w;
    }

    private static ArrowType obsType(List<CellBatch> parts, String key) {
        Class<?> seen = null;
        for (CellBatch b : parts) {
            for (Object v : b.obs().get(key)) {
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

    /**
     * Fills {@code root} (whose schema is {@link #schema} of the parts) with the cells of a batch
     * given in parts, in order. The parts are copied straight into the Arrow buffers: they are not
     * joined first. The matrix buffers of a root filled before are reused when large enough (a
     * stream sends its batches through one root): fresh buffers of megabytes each were mapped,
     * zeroed and unmapped for every batch, a tenth of the serving JVM's CPU.
     */
    public static void fill(VectorSchemaRoot root, List<CellBatch> parts) {
        int n = 0;
        for (CellBatch b : parts) {
            n += b.size();
        }
        BigIntVector gi = (BigIntVector) root.getVector("global_index");
        if (gi.getValueCapacity() < n) {
            gi.allocateNew(n);
        }
        long at = 0;
        for (CellBatch b : parts) {
            gi.getDataBuffer().nioBuffer(at * 8, b.size() * 8).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer()
                    .put(b.globalIndex(), 0, b.size());
            at += b.size();
        }
        allValid(gi, n);
        CellBatch first = parts.get(0);
        for (String k : first.matrices().keySet()) {
            fillMatrix(root, k, blocks(parts, b -> b.matrices().get(k)), n);
        }
        for (String k : first.obsm().keySet()) {
            fillMatrix(root, "obsm." + k, blocks(parts, b -> b.obsm().get(k)), n);
        }
        for (String k : first.obs().keySet()) {
            fillObs(root.getVector("obs." + k), parts, k, n);
        }
        root.setRowCount(n);
    }

    private static void fillMatrix(VectorSchemaRoot root, String name, List<MatrixBlock> blocks, int rows) {
        if (blocks.get(0).isSparse()) {
            ListVector indices = (ListVector) root.getVector(name + ".indices");
            offsets(indices, blocks, rows);
            copyInts((IntVector) indices.getDataVector(), blocks);
            ListVector values = (ListVector) root.getVector(name + ".values");
            offsets(values, blocks, rows);
            copyFloats((Float4Vector) values.getDataVector(), blocks);
        } else if (root.getVector(name) instanceof FixedSizeListVector v) {
            v.allocateNew();
            copyFloats((Float4Vector) v.getDataVector(), blocks);
            for (int i = 0; i < rows; i++) {
                v.setNotNull(i);
            }
            v.setValueCount(rows);
        } else {
            ListVector v = (ListVector) root.getVector(name);
            offsets(v, blocks, rows);
            copyFloats((Float4Vector) v.getDataVector(), blocks);
        }
    }

    /** The list offsets (the CSR indptr of the whole batch) and nulls of absent rows. */
    private static void offsets(ListVector v, List<MatrixBlock> blocks, int rows) {
        if (v.getValueCapacity() < rows) {
            v.setInitialCapacity(rows);
            v.allocateNew();
        } else {
            v.setLastSet(-1); // every offset and validity bit below rows is written again
        }
        int r = 0;
        for (MatrixBlock m : blocks) {
            int[] indptr = m.indptr();
            for (int i = 0; i < m.rows(); i++, r++) {
                v.startNewValue(r);
                v.endValue(r, indptr[i + 1] - indptr[i]);
                if (!m.present(i)) {
                    v.setNull(r);
                }
            }
        }
        v.setValueCount(rows);
    }

    /*
     * The values go into the Arrow buffer through a little-endian view of it, one bulk copy per
     * part: Arrow's per-value set checks bounds and sets a validity bit for every value, which took
     * most of the serving thread's time on batches of a million values, and a heap staging array
     * of that size cost its allocation and zeroing again.
     */

    private static void copyInts(IntVector data, List<MatrixBlock> blocks) {
        int n = 0;
        for (MatrixBlock m : blocks) {
            n += m.indices().length;
        }
        if (data.getValueCapacity() < n) {
            data.allocateNew(n);
        }
        long at = 0;
        for (MatrixBlock m : blocks) {
            int[] idx = m.indices();
            data.getDataBuffer().nioBuffer(at * 4, idx.length * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
                    .put(idx);
            at += idx.length;
        }
        allValid(data, n);
    }

    private static void copyFloats(Float4Vector data, List<MatrixBlock> blocks) {
        int n = 0;
        for (MatrixBlock m : blocks) {
            n += m.values().length;
        }
        if (data.getValueCapacity() < n) {
            data.allocateNew(n);
        }
        long at = 0;
        for (MatrixBlock m : blocks) {
            float[] values = m.values();
            data.getDataBuffer().nioBuffer(at * 4, values.length * 4).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().put(values);
            at += values.length;
        }
        allValid(data, n);
    }

    /** Marks the first {@code n} values of a fixed-width vector valid and sets its value count. */
    private static void allValid(BaseFixedWidthVector data, int n) {
        ArrowBuf validity = data.getValidityBuffer();
        validity.setOne(0L, (long) (n / 8));
        for (int i = n / 8 * 8; i < n; i++) {
            BitVectorHelper.setBit(validity, i);
        }
        data.setValueCount(n);
    }

    private static void fillObs(FieldVector v, List<CellBatch> parts, String key, int n) {
        v.setInitialCapacity(n);
        v.allocateNew();
        int i = 0;
        for (CellBatch b : parts) {
            for (Object o : b.obs().get(key)) {
                setObs(v, i++, o);
            }
        }
        v.setValueCount(n);
    }

    private static void setObs(FieldVector v, int i, Object o) {
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

    /**
     * The {@code app_metadata} of a batch's message, JSON: {@code key} (the collection and order
     * settings), {@code epoch}, {@code g} (the batch's index in its epoch), {@code G} (batches in
     * the epoch), {@code B} (cells per batch), {@code rank} and {@code world}, and {@code widths}
     * (each matrix's column count, the widest row's).
     */
    public static String metadata(List<BatchPiece> parts, int rank, int world) {
        BatchPiece p = parts.get(0);
        StringBuilder s = new StringBuilder(128);
        s.append("{\"key\":\"").append(p.key()).append("\",\"epoch\":").append(p.epoch())
                .append(",\"g\":").append(p.batch()).append(",\"G\":").append(p.batchesInEpoch())
                .append(",\"B\":").append(p.batchSize()).append(",\"rank\":").append(rank)
                .append(",\"world\":").append(world).append(",\"widths\":{");
        boolean first = true;
        for (String k : p.cells().matrices().keySet()) {
            first = width(s, first, k, parts, b -> b.matrices().get(k));
        }
        for (String k : p.cells().obsm().keySet()) {
            first = width(s, first, "obsm." + k, parts, b -> b.obsm().get(k));
        }
        return s.append("}}").toString();
    }

    private static boolean width(StringBuilder s, boolean first, String name, List<BatchPiece> parts,
            Function<CellBatch, MatrixBlock> get) {
        int w = 0;
        for (BatchPiece p : parts) {
            for (int x : get.apply(p.cells()).widths()) {
                w = Math.max(w, x);
            }
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
