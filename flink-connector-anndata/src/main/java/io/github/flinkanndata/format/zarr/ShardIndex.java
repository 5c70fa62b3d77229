package io.github.flinkanndata.format.zarr;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The decoded index of one shard: for each inner chunk (C order), its byte offset and length in the
 * shard, or the empty marker (2^64-1, 2^64-1) for an inner chunk that reads as fill. A shard that
 * does not exist at all is {@link #ABSENT}.
 *
 * <p>Reading it touches only the index at the shard's end (or start), never the chunks, and every
 * entry is checked against the shard's size once, here. Immutable; cached per shard by {@link
 * ZarrArray}.
 */
final class ShardIndex {

    static final ShardIndex ABSENT = new ShardIndex(new long[0]);

    private static final long EMPTY = -1L; // 2^64 - 1 as a signed long

    private final long[] entries;

    private ShardIndex(long[] entries) {
        this.entries = entries;
    }

    static ShardIndex read(ZarrStore store, String key, ShardingSpec spec, int innerCount)
            throws IOException, CodecException {
        long shardSize = store.size(key);
        if (shardSize < 0) {
            return ABSENT;
        }
        long indexBytes = spec.indexBytes(innerCount);
        if (indexBytes > CodecPipeline.MAX_ARRAY) {
            throw new CodecException("shard index of " + indexBytes + " bytes is too large");
        }
        if (shardSize < indexBytes) {
            throw new CodecException(
                    "shard is truncated: "
                            + shardSize
                            + " bytes, smaller than its "
                            + indexBytes
                            + "-byte index");
        }
        long at = spec.indexAtEnd ? shardSize - indexBytes : 0;
        byte[] raw = store.readRange(key, at, (int) indexBytes);
        if (spec.indexCrc) {
            try {
                Crc32cCodec.verify(raw, raw.length - 4);
            } catch (CodecException e) {
                throw new CodecException("shard index " + e.getMessage());
            }
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(spec.indexOrder);
        long[] entries = new long[2 * innerCount];
        for (int i = 0; i < innerCount; i++) {
            long offset = buf.getLong(16 * i);
            long length = buf.getLong(16 * i + 8);
            entries[2 * i] = offset;
            entries[2 * i + 1] = length;
            if (offset == EMPTY && length == EMPTY) {
                continue;
            }
            // offsets and lengths are unsigned; anything at or above 2^63 is out of range anyway
            if (offset < 0
                    || length < 0
                    || length > CodecPipeline.MAX_ARRAY
                    || offset > shardSize - length) {
                throw new CodecException(
                        "shard index entry "
                                + i
                                + " (offset "
                                + Long.toUnsignedString(offset)
                                + ", "
                                + Long.toUnsignedString(length)
                                + " bytes) lies outside the shard of "
                                + shardSize
                                + " bytes");
            }
        }
        return new ShardIndex(entries);
    }

    boolean isEmpty(int inner) {
        return this == ABSENT || (entries[2 * inner] == EMPTY && entries[2 * inner + 1] == EMPTY);
    }

    long offset(int inner) {
        return entries[2 * inner];
    }

    int length(int inner) {
        return (int) entries[2 * inner + 1];
    }

    /** Approximate heap weight, for the chunk cache. */
    long weight() {
        return 16L + 8L * entries.length;
    }
}
