package io.github.flinkanndata.format.zarr;

import java.util.Arrays;

/**
 * Everything needed to read one array, from either zarr version: shape, chunk (or shard) shape,
 * element type, fill value, chunk key encoding and codec pipeline.
 *
 * <p>The constructor enforces the invariants reads rely on, so a hostile or corrupted {@code
 * .zarray}/{@code zarr.json} fails when the node is opened rather than during a read: the shape's
 * element count fits in a long; every chunk that is ever materialised (a chunk, or an inner chunk
 * of a shard) fits in one Java array; shards divide evenly into inner chunks and their index fits
 * in memory. Nothing here allocates in proportion to the declared shape. Immutable.
 */
final class ArrayMetadata {

    final long[] shape;

    /** The chunk grid of the store keys: chunks, or shards for a sharded array. */
    final int[] chunkShape;

    final ZarrDType type;
    final Object fill;
    final ChunkKeyEncoding keys;
    final CodecPipeline pipeline;

    ArrayMetadata(
            long[] shape,
            int[] chunkShape,
            ZarrDType type,
            Object fill,
            ChunkKeyEncoding keys,
            CodecPipeline pipeline)
            throws MetadataException {
        this.shape = shape.clone();
        this.chunkShape = chunkShape.clone();
        this.type = type;
        this.fill = fill;
        this.keys = keys;
        this.pipeline = pipeline;
        validate();
    }

    private void validate() throws MetadataException {
        if (shape.length != chunkShape.length) {
            throw new MetadataException(
                    "shape has "
                            + shape.length
                            + " dimensions but the chunk shape has "
                            + chunkShape.length);
        }
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = shape[i];
            // chunk origins plus a chunk length must not overflow either
            if (d > Long.MAX_VALUE - chunkShape[i]) {
                throw new MetadataException(
                        "shape "
                                + Arrays.toString(shape)
                                + " is too large: dimension "
                                + i
                                + " overflows with its chunks");
            }
            // zero-length dimensions are fine, but the others must still multiply within a long
            // (chunk grid indexes are products of them)
            long factor = Math.max(d, 1);
            if (elements > Long.MAX_VALUE / factor) {
                throw new MetadataException(
                        "shape "
                                + Arrays.toString(shape)
                                + " is too large: more than 2^63 elements");
            }
            elements *= factor;
        }
        ShardingSpec sharding = pipeline.sharding();
        int[] read = readShape();
        if (read.length != shape.length) {
            throw new MetadataException("sharding chunk_shape has the wrong number of dimensions");
        }
        long readElements = 1;
        for (int d : read) {
            readElements *= d;
            if (readElements > Integer.MAX_VALUE) {
                break;
            }
        }
        long itemSize = type.isFixedSize() ? type.itemSize : 1;
        if (readElements > Integer.MAX_VALUE || readElements * itemSize > CodecPipeline.MAX_ARRAY) {
            throw new MetadataException(
                    "chunk shape "
                            + Arrays.toString(read)
                            + " of "
                            + type
                            + " is too large: one chunk must fit in a Java array (2^31 bytes)");
        }
        if (sharding != null) {
            long inner = 1;
            for (int d = 0; d < read.length; d++) {
                if (chunkShape[d] % read[d] != 0) {
                    throw new MetadataException(
                            "shard shape "
                                    + Arrays.toString(chunkShape)
                                    + " is not a multiple of the inner chunk shape "
                                    + Arrays.toString(read));
                }
                inner *= chunkShape[d] / read[d];
                // checked after every factor, so the product never overflows
                if (inner > (CodecPipeline.MAX_ARRAY - 4) / 16) {
                    throw new MetadataException(
                            "shard holds too many inner chunks: its index exceeds 2 GiB");
                }
            }
        }
    }

    /** The shape of the chunks that are decoded: inner chunks of a sharded array, else chunks. */
    int[] readShape() {
        ShardingSpec sharding = pipeline.sharding();
        return sharding == null ? chunkShape : sharding.innerShape;
    }

    int rank() {
        return shape.length;
    }
}
