package io.github.flinkanndata.format.zarr;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/** The numcodecs {@code bz2} compressor, through commons-compress. */
final class Bz2Codec implements BytesCodec {

    static final Bz2Codec INSTANCE = new Bz2Codec();

    private Bz2Codec() {}

    @Override
    public byte[] decode(byte[] input, int maxOutput) throws CodecException {
        try (BZip2CompressorInputStream in =
                new BZip2CompressorInputStream(new ByteArrayInputStream(input), true)) {
            return BoundedStreams.readAtMost(in, maxOutput, name());
        } catch (IOException | RuntimeException e) {
            // the constructor already reads and checks the stream header
            throw new CodecException("bz2 data is corrupted: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "bz2";
    }
}
