package io.github.flinkanndata.format.h5ad;

import com.scalableminds.bloscjava.Blosc;
import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.Filter;

/**
 * HDF5 blosc filter (id 32001, PyTables / hdf5plugin's {@code Blosc()}), on blosc-java. jhdf 0.13
 * has none. A blosc frame carries its own header (compressor, shuffle, sizes), so the filter's
 * client data is not needed to decode.
 *
 * <p>blosc-java is JNI with natives for linux-x86_64, macOS and windows-x64 only; elsewhere the
 * native library fails to load and the chunk read fails with that error, wrapped by the caller.
 *
 * <p>Stateless; thread-safe.
 */
final class BloscFilter implements Filter {

    static final int ID = 32001;

    /** A blosc frame starts with a 16-byte header. */
    private static final int HEADER = 16;

    @Override
    public int getId() {
        return ID;
    }

    @Override
    public String getName() {
        return "blosc";
    }

    /**
     * Decodes a chunk that must not decode to more than {@code maxBytes}: the size the header
     * declares is checked before blosc allocates it.
     */
    static byte[] decode(byte[] encoded, int maxBytes) {
        if (encoded.length >= HEADER && readUint32(encoded, 4) > maxBytes) {
            throw new HdfFilterException(
                    "blosc frame declares "
                            + readUint32(encoded, 4)
                            + " decoded bytes, more than the chunk's "
                            + maxBytes);
        }
        return decodeFrame(encoded);
    }

    @Override
    public byte[] decode(byte[] encoded, int[] filterData) {
        return decodeFrame(encoded);
    }

    private static byte[] decodeFrame(byte[] encoded) {
        if (encoded.length < HEADER) {
            throw new HdfFilterException(
                    "corrupt blosc data: " + encoded.length + " bytes, shorter than its header");
        }
        // bytes 4..8: decoded size; 12..16: compressed size, which must match what is stored
        long decoded = readUint32(encoded, 4);
        long compressed = readUint32(encoded, 12);
        if (compressed != encoded.length || decoded > Integer.MAX_VALUE - 64) {
            throw new HdfFilterException(
                    "corrupt blosc header: frame of "
                            + compressed
                            + " bytes decoding to "
                            + decoded
                            + ", stored "
                            + encoded.length
                            + " bytes");
        }
        try {
            return Blosc.decompress(encoded);
        } catch (RuntimeException e) {
            throw new HdfFilterException("blosc decoding failed", e);
        }
    }

    private static long readUint32(byte[] b, int at) {
        return (b[at] & 0xFFL)
                | (b[at + 1] & 0xFFL) << 8
                | (b[at + 2] & 0xFFL) << 16
                | (b[at + 3] & 0xFFL) << 24;
    }
}
