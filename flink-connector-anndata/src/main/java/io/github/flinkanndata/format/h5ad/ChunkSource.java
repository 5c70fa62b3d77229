package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import javax.annotation.Nullable;

/**
 * Where the elements of one dataset come from, seen as a regular grid of chunks: the real chunks of
 * a chunked dataset, or fixed-size slices of a contiguous or compact one. {@link SlabAssembler}
 * copies slabs out of decoded chunks, and {@link H5Array} caches them, so every layout gets the
 * same cached, chunk-at-a-time read path.
 *
 * <p>Implementations are thread-safe.
 */
interface ChunkSource {

    /** Extent of every chunk along each dimension; empty for a 0-d dataset (one chunk). */
    int[] chunkShape();

    /**
     * Decodes the chunk whose first element sits at {@code chunkOffset} (element coordinates, a
     * multiple of {@link #chunkShape()}), as an array of the decoder's type. Elements past the end
     * of the dataset may be missing (a shorter array) or padding; callers never read them.
     *
     * @return the decoded chunk, or null if the file stores nothing for it (a chunk absent from the
     *     chunk index, or storage never allocated): it reads as the fill value, which the caller
     *     writes into its own slab. No array is made for data the file does not hold, so a
     *     declared extent costs nothing until a read asks for it, and then only what it asks for.
     */
    @Nullable
    Object decode(long[] chunkOffset) throws AnnDataFormatException;

    /** Whether the file stores the chunk at {@code chunkOffset}, i.e. {@link #decode} returns data. */
    boolean isStored(long[] chunkOffset) throws AnnDataFormatException;
}
