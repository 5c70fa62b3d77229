package io.github.flinkanndata.format.h5ad;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.Filter;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * HDF5 zstd filter (id 32015, as written by hdf5plugin's {@code Zstd()}), on zstd-jni. jhdf 0.13
 * has none. The frame header usually records the decoded size; without it the frame is streamed.
 *
 * <p>Stateless; thread-safe.
 */
final class ZstdFilter implements Filter {

    static final int ID = 32015;

    @Override
    public int getId() {
        return ID;
    }

    @Override
    public String getName() {
        return "zstd";
    }

    @Override
    public byte[] decode(byte[] encoded, int[] filterData) {
        return decode(encoded, Integer.MAX_VALUE - 64);
    }

    /**
     * Decodes a chunk that must not decode to more than {@code maxBytes}: a declared content size
     * is checked before it is allocated, and a streamed frame is cut off past the bound.
     */
    static byte[] decode(byte[] encoded, int maxBytes) {
        try {
            long size = Zstd.getFrameContentSize(encoded);
            if (size > maxBytes) {
                throw new HdfFilterException(
                        "zstd frame declares " + size + " decoded bytes, more than the chunk's " + maxBytes);
            }
            if (size >= 0 && isSingleFrame(encoded)) {
                byte[] out = new byte[(int) size];
                long n = Zstd.decompress(out, encoded);
                if (Zstd.isError(n) || n != size) {
                    throw new HdfFilterException("zstd decoding failed: " + Zstd.getErrorName(n));
                }
                return out;
            }
            try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(encoded))) {
                byte[] out = in.readNBytes(maxBytes);
                if (in.read() >= 0) {
                    throw new HdfFilterException(
                            "zstd data decodes to more than the chunk's " + maxBytes + " bytes");
                }
                return out;
            }
        } catch (IOException | RuntimeException e) {
            throw e instanceof HdfFilterException
                    ? (HdfFilterException) e
                    : new HdfFilterException("zstd decoding failed", e);
        }
    }

    /** One frame filling the whole input; several frames are decoded by the stream path. */
    private static boolean isSingleFrame(byte[] encoded) {
        return Zstd.findFrameCompressedSize(encoded) == encoded.length;
    }
}
