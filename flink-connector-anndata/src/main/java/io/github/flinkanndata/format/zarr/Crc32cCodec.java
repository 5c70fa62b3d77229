package io.github.flinkanndata.format.zarr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The v3 {@code crc32c} codec: the encoded value is the data followed by the little-endian CRC-32C
 * of the data. Decoding verifies and strips the checksum. Also used for shard indexes.
 */
final class Crc32cCodec implements BytesCodec {

    static final Crc32cCodec INSTANCE = new Crc32cCodec();

    private Crc32cCodec() {}

    @Override
    public byte[] decode(byte[] input, int maxOutput) throws CodecException {
        if (input.length < 4) {
            throw new CodecException("crc32c value is truncated: " + input.length + " bytes");
        }
        int dataLength = input.length - 4;
        if (dataLength > maxOutput) {
            throw new CodecException(
                    "crc32c value holds "
                            + dataLength
                            + " bytes, more than the expected "
                            + maxOutput);
        }
        verify(input, dataLength);
        return Arrays.copyOf(input, dataLength);
    }

    /** Checks the 4 bytes after {@code data[0, length)} against the data's CRC-32C. */
    static void verify(byte[] data, int length) throws CodecException {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, length);
        long stored =
                ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(length) & 0xFFFFFFFFL;
        if (crc.getValue() != stored) {
            throw new CodecException(
                    String.format(
                            "crc32c mismatch: stored %08x, computed %08x", stored, crc.getValue()));
        }
    }

    @Override
    public long encodedBound(long decodedSize) {
        return decodedSize + 4;
    }

    @Override
    public String name() {
        return "crc32c";
    }
}
