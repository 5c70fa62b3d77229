package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.NativeBlosc;
import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.Filter;

/**
 * HDF5 blosc filter (id 32001, PyTables / hdf5plugin's {@code Blosc()}), on blosc-java through
 * {@link NativeBlosc} (header checked and output allocated in Java before the native call). jhdf
 * 0.13 has none. A blosc frame carries its own header (compressor, shuffle, sizes), so the filter's
 * client data is not needed to decode.
 *
 * <p>blosc-java is JNI with natives for linux-x86_64, macOS and windows-x64 only; elsewhere the
 * native library fails to load and the chunk read fails with that error, wrapped by the caller.
 *
 * <p>Stateless; thread-safe.
 */
final class BloscFilter implements Filter {

    static final int ID = 32001;

    /** The most a frame may decode to when jhdf calls the filter without a chunk size. */
    private static final int MAX_UNBOUNDED = Integer.MAX_VALUE - 64;

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
        return decodeFrame(encoded, maxBytes);
    }

    @Override
    public byte[] decode(byte[] encoded, int[] filterData) {
        return decodeFrame(encoded, MAX_UNBOUNDED);
    }

    private static byte[] decodeFrame(byte[] encoded, int maxBytes) {
        // the compressed size (bytes 12..16) must be what is stored: HDF5 stores one frame per chunk
        if (encoded.length >= NativeBlosc.HEADER && readUint32(encoded, 12) != encoded.length) {
            throw new HdfFilterException(
                    "corrupt blosc header: frame of " + readUint32(encoded, 12) + " bytes, stored " + encoded.length + " bytes");
        }
        try {
            return NativeBlosc.decode(encoded, maxBytes);
        } catch (NativeBlosc.FrameException e) {
            throw new HdfFilterException("corrupt blosc data: " + e.getMessage(), e);
        }
    }

    private static long readUint32(byte[] b, int at) {
        return (b[at] & 0xFFL)
                | (b[at + 1] & 0xFFL) << 8
                | (b[at + 2] & 0xFFL) << 16
                | (b[at + 3] & 0xFFL) << 24;
    }
}
