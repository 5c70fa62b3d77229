package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ChunkCache;
import io.github.flinkanndata.format.tree.DataType;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.message.DataLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * An HDF5 dataset as an {@link ArrayNode}.
 *
 * <p>Every read goes through one path: validate the slab, then let {@link SlabAssembler} copy it
 * out of decoded chunks that come from the container's {@link ChunkCache} or, on a miss, from this
 * dataset's {@link ChunkSource} (real chunks, or bounded virtual chunks of contiguous data). Memory
 * is proportional to the requested slab plus the stored chunks it touches, never to the declared
 * shape: chunks the file does not store are written into the slab as the fill value, and a read
 * may take at most {@link #MAX_FILL_SLOTS} of its slab from them.
 *
 * <p>An empty dataspace (anndata's {@code null} encoding) has shape {@code [0]}, so it reads as an
 * empty array. Types without an AnnData meaning (references, opaque, ...) report {@link
 * DataType#COMPOUND} with no fields and refuse reads, so that walking a file never fails on them.
 *
 * <p>Immutable handle; thread-safe.
 */
final class H5Array implements ArrayNode {

    /** Largest Java array we allocate, with headroom below the VM limit. */
    private static final long MAX_SLOTS = Integer.MAX_VALUE - 16;

    /**
     * Array slots one read may fill with the fill value, i.e. take from data the file does not
     * store (chunks absent from the chunk index, contiguous storage never allocated): 2^21, 16 MiB
     * of doubles. anndata writes every chunk of every dataset, so in an h5ad such data comes from
     * a corrupt dataspace or chunk index, never from a writer; small reads of it stay legal (HDF5
     * reads unwritten data as the fill value). A read needing more is refused before its slab is
     * allocated: otherwise the slab is sized by the declared shape alone (the reader fuzzer made a
     * 41 KB file declare a never-written layer of 9 x 8,388,608 values, read as 600 MB of zeros).
     */
    static final long MAX_FILL_SLOTS = 1L << 21;

    /** HDF5's filter ids: deflate (expands at most 1032:1), shuffle and fletcher32 (1:1). */
    private static final int DEFLATE_FILTER = 1;
    private static final int SHUFFLE_FILTER = 2;
    private static final int FLETCHER32_FILTER = 3;
    private static final long DEFLATE_EXPANSION = 1032;

    private final H5adContainer container;
    private final String path;
    private final Dataset dataset;
    private final long[] shape;
    private final ElementDecoder decoder;
    @Nullable private final Object fill;
    @Nullable private final CompoundFields compound;
    private final ChunkSource source;
    private final int[] chunkShape;
    private volatile Map<String, Object> attributes;

    H5Array(H5adContainer container, String path, Dataset dataset) throws AnnDataFormatException {
        this.container = container;
        this.path = path;
        this.dataset = dataset;
        String store = container.location();
        try {
            long[] dims = dataset.getDimensionsAsLong();
            checkMaxDims(store, path, dims, dataset.getMaxSize());
            // no dimensions: a scalar has one element, a null dataspace (h5py.Empty) none
            this.shape = dims.length == 0 && dataset.getSize() == 0 ? new long[] {0} : dims;
            this.decoder = ElementDecoder.of(dataset.getDataType());
            this.fill = fillValue();
            this.compound =
                    dataset.getDataType() instanceof CompoundDataType
                            ? new CompoundFields(
                                    store, path, (CompoundDataType) dataset.getDataType())
                            : null;
            this.source = chunkSource(store);
            this.chunkShape = source.chunkShape();
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(store, path, "cannot read dataset metadata", e);
        }
    }

    /**
     * HDF5 never lets a dimension exceed its declared maximum (unlimited is -1); a dataspace that
     * does is corrupt. Without this check a corrupt size on a chunked dataset reads as millions of
     * fill values (found by the reader fuzzer: a 6-row var index read as 8 million rows).
     *
     * <p>A maximum of 0 is a limit like any other (h5py writes it for every empty axis, such as
     * the gene axis of a store without genes); only negative maxima mean unlimited. Treating 0 as
     * unlimited let a corrupt dimension of 8,388,608 through on a layer whose maximum was 0
     * (reader fuzzer, seed 4242).
     */
    static void checkMaxDims(String store, String path, long[] dims, long[] max)
            throws AnnDataFormatException {
        if (max == null || max.length != dims.length) {
            return;
        }
        for (int d = 0; d < dims.length; d++) {
            if (max[d] >= 0 && dims[d] > max[d]) {
                throw new AnnDataFormatException(store, path,
                        "corrupt dataspace: dimension " + d + " is " + dims[d]
                                + ", more than its declared maximum " + max[d]);
            }
        }
    }

    private ChunkSource chunkSource(String store) throws AnnDataFormatException {
        if (dataset instanceof ChunkedDataset) {
            return new FilteredChunkSource(
                    store,
                    path,
                    (ChunkedDataset) dataset,
                    shape.length,
                    container.storage(),
                    container.reader(),
                    decoder);
        }
        ContiguousChunkSource.Bytes bytes;
        if (dataset.getDataLayout() == DataLayout.COMPACT && dataset instanceof DatasetBase) {
            bytes =
                    ContiguousChunkSource.compactBytes(
                            store, path, ((DatasetBase) dataset).getDataBuffer());
        } else if (dataset instanceof ContiguousDataset) {
            // an unallocated contiguous dataset (never written) reads as fill values
            bytes =
                    dataset.isEmpty()
                            ? null
                            : ContiguousChunkSource.fileBytes(
                                    store,
                                    path,
                                    container.reader(),
                                    ((ContiguousDataset) dataset).getDataAddress());
        } else {
            throw new AnnDataFormatException(
                    store, path, "unsupported storage layout " + dataset.getDataLayout());
        }
        return new ContiguousChunkSource(store, path, shape, decoder, container.storage(), bytes);
    }

    /** jhdf's decoding of the fill value, or null for the default (or if it cannot decode it). */
    @Nullable
    private Object fillValue() {
        if (!decoder.supported() || decoder.kind() == ElementKind.RECORD) {
            return null;
        }
        try {
            return dataset.getFillValue();
        } catch (RuntimeException e) {
            return null; // a fill value only matters for unwritten chunks; zero is HDF5's default
        }
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String store() {
        return container.location();
    }

    @Override
    public Map<String, Object> attributes() throws AnnDataFormatException {
        Map<String, Object> a = attributes;
        if (a == null) {
            a = H5Attributes.read(container, path, dataset);
            attributes = a;
        }
        return a;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public DataType dataType() {
        return decoder.dataType();
    }

    @Override
    public Object read(long[] offset, int[] count) throws AnnDataFormatException {
        if (!decoder.supported()) {
            throw new AnnDataFormatException(
                    store(),
                    path,
                    "unsupported HDF5 datatype "
                            + dataset.getDataType().getClass().getSimpleName()
                            + "; the dataset cannot be read");
        }
        int total = checkSlab(offset, count);
        if (compound != null) {
            return new Object[total]; // records are read field by field (readField)
        }
        return slab(offset, count, total);
    }

    /** The slab as an array of the decoder's type; records as raw bytes. */
    private Object slab(long[] offset, int[] count, int total) throws AnnDataFormatException {
        // reads within the budget cannot exceed it, whatever is stored: no need to look
        if ((long) total * decoder.width() > MAX_FILL_SLOTS) {
            checkFill(offset, count);
            checkStored(total);
        }
        Object out = decoder.newArray(total);
        if (total > 0) {
            SlabAssembler.assemble(chunkShape, offset, count, decoder.width(), out, new SlabAssembler.Chunks() {
                @Override
                public Object chunk(long[] chunkOffset) throws AnnDataFormatException {
                    return H5Array.this.chunk(chunkOffset, false);
                }

                @Override
                public Object chunk(long[] chunkOffset, boolean interior) throws AnnDataFormatException {
                    return H5Array.this.chunk(chunkOffset, interior);
                }

                @Override
                public void fill(Object slab, int from, int length) {
                    decoder.fill(slab, from, from + length, fill);
                }
            });
        }
        return out;
    }

    /**
     * Refuses a read of more elements than the file can hold: each element read comes from bytes
     * of the file (its stored size each, times the filters' largest expansion) or from the fill
     * allowance. A declared shape alone never sizes the slab (reader fuzzing: a whole-column read
     * of a legacy compound dataset whose shape claimed 50 million rows allocated 320 MiB, or ran
     * out of memory, before its data was found missing).
     */
    private void checkStored(int total) throws AnnDataFormatException {
        long fileBytes = container.reader().addressableBytes();
        long expansion = 1;
        if (dataset instanceof ChunkedDataset) {
            for (io.jhdf.filter.PipelineFilterWithData f : ((ChunkedDataset) dataset).getFilters()) {
                if (f.getId() == DEFLATE_FILTER && expansion < Long.MAX_VALUE / DEFLATE_EXPANSION) {
                    expansion *= DEFLATE_EXPANSION;
                } else if (f.getId() != SHUFFLE_FILTER && f.getId() != FLETCHER32_FILTER) {
                    return; // blosc, zstd, lzf, ...: each chunk's frame declares its size, checked on decoding
                }
            }
        }
        long stored = fileBytes / Math.max(1, decoder.storedSize());
        long limit = stored > (Long.MAX_VALUE - MAX_FILL_SLOTS) / expansion ? Long.MAX_VALUE
                : stored * expansion + MAX_FILL_SLOTS / decoder.width();
        if (total > limit) {
            throw new AnnDataFormatException(store(), path, "reading " + total + " elements needs more than the file's "
                    + fileBytes + " bytes can hold (" + decoder.storedSize() + " bytes stored per element"
                    + (expansion > 1 ? ", deflate expanding at most " + expansion + ":1" : "")
                    + "); its declared shape " + Arrays.toString(shape) + " is corrupt");
        }
    }

    /** Refuses a read that would take more than {@link #MAX_FILL_SLOTS} from data not stored. */
    private void checkFill(long[] offset, int[] count) throws AnnDataFormatException {
        long limit = MAX_FILL_SLOTS / decoder.width();
        long absent = SlabAssembler.absentElements(chunkShape, offset, count, source::isStored, limit);
        if (absent > limit) {
            throw new AnnDataFormatException(
                    store(),
                    path,
                    "reading "
                            + Arrays.toString(count)
                            + " elements at "
                            + Arrays.toString(offset)
                            + " needs more than "
                            + limit
                            + " that the file does not store ("
                            + (source instanceof ContiguousChunkSource
                                    ? "storage never allocated"
                                    : "chunks absent from the chunk index")
                            + "); anndata stores every element of a dataset, so its declared shape "
                            + Arrays.toString(shape)
                            + " is corrupt");
        }
    }

    /**
     * One decoded chunk, from the container's cache when a previous read decoded it; null if the
     * file does not store it (nothing is cached for it: it costs nothing to fill again). Interior
     * chunks of a long range read are not cached: the next range read (sequential or shuffled)
     * starts at an edge chunk, so caching them only evicts the chunks that are reused.
     */
    @Nullable
    private Object chunk(long[] chunkOffset, boolean interior) throws AnnDataFormatException {
        ChunkCache.Key key = cacheKey(chunkOffset);
        Object cached = key == null ? null : container.cache().get(key);
        if (cached != null) {
            return cached;
        }
        Object decoded = source.decode(chunkOffset);
        if (decoded != null && key != null && !interior) {
            container.cache().put(key, decoded, ChunkCache.weightOf(decoded));
        }
        return decoded;
    }

    /** Keyed by the chunk's linear index in the grid; null (uncached) if that overflows. */
    @Nullable
    private ChunkCache.Key cacheKey(long[] chunkOffset) {
        long linear = 0;
        try {
            for (int d = 0; d < shape.length; d++) {
                long gridDim = (shape[d] + chunkShape[d] - 1) / chunkShape[d];
                linear =
                        Math.addExact(
                                Math.multiplyExact(linear, gridDim),
                                chunkOffset[d] / chunkShape[d]);
            }
        } catch (ArithmeticException e) {
            return null;
        }
        return new ChunkCache.Key(path, linear);
    }

    /** Validates a slab and returns its element count. */
    private int checkSlab(long[] offset, int[] count) throws AnnDataFormatException {
        if (offset.length != shape.length || count.length != shape.length) {
            throw new AnnDataFormatException(
                    store(),
                    path,
                    "slab rank "
                            + offset.length
                            + "/"
                            + count.length
                            + " does not match the dataset rank "
                            + shape.length);
        }
        long total = 1;
        for (int d = 0; d < shape.length; d++) {
            if (offset[d] < 0 || count[d] < 0 || offset[d] > shape[d] - count[d]) {
                throw new AnnDataFormatException(
                        store(),
                        path,
                        "slab offset "
                                + Arrays.toString(offset)
                                + " count "
                                + Arrays.toString(count)
                                + " is out of bounds for shape "
                                + Arrays.toString(shape));
            }
            total *= count[d];
            if (total * decoder.width() > MAX_SLOTS) {
                throw new AnnDataFormatException(
                        store(),
                        path,
                        "slab of "
                                + Arrays.toString(count)
                                + " elements is too large for one array; read it in parts");
            }
        }
        return (int) total;
    }

    @Override
    public List<String> fieldNames() {
        return compound == null ? List.of() : compound.names();
    }

    @Override
    public Object readField(String field, long offset, int count) throws AnnDataFormatException {
        CompoundFields.Field f = requireCompound().field(field);
        long[] off = {offset};
        int[] cnt = {count};
        int total = checkSlab(off, cnt);
        byte[] records = (byte[]) slab(off, cnt, total);
        return compound.extract(f, records, total, container.storage());
    }

    @Override
    public int[] fieldShape(String field) throws AnnDataFormatException {
        return requireCompound().field(field).shape.clone();
    }

    @Override
    public DataType fieldType(String field) throws AnnDataFormatException {
        return CompoundFields.typeOf(requireCompound().field(field));
    }

    private CompoundFields requireCompound() throws AnnDataFormatException {
        if (compound == null || shape.length != 1) {
            throw new AnnDataFormatException(store(), path, "not a 1-d compound dataset");
        }
        return compound;
    }

    @Override
    public String toString() {
        return "H5Array{"
                + store()
                + ":"
                + path
                + " "
                + decoder.dataType()
                + Arrays.toString(shape)
                + "}";
    }
}
