package io.github.flinkanndata.source.python;

import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.record.CellBatch;
import io.github.flinkanndata.source.record.MatrixBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.types.Row;

/**
 * Mini-batches as Flink {@link Row}s that PyFlink hands to Python cheaply: one row per {@link
 * CellBatch}, every array packed into a byte string (little-endian, numpy's native order) rather
 * than a list of boxed values, so Python reads it with {@code numpy.frombuffer} without a loop.
 *
 * <p>Fields: {@code epoch} INT; {@code global_idx} (int64), {@code store_idx} (int32), {@code
 * row} (int64) as bytes; one {@code ROW<indptr, indices, data, widths, present>} per matrix and per
 * {@code obsm_<k>} (int32, int32, float32, int32, uint8 bytes; {@code indices} empty for dense
 * blocks, {@code present} empty when every cell has the element); per obs key either the codes
 * (int32 bytes, for encoded keys: -1 is the unknown label, {@link #MISSING_CODE} a missing label or
 * a key the cell's store lacks) or the labels as strings (None where missing).
 * The {@code flink_anndata} package turns a row back into a batch with CSR/dense/torch helpers.
 */
@PublicEvolving
public final class CellBatchRowFormat implements CellOutputFormat<Row> {
    private static final long serialVersionUID = 1L;

    /** The code of a missing label in a packed code array: distinct from every code and from -1. */
    public static final int MISSING_CODE = -2;

    private final CellOutputFormat<CellBatch> batches;
    private final List<String> layers;
    private final List<String> obsm;
    private final List<String> obs;
    private final List<String> encoded;

    private CellBatchRowFormat(SourceSettings settings, int batchSize) {
        this.batches = CellOutputFormat.batches(batchSize);
        this.layers = settings.collection().layersKeys();
        this.obsm = settings.collection().obsmKeys() == null ? List.of() : settings.collection().obsmKeys();
        this.obs = settings.collection().obsKeys() == null ? List.of() : settings.collection().obsKeys();
        this.encoded = settings.collection().encodeKeys();
    }

    /** {@code source} emitting one packed row per mini-batch of up to {@code batchSize} cells. */
    public static AnnDataSource<Row> batchRows(AnnDataSource<?> source, int batchSize) {
        return source.withFormat(new CellBatchRowFormat(source.settings(), batchSize));
    }

    /** The field names, in order. */
    public List<String> fieldNames() {
        List<String> names = new ArrayList<>(List.of("epoch", "global_idx", "store_idx", "row"));
        layers.forEach(k -> names.add(k.equals("raw.X") ? "raw_X" : k));
        obsm.forEach(k -> names.add("obsm_" + k));
        names.addAll(obs);
        return names;
    }

    @Override
    public RowTypeInfo producedType() {
        List<TypeInformation<?>> types = new ArrayList<>(List.of(Types.INT, BYTES, BYTES, BYTES));
        RowTypeInfo block = new RowTypeInfo(new TypeInformation<?>[] {BYTES, BYTES, BYTES, BYTES, BYTES},
                new String[] {"indptr", "indices", "data", "widths", "present"});
        for (int i = 0; i < layers.size() + obsm.size(); i++) {
            types.add(block);
        }
        for (String k : obs) {
            types.add(encoded.contains(k) ? BYTES : Types.OBJECT_ARRAY(Types.STRING));
        }
        return new RowTypeInfo(types.toArray(new TypeInformation<?>[0]), fieldNames().toArray(new String[0]));
    }

    @SuppressWarnings("unchecked") // Types.PRIMITIVE_ARRAY is typed TypeInformation<?>; for BYTE it is byte[]
    private static final TypeInformation<byte[]> BYTES =
            (TypeInformation<byte[]>) Types.PRIMITIVE_ARRAY(Types.BYTE);

    @Override
    public int fetchRows(int configured) {
        return batches.fetchRows(configured);
    }

    /** As the batches it makes its rows of. */
    @Override
    public boolean copiesSamples() {
        return batches.copiesSamples();
    }

    @Override
    public void convert(Context context, int epoch, List<Sample> samples, Collector<Row> out) {
        batches.convert(context, epoch, samples, (batch, cells) -> out.collect(toRow(batch), cells));
    }

    private Row toRow(CellBatch b) {
        Row row = new Row(4 + layers.size() + obsm.size() + obs.size());
        int f = 0;
        row.setField(f++, b.epoch());
        row.setField(f++, longs(b.globalIndex()));
        row.setField(f++, ints(b.storeIndex()));
        row.setField(f++, longs(b.row()));
        for (String k : layers) {
            row.setField(f++, block(b.matrix(k)));
        }
        for (String k : obsm) {
            row.setField(f++, block(b.obsm().get(k)));
        }
        for (String k : obs) {
            Object[] values = b.obs().get(k);
            row.setField(f++, encoded.contains(k) ? codes(values) : labels(values));
        }
        return row;
    }

    private static Row block(MatrixBlock m) {
        int n = m.rows();
        byte[] present = new byte[0];
        if (!allPresent(m)) {
            present = new byte[n];
            for (int i = 0; i < n; i++) {
                present[i] = (byte) (m.present(i) ? 1 : 0);
            }
        }
        return Row.of(ints(m.indptr()), m.isSparse() ? ints(m.indices()) : new byte[0], floats(m.values()),
                ints(m.widths()), present);
    }

    private static boolean allPresent(MatrixBlock m) {
        for (int i = 0; i < m.rows(); i++) {
            if (!m.present(i)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] codes(Object[] values) {
        int[] c = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            c[i] = values[i] instanceof Integer ? (Integer) values[i] : MISSING_CODE;
        }
        return ints(c);
    }

    private static String[] labels(Object[] values) {
        String[] s = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            s[i] = Missing.isMissing(values[i]) ? null : String.valueOf(values[i]);
        }
        return s;
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] ints(int[] a) {
        ByteBuffer b = buffer(4 * a.length);
        b.asIntBuffer().put(a);
        return b.array();
    }

    private static byte[] longs(long[] a) {
        ByteBuffer b = buffer(8 * a.length);
        b.asLongBuffer().put(a);
        return b.array();
    }

    private static byte[] floats(float[] a) {
        ByteBuffer b = buffer(4 * a.length);
        b.asFloatBuffer().put(a);
        return b.array();
    }

    @Override
    public String toString() {
        return "batchRows(" + batches + ")";
    }
}
