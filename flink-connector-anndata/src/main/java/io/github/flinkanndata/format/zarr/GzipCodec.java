package io.github.flinkanndata.format.zarr;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * DEFLATE in its two wrappings, through the JDK: {@code gzip} (numcodecs GZip and the v3 gzip
 * codec, with a gzip header) and {@code zlib} (numcodecs Zlib, with a zlib header).
 */
final class GzipCodec implements BytesCodec {

    static final GzipCodec GZIP = new GzipCodec(true);
    static final GzipCodec ZLIB = new GzipCodec(false);

    private final boolean gzipHeader;

    private GzipCodec(boolean gzipHeader) {
        this.gzipHeader = gzipHeader;
    }

    @Override
    public byte[] decode(byte[] input, int maxOutput) throws CodecException {
        InputStream raw = new ByteArrayInputStream(input);
        try (InputStream in =
                gzipHeader ? new GZIPInputStream(raw) : new InflaterInputStream(raw)) {
            return BoundedStreams.readAtMost(in, maxOutput, name());
        } catch (IOException e) {
            // GZIPInputStream reads the header in its constructor
            throw new CodecException(name() + " data is corrupted: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return gzipHeader ? "gzip" : "zlib";
    }
}
