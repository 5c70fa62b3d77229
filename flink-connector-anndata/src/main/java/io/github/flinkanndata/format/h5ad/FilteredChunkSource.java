package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.ChunkOffset;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.storage.HdfBackingStorage;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Serves a chunked dataset chunk by chunk: raw bytes from the file, then {@link ChunkFilters} with
 * the chunk's own filter mask, then {@link ElementDecoder}.
 *
 * <p>jhdf's public chunk API ({@code getDecompressedChunk}) runs the whole pipeline and ignores the
 * mask, and its {@code Chunk} records (address, size, mask) are reachable only through the
 * protected {@code ChunkedDatasetBase#getChunkLookup()}. We call it reflectively (jhdf sits on the
 * class path, so no module boundary is crossed) and read the chunk bytes ourselves. The lookup is
 * built once per dataset by jhdf and kept by it.
 *
 * <p>Thread-safe: the lookup and the pipeline are initialised idempotently; reads are positional.
 */
final class FilteredChunkSource implements ChunkSource {

    /** HDF5 caps a chunk at 4 GiB; we cap decoded chunks at what a Java array can hold. */
    private static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE - 64;

    @Nullable private static final Method CHUNK_LOOKUP = findChunkLookup();

    private final String store;
    private final String path;
    private final ChunkedDataset dataset;
    private final HdfBackingStorage storage;
    private final PositionalReader reader;
    private final ElementDecoder decoder;
    private final int[] chunkShape;
    private final int chunkElements;
    private volatile Map<ChunkOffset, Chunk> lookup;
    private volatile ChunkFilters filters;

    FilteredChunkSource(
            String store,
            String path,
            ChunkedDataset dataset,
            int rank,
            HdfBackingStorage storage,
            PositionalReader reader,
            ElementDecoder decoder)
            throws AnnDataFormatException {
        this.store = store;
        this.path = path;
        this.dataset = dataset;
        this.storage = storage;
        this.reader = reader;
        this.decoder = decoder;
        this.chunkShape = dataset.getChunkDimensions();
        long elements = 1;
        for (int c : chunkShape) {
            elements *= Math.max(0, c);
        }
        if (chunkShape.length != rank
                || elements <= 0
                || elements * decoder.storedSize() > MAX_CHUNK_BYTES) {
            throw new AnnDataFormatException(
                    store,
                    path,
                    "invalid chunk shape "
                            + Arrays.toString(chunkShape)
                            + " for a "
                            + rank
                            + "-d dataset");
        }
        this.chunkElements = (int) elements;
    }

    @Nullable
    private static Method findChunkLookup() {
        try {
            Method m = ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // reported on first use, with the dataset that needed it
            return null;
        }
    }

    @Override
    public int[] chunkShape() {
        return chunkShape.clone();
    }

    @Override
    @Nullable
    public Object decode(long[] chunkOffset) throws AnnDataFormatException {
        Chunk chunk = lookup().get(new ChunkOffset(chunkOffset));
        if (chunk == null) {
            // never written: HDF5 reads it as the fill value, which the caller writes into its
            // slab (filling a whole chunk here allocated its declared extent, up to 2 GiB)
            return null;
        }
        byte[] stored = readStored(chunk, chunkOffset);
        try {
            int expected = chunkElements * decoder.storedSize();
            byte[] plain = filters().decode(stored, chunk.getFilterMask(), expected);
            if (plain.length != expected) {
                throw new AnnDataFormatException(
                        store,
                        path,
                        where(chunkOffset, chunk)
                                + " decoded to "
                                + plain.length
                                + " bytes, expected "
                                + expected
                                + " (filters "
                                + filters
                                + ")");
            }
            return decoder.decode(plain, chunkElements, storage);
        } catch (RuntimeException | Error e) {
            throw Failures.wrap(store, path, "cannot decode " + where(chunkOffset, chunk), e);
        }
    }

    @Override
    public boolean isStored(long[] chunkOffset) throws AnnDataFormatException {
        return lookup().containsKey(new ChunkOffset(chunkOffset));
    }

    /** The chunk for messages; built only when something failed (it costs a few strings). */
    private static String where(long[] chunkOffset, Chunk chunk) {
        return "chunk "
                + Arrays.toString(chunkOffset)
                + " ("
                + chunk.getSize()
                + " bytes at file address "
                + chunk.getAddress()
                + ")";
    }

    private byte[] readStored(Chunk chunk, long[] chunkOffset) throws AnnDataFormatException {
        if (!reader.contains(chunk.getAddress(), chunk.getSize())) {
            throw new AnnDataFormatException(
                    store,
                    path,
                    where(chunkOffset, chunk)
                            + " lies beyond the end of the file ("
                            + reader.addressableBytes()
                            + " bytes): truncated or corrupt");
        }
        try {
            return reader.read(chunk.getAddress(), chunk.getSize());
        } catch (IOException e) {
            throw new AnnDataFormatException(store, path, "cannot read " + where(chunkOffset, chunk) + ": " + e, e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<ChunkOffset, Chunk> lookup() throws AnnDataFormatException {
        Map<ChunkOffset, Chunk> l = lookup;
        if (l != null) {
            return l;
        }
        if (CHUNK_LOOKUP == null) {
            throw new AnnDataFormatException(
                    store,
                    path,
                    "this jhdf version hides ChunkedDatasetBase#getChunkLookup(); chunked data"
                            + " cannot be read");
        }
        ExtensibleArrayGuard.check(store, path, dataset, storage);
        try {
            l = (Map<ChunkOffset, Chunk>) CHUNK_LOOKUP.invoke(dataset);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw Failures.wrap(store, path, "cannot read the chunk index", cause);
        } catch (IllegalAccessException | RuntimeException | Error e) {
            throw Failures.wrap(store, path, "cannot read the chunk index", e);
        }
        lookup = l;
        return l;
    }

    private ChunkFilters filters() {
        ChunkFilters f = filters;
        if (f == null) {
            // throws HdfFilterException naming the filter if one is not available (e.g. szip)
            f = ChunkFilters.of(dataset.getFilters());
            filters = f;
        }
        return f;
    }
}
