package io.github.flinkanndata.format.zarr;

import com.scalableminds.bloscjava.Blosc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Blosc frames ({@code blosc}, v2 compressor and v3 codec), decoded by c-blosc 1.21 through
 * blosc-java's JNI binding. A frame is self-describing (inner compressor lz4, lz4hc, zstd, zlib or
 * blosclz; byte or bit shuffle; type size), so the codec configuration is not needed to decode.
 *
 * <p>blosc-java ships natives for linux-x86_64, macOS and windows-x64 only; on other platforms the
 * first blosc chunk fails with a clear message instead of a linkage error.
 *
 * <p>The 16-byte frame header is checked here before the native code runs, so a corrupted header
 * cannot make it allocate more than the expected chunk size. c-blosc itself validates the frame
 * ({@code blosc_cbuffer_validate}) and decodes with a per-call context, which is thread-safe.
 */
final class BloscCodec implements BytesCodec {

    static final BloscCodec INSTANCE = new BloscCodec();

    private static final int HEADER = 16;

    private BloscCodec() {}

    @Override
    public byte[] decode(byte[] input, int maxOutput) throws CodecException {
        if (input.length < HEADER) {
            throw new CodecException("blosc frame is truncated: " + input.length + " bytes");
        }
        ByteBuffer header = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        long nbytes = header.getInt(4) & 0xFFFFFFFFL;
        long cbytes = header.getInt(12) & 0xFFFFFFFFL;
        if (cbytes < HEADER || cbytes > input.length) {
            throw new CodecException(
                    "blosc frame declares " + cbytes + " compressed bytes but has " + input.length);
        }
        if (nbytes > maxOutput) {
            throw new CodecException(
                    "blosc frame declares "
                            + nbytes
                            + " bytes, more than the expected "
                            + maxOutput);
        }
        byte[] out;
        try {
            out = Blosc.decompress(input, 1);
        } catch (LinkageError e) {
            throw new CodecException(
                    "blosc is unavailable on this platform ("
                            + System.getProperty("os.name")
                            + " "
                            + System.getProperty("os.arch")
                            + "): blosc-java has no native library"
                            + " for it",
                    e);
        } catch (RuntimeException e) {
            throw new CodecException("blosc data is corrupted: " + e.getMessage(), e);
        }
        if (out == null || out.length != nbytes) {
            throw new CodecException(
                    "blosc frame decoded to "
                            + (out == null ? "nothing" : out.length + " bytes")
                            + " but declares "
                            + nbytes);
        }
        return out;
    }

    @Override
    public String name() {
        return "blosc";
    }
}
