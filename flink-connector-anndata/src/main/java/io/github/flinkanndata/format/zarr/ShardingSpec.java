package io.github.flinkanndata.format.zarr;

import java.nio.ByteOrder;

/**
 * Configuration of the v3 {@code sharding_indexed} codec: the inner chunk shape, the pipeline that
 * decodes each inner chunk, and how the shard index is stored.
 *
 * <p>Only index codecs {@code [bytes]} or {@code [bytes, crc32c]} are accepted (anything else is
 * refused while parsing), so the index is {@code 16 * n} bytes of little- or big-endian u64 pairs,
 * plus a 4-byte CRC-32C when {@link #indexCrc} is set. Immutable.
 */
final class ShardingSpec {

    final int[] innerShape;
    final CodecPipeline inner;
    final boolean indexAtEnd;
    final ByteOrder indexOrder;
    final boolean indexCrc;

    ShardingSpec(
            int[] innerShape,
            CodecPipeline inner,
            boolean indexAtEnd,
            ByteOrder indexOrder,
            boolean indexCrc) {
        this.innerShape = innerShape.clone();
        this.inner = inner;
        this.indexAtEnd = indexAtEnd;
        this.indexOrder = indexOrder;
        this.indexCrc = indexCrc;
    }

    /** Inner chunks per shard along each dimension (shard shape / inner shape). */
    int[] innerPerShard(int[] shardShape) {
        int[] n = new int[shardShape.length];
        for (int d = 0; d < n.length; d++) {
            n[d] = shardShape[d] / innerShape[d];
        }
        return n;
    }

    /** Index size in bytes for {@code innerCount} inner chunks. */
    long indexBytes(long innerCount) {
        return 16 * innerCount + (indexCrc ? 4 : 0);
    }
}
