package io.github.flinkanndata.format.zarr;

import io.github.flinkanndata.format.tree.NativeBlosc;

/**
 * Blosc frames ({@code blosc}, v2 compressor and v3 codec), decoded by c-blosc 1.21 through
 * blosc-java's JNI binding ({@link NativeBlosc}). A frame is self-describing (inner compressor lz4,
 * lz4hc, zstd, zlib or blosclz; byte or bit shuffle; type size), so the codec configuration is not
 * needed to decode.
 *
 * <p>The 16-byte frame header is checked before the native code runs, so a corrupted header
 * cannot make it allocate more than the expected chunk size, and the output is allocated on the
 * Java heap first, so a heap without room for it ends in an {@code OutOfMemoryError} in Java, not
 * in a crash of the JVM inside the binding (see {@link NativeBlosc}).
 */
final class BloscCodec implements BytesCodec {

    static final BloscCodec INSTANCE = new BloscCodec();

    private BloscCodec() {}

    @Override
    public byte[] decode(byte[] input, int maxOutput) throws CodecException {
        try {
            return NativeBlosc.decode(input, maxOutput);
        } catch (NativeBlosc.FrameException e) {
            throw new CodecException(e.getMessage(), e.getCause() != null ? e.getCause() : e);
        }
    }

    @Override
    public String name() {
        return "blosc";
    }
}
