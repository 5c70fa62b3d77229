package io.github.flinkanndata.format.tree;

import java.util.List;

/**
 * An n-dimensional array (HDF5 dataset or zarr array).
 *
 * <p>Reads are hyperslabs in C (row-major) order and touch only the chunks that overlap the slab;
 * implementations keep a bounded cache of decoded chunks so neighbouring reads do not decode the
 * same chunk again. All methods are safe for concurrent use.
 */
public interface ArrayNode extends Node {

    /** The array's shape; a 0-d (scalar) array has an empty shape. */
    long[] shape();

    DataType dataType();

    /**
     * Reads {@code count[i]} elements from {@code offset[i]} along each dimension, flattened in C
     * order into a new array of {@link DataType#javaArrayType()}. A 0-d array is read with empty
     * offset and count and yields a one-element array.
     *
     * @throws AnnDataFormatException if the slab is out of bounds, or the data cannot be decoded
     *     (the message names the store, the array and the chunk)
     */
    Object read(long[] offset, int[] count) throws AnnDataFormatException;

    /**
     * As {@link #read}, but a one-dimensional {@code int32} or {@code float32} slab may be read into
     * an array of {@code lease} ({@link SlabPool}), which can be longer than the slab: its elements
     * past the slab are arbitrary. Other reads, and arrays that do not take part, allocate as
     * {@link #read} does.
     */
    default Object read(long[] offset, int[] count, SlabPool.Lease lease) throws AnnDataFormatException {
        return read(offset, count);
    }

    /**
     * A hint before {@link #read} of the same slab: an array of a remote store fetches the chunks
     * the slab spans now, concurrently, into its range cache, so that the reads that follow (often
     * several smaller ones) find them there instead of fetching one chunk at a time. Does nothing
     * for local stores; never fails (the read reports what is wrong).
     */
    default void prefetch(long[] offset, int[] count) {}

    /** Whether {@link #prefetch} does anything (an array of a remote store). */
    default boolean prefetches() {
        return false;
    }

    /** Reads the whole array; refuses (with an exception) arrays of more than 2^31-1 elements. */
    default Object readAll() throws AnnDataFormatException {
        long[] shape = shape();
        long[] offset = new long[shape.length];
        int[] count = new int[shape.length];
        long total = 1;
        for (int i = 0; i < shape.length; i++) {
            total *= shape[i];
            if (shape[i] > Integer.MAX_VALUE || total > Integer.MAX_VALUE) {
                throw new AnnDataFormatException(
                        store(), path(), "array too large to read whole: " + java.util.Arrays.toString(shape));
            }
            count[i] = (int) shape[i];
        }
        return read(offset, count);
    }

    /** Field names of a {@link DataType#COMPOUND} array, in declaration order; empty otherwise. */
    default List<String> fieldNames() {
        return List.of();
    }

    /**
     * Reads one field of a 1-D {@link DataType#COMPOUND} array for rows {@code [offset,
     * offset+count)}. Numeric fields read as in {@link #read}; string fields (fixed or variable,
     * bytes decoded as UTF-8) as {@code String[]}; a field that is itself an array (legacy obsm
     * sub-arrays) as a row-major flat array, with {@link #fieldShape} giving its per-row shape.
     */
    default Object readField(String field, long offset, int count) throws AnnDataFormatException {
        throw new AnnDataFormatException(store(), path(), "not a compound array");
    }

    /** Per-row shape of a compound field: empty for a scalar field, {@code [50]} for a sub-array. */
    default int[] fieldShape(String field) throws AnnDataFormatException {
        throw new AnnDataFormatException(store(), path(), "not a compound array");
    }

    /** The element type of a compound field. */
    default DataType fieldType(String field) throws AnnDataFormatException {
        throw new AnnDataFormatException(store(), path(), "not a compound array");
    }
}
