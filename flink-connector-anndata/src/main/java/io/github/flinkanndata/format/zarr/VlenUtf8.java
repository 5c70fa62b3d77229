package io.github.flinkanndata.format.zarr;

import java.nio.charset.StandardCharsets;

/**
 * Decodes the {@code vlen-utf8} layout, identical as a zarr v2 filter and a v3 array → bytes codec:
 *
 * <pre>
 * u32le n_items, then n_items times: u32le byte_length, byte_length bytes of UTF-8
 * </pre>
 *
 * {@code n_items} is the full chunk element count, edge chunks included. Every length is checked
 * against the bytes that remain, so a corrupted prefix fails instead of reading past the chunk.
 */
final class VlenUtf8 {

    private VlenUtf8() {}

    static String[] decode(byte[] b, int expectedItems) throws CodecException {
        if (b.length < 4) {
            throw new CodecException("vlen-utf8 chunk is truncated: " + b.length + " bytes");
        }
        long items = u32(b, 0);
        if (items != expectedItems) {
            throw new CodecException(
                    "vlen-utf8 chunk holds " + items + " items, expected " + expectedItems);
        }
        String[] out = new String[expectedItems];
        int pos = 4;
        for (int i = 0; i < expectedItems; i++) {
            if (b.length - pos < 4) {
                throw new CodecException(
                        "vlen-utf8 chunk is truncated at item " + i + " of " + expectedItems);
            }
            long length = u32(b, pos);
            pos += 4;
            if (length > b.length - pos) {
                throw new CodecException(
                        "vlen-utf8 item "
                                + i
                                + " claims "
                                + length
                                + " bytes but only "
                                + (b.length - pos)
                                + " remain in the chunk");
            }
            out[i] = length == 0 ? "" : new String(b, pos, (int) length, StandardCharsets.UTF_8);
            pos += (int) length;
        }
        if (pos != b.length) {
            throw new CodecException(
                    "vlen-utf8 chunk has "
                            + (b.length - pos)
                            + " trailing bytes after "
                            + expectedItems
                            + " items");
        }
        return out;
    }

    private static long u32(byte[] b, int pos) {
        return (b[pos] & 0xFFL)
                | (b[pos + 1] & 0xFFL) << 8
                | (b[pos + 2] & 0xFFL) << 16
                | (b[pos + 3] & 0xFFL) << 24;
    }
}
