package io.github.flinkanndata.format.zarr;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.SlabPool;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A zarr array (v2 or v3, sharded or not).
 *
 * <p>A read walks the chunks that overlap the slab (for a sharded array: the inner chunks), gets
 * each one decoded from {@link ChunkSource} (which caches), and copies the overlap with {@link
 * SlabCopier}; a chunk that is not stored contributes the fill value (a long read first lists the
 * chunks stored, so that the others cost nothing: {@link ChunkSource#beforeRead}). Nothing is
 * allocated in proportion to the declared shape, only to the slab and the stored chunks it touches.
 *
 * <p>Structured arrays keep their chunks as raw record bytes; {@link #readField} slices one field
 * out of the records and converts it like a plain array.
 *
 * <p>Immutable handle; safe for concurrent reads.
 */
final class ZarrArray implements ArrayNode {

    private final String location;
    private final String path;
    private final Map<String, Object> attributes;
    private final ArrayMetadata meta;
    private final ChunkSource chunks;

    ZarrArray(String location, NodeMetadata node, ChunkSource chunks) {
        this.location = location;
        this.path = node.path();
        this.attributes = node.attributes();
        this.meta = Objects.requireNonNull(node.array(), "not an array");
        this.chunks = chunks;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String store() {
        return location;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public long[] shape() {
        return meta.shape.clone();
    }

    @Override
    public DataType dataType() {
        return meta.type.dataType();
    }

    @Override
    public boolean prefetches() {
        return chunks.prefetches();
    }

    @Override
    public void prefetch(long[] offset, int[] count) {
        int rank = meta.rank();
        if (offset.length != rank || count.length != rank) {
            return;
        }
        int[] readShape = meta.readShape();
        long[] first = new long[rank];
        long[] last = new long[rank];
        long spanned = 1;
        for (int d = 0; d < rank; d++) {
            if (offset[d] < 0 || count[d] <= 0 || offset[d] + count[d] > meta.shape[d]) {
                return;
            }
            first[d] = offset[d] / readShape[d];
            last[d] = (offset[d] + count[d] - 1) / readShape[d];
            spanned *= last[d] - first[d] + 1;
            if (spanned > ChunkSource.PREFETCH_MAX_CHUNKS) {
                return;
            }
        }
        chunks.prefetch(first, last, spanned, true);
    }

    @Override
    public Object read(long[] offset, int[] count) throws AnnDataFormatException {
        try {
            return readRecordsOrElements(offset, count);
        } catch (RuntimeException e) {
            throw unexpected(e);
        }
    }

    @Override
    public Object read(long[] offset, int[] count, SlabPool.Lease lease) throws AnnDataFormatException {
        DataType t = meta.type.kind == ZarrDType.Kind.STRUCT ? null : meta.type.dataType();
        if (meta.rank() != 1 || (t != DataType.INT32 && t != DataType.FLOAT32)) {
            return read(offset, count);
        }
        try {
            long total = checkSlab(offset, count, 1);
            Object out = t == DataType.INT32 ? lease.ints((int) total) : lease.floats((int) total);
            readSlabInto(offset, count, out, true);
            return out;
        } catch (RuntimeException e) {
            throw unexpected(e);
        }
    }

    /** The contract promises checked exceptions only; a bug must still name the array. */
    private AnnDataFormatException unexpected(RuntimeException e) {
        return new AnnDataFormatException(
                location, path, "unexpected failure while reading: " + e, e);
    }

    private Object readRecordsOrElements(long[] offset, int[] count) throws AnnDataFormatException {
        Object slab = readSlab(offset, count);
        if (meta.type.kind != ZarrDType.Kind.STRUCT) {
            return slab;
        }
        // records have no Java type of their own: hand out one byte[] per record
        byte[] raw = (byte[]) slab;
        int size = meta.type.itemSize;
        Object[] records = new Object[raw.length / Math.max(size, 1)];
        for (int i = 0; i < records.length; i++) {
            records[i] = Arrays.copyOfRange(raw, i * size, (i + 1) * size);
        }
        return records;
    }

    /** Reads a slab into a Java array (raw record bytes for structured types). */
    private Object readSlab(long[] offset, int[] count) throws AnnDataFormatException {
        long total = checkSlab(offset, count, meta.rank());
        boolean struct = meta.type.kind == ZarrDType.Kind.STRUCT;
        Object out =
                struct
                        ? new byte[(int) total * meta.type.itemSize]
                        : Elements.newArray(meta.type.dataType(), (int) total);
        readSlabInto(offset, count, out, false);
        return out;
    }

    /**
     * Reads a checked slab into {@code out} from its start. {@code reused}: {@code out} holds old
     * values (a pooled array), so chunks that are not stored are written with the fill value even
     * when it is the Java default, which a new array holds already.
     */
    private void readSlabInto(long[] offset, int[] count, Object out, boolean reused) throws AnnDataFormatException {
        int rank = meta.rank();
        long total = 1;
        for (int c : count) {
            total *= c;
        }
        boolean struct = meta.type.kind == ZarrDType.Kind.STRUCT;
        int scale = struct ? meta.type.itemSize : 1;
        if (total == 0) {
            return;
        }
        int[] readShape = meta.readShape();
        long[] first = new long[rank];
        long[] last = new long[rank];
        long spanned = 1; // chunks the read spans, counted up to just past the listing threshold
        for (int d = 0; d < rank; d++) {
            first[d] = offset[d] / readShape[d];
            last[d] = (offset[d] + count[d] - 1) / readShape[d];
            if (spanned <= ChunkSource.LIST_ABOVE_CHUNKS) {
                spanned *= last[d] - first[d] + 1;
            }
        }
        chunks.beforeRead(spanned);
        chunks.prefetch(first, last, spanned, false);
        boolean fillNeeded = reused || !FillValue.isJavaDefault(meta.fill, meta.type.kind);
        long[] coords = first.clone();
        long[] origin = new long[rank];
        while (true) {
            for (int d = 0; d < rank; d++) {
                origin[d] = coords[d] * readShape[d];
            }
            // interior chunks of a long read (whole, with slab chunks before and after them
            // along dimension 0) are not cached: later reads start at edge chunks. In 1-D
            // arrays (CSR parts) they are decoded straight into the slab.
            boolean interior = interior(coords, first, last, origin, readShape, offset, count);
            boolean direct = interior && rank == 1 && !struct
                    && chunks.decodeInto(coords, out, (int) (origin[0] - offset[0]));
            if (!direct) {
                copyChunk(coords, origin, interior, readShape, out, offset, count, scale, fillNeeded);
            }
            int d = rank - 1;
            while (d >= 0 && coords[d] == last[d]) {
                coords[d] = first[d];
                d--;
            }
            if (d < 0) {
                return;
            }
            coords[d]++;
        }
    }

    private void copyChunk(long[] coords, long[] origin, boolean interior, int[] readShape, Object out,
            long[] offset, int[] count, int scale, boolean fillNeeded) throws AnnDataFormatException {
        Object chunk = chunks.chunk(coords, interior);
        if (chunk != null) {
            SlabCopier.copy(chunk, readShape, origin, out, offset, count, scale);
        } else if (fillNeeded) {
            SlabCopier.fill(meta.fill, readShape, origin, out, offset, count, scale);
        }
    }

    private static boolean interior(long[] coords, long[] first, long[] last, long[] origin, int[] shape,
            long[] offset, int[] count) {
        if (coords.length == 0 || coords[0] <= first[0] || coords[0] >= last[0]) {
            return false;
        }
        for (int d = 1; d < coords.length; d++) {
            if (origin[d] < offset[d] || origin[d] + shape[d] > offset[d] + count[d]) {
                return false;
            }
        }
        return true;
    }

    /** Validates a slab request; returns its element count. */
    private long checkSlab(long[] offset, int[] count, int rank) throws AnnDataFormatException {
        if (offset == null || count == null || offset.length != rank || count.length != rank) {
            throw new AnnDataFormatException(
                    location,
                    path,
                    "slab needs "
                            + rank
                            + " offsets and counts, got "
                            + Arrays.toString(offset)
                            + " and "
                            + Arrays.toString(count));
        }
        long total = 1;
        for (int d = 0; d < rank; d++) {
            if (offset[d] < 0 || count[d] < 0 || offset[d] > meta.shape[d] - count[d]) {
                throw new AnnDataFormatException(
                        location,
                        path,
                        "slab out of bounds: offset "
                                + Arrays.toString(offset)
                                + ", count "
                                + Arrays.toString(count)
                                + ", shape "
                                + Arrays.toString(meta.shape));
            }
            total *= count[d];
            long bytes = total * Math.max(1, meta.type.isFixedSize() ? meta.type.itemSize : 1);
            if (total > CodecPipeline.MAX_ARRAY || bytes > CodecPipeline.MAX_ARRAY) {
                throw new AnnDataFormatException(
                        location,
                        path,
                        "slab " + Arrays.toString(count) + " is too large for one Java array");
            }
        }
        return total;
    }

    @Override
    public List<String> fieldNames() {
        return meta.type.fields.stream().map(f -> f.name()).collect(Collectors.toUnmodifiableList());
    }

    @Override
    public Object readField(String field, long offset, int count) throws AnnDataFormatException {
        try {
            return readFieldSlab(field(field), offset, count);
        } catch (RuntimeException e) {
            throw unexpected(e);
        }
    }

    private Object readFieldSlab(ZarrDType.Field f, long offset, int count)
            throws AnnDataFormatException {
        String field = f.name();
        if (meta.rank() != 1) {
            throw new AnnDataFormatException(
                    location,
                    path,
                    "readField needs a 1-D structured array, shape is "
                            + Arrays.toString(meta.shape));
        }
        if (f.type().kind == ZarrDType.Kind.OPAQUE) {
            throw new AnnDataFormatException(
                    location,
                    path,
                    "field '" + field + "' has unsupported data type '" + f.type() + "'");
        }
        byte[] records = (byte[]) readSlab(new long[] {offset}, new int[] {count});
        int fieldBytes = f.byteSize();
        long elements = (long) count * f.count();
        if (elements * f.type().itemSize > CodecPipeline.MAX_ARRAY) {
            throw new AnnDataFormatException(
                    location, path, "field slab is too large for one Java array");
        }
        byte[] gathered = new byte[count * fieldBytes];
        for (int r = 0; r < count; r++) {
            System.arraycopy(
                    records,
                    r * meta.type.itemSize + f.offset(),
                    gathered,
                    r * fieldBytes,
                    fieldBytes);
        }
        return Elements.fromBytes(
                gathered, f.type(), meta.pipeline.byteOrder(f.type()), (int) elements);
    }

    @Override
    public int[] fieldShape(String field) throws AnnDataFormatException {
        return field(field).shape().clone();
    }

    @Override
    public DataType fieldType(String field) throws AnnDataFormatException {
        return field(field).type().dataType();
    }

    private ZarrDType.Field field(String name) throws AnnDataFormatException {
        if (meta.type.kind != ZarrDType.Kind.STRUCT) {
            throw new AnnDataFormatException(
                    location, path, "not a compound array (data type " + meta.type + ")");
        }
        ZarrDType.Field f = meta.type.field(name);
        if (f == null) {
            throw new AnnDataFormatException(
                    location, path, "no field '" + name + "'; fields are " + fieldNames());
        }
        return f;
    }

    @Override
    public String toString() {
        return "ZarrArray("
                + location
                + ":"
                + path
                + ", "
                + meta.type
                + " "
                + Arrays.toString(meta.shape)
                + ")";
    }
}
