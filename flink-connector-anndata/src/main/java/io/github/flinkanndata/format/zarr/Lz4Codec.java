package io.github.flinkanndata.format.zarr;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The numcodecs {@code lz4} compressor: a little-endian u32 uncompressed size, then one LZ4 block.
 *
 * <p>Chunks come from files we do not control, so this uses lz4-java's pure-Java safe decompressor:
 * the JNI and Unsafe-based implementations of lz4-java 1.8.0 do not guard against out-of-bounds
 * access on crafted input (CVE-2025-12183). A fresh output buffer per chunk, checked to be filled
 * completely, keeps stale buffer contents (CVE-2025-66566) out of the results.
 */
final class Lz4Codec implements BytesCodec {

    static final Lz4Codec INSTANCE = new Lz4Codec();

    private static final LZ4SafeDecompressor DECOMPRESSOR =
            LZ4Factory.safeInstance().safeDecompressor();

    private Lz4Codec() {}

    @Override
    public byte[] decode(byte[] input, int maxOutput) throws CodecException {
        if (input.length < 4) {
            throw new CodecException("lz4 data is truncated: " + input.length + " bytes");
        }
        long size = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getInt(0) & 0xFFFFFFFFL;
        if (size > maxOutput) {
            throw new CodecException(
                    "lz4 data declares " + size + " bytes, more than the expected " + maxOutput);
        }
        byte[] out = new byte[(int) size];
        int n;
        try {
            n = DECOMPRESSOR.decompress(input, 4, input.length - 4, out, 0, out.length);
        } catch (LZ4Exception | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new CodecException("lz4 data is corrupted: " + e.getMessage(), e);
        }
        if (n != size) {
            throw new CodecException("lz4 data decoded to " + n + " bytes but declares " + size);
        }
        return out;
    }

    @Override
    public String name() {
        return "lz4";
    }
}
