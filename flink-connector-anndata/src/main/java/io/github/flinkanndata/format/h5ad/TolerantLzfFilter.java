package io.github.flinkanndata.format.h5ad;

import com.ning.compress.lzf.ChunkDecoder;
import com.ning.compress.lzf.LZFException;
import com.ning.compress.lzf.util.ChunkDecoderFactory;
import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.Filter;

/**
 * HDF5 LZF filter (id 32000) that does not need the decoded size in its client data.
 *
 * <p>Why: jhdf's built-in LZF filter takes the output size from {@code cd_values[2]}. h5py's LZF
 * {@code set_local} leaves variable-length string datasets without any cd_values (and some builds
 * do so for every dataset), and jhdf then fails with {@code ArrayIndexOutOfBoundsException}. This
 * filter replaces the built-in one (same id, registered by {@link H5Filters}).
 *
 * <p>Instead of guessing a buffer and growing it, the decoded size is computed exactly by one scan
 * of the LZF control bytes (a literal run adds its length, a back reference adds its length + 2),
 * which also validates the stream (no read past the input, no reference before the start of the
 * output). compress-lzf then decodes into a buffer of that size. A corrupt chunk therefore fails
 * with an {@link HdfFilterException} instead of an index error or an oversized allocation.
 *
 * <p>Raw chunks (LZF skipped because the data did not shrink) are not guessed from their length, as
 * jhdf does: {@link ChunkFilters} skips the filter for them using the chunk's filter mask.
 *
 * <p>Stateless; thread-safe.
 */
final class TolerantLzfFilter implements Filter {

    static final int ID = 32000;

    @Override
    public int getId() {
        return ID;
    }

    @Override
    public String getName() {
        return "lzf";
    }

    @Override
    public byte[] decode(byte[] encoded, int[] filterData) {
        // cd_values[2], when present, is only h5py's buffer hint (the chunk size): not needed
        return decode(encoded, Integer.MAX_VALUE - 64);
    }

    /** Decodes a raw LZF stream that must not decode to more than {@code maxBytes}. */
    static byte[] decode(byte[] encoded, int maxBytes) {
        int size = decodedLength(encoded);
        if (size > maxBytes) {
            throw new HdfFilterException(
                    "corrupt LZF data: decodes to "
                            + size
                            + " bytes, more than the chunk's "
                            + maxBytes);
        }
        byte[] out = new byte[size];
        if (size == 0) {
            return out;
        }
        try {
            ChunkDecoder decoder = ChunkDecoderFactory.safeInstance();
            decoder.decodeChunk(encoded, 0, out, 0, size);
        } catch (LZFException | RuntimeException e) {
            throw new HdfFilterException("LZF decoding failed", e);
        }
        return out;
    }

    /**
     * The number of bytes {@code encoded} decodes to, following liblzf's format: a control byte
     * below 32 starts a literal run of (control + 1) bytes; otherwise the top 3 bits give a match
     * length (7 means an extra length byte follows) and the low 5 bits with the next byte a
     * backward distance.
     */
    static int decodedLength(byte[] encoded) {
        long out = 0;
        int ip = 0;
        int end = encoded.length;
        while (ip < end) {
            int ctrl = encoded[ip++] & 0xFF;
            if (ctrl < 32) {
                int len = ctrl + 1;
                if (ip + len > end) {
                    throw new HdfFilterException(
                            "corrupt LZF data: literal run past the end of the input at "
                                    + (ip - 1));
                }
                ip += len;
                out += len;
            } else {
                long len = ctrl >> 5;
                if (len == 7) {
                    if (ip >= end) {
                        throw new HdfFilterException(
                                "corrupt LZF data: truncated match length at " + (ip - 1));
                    }
                    len += encoded[ip++] & 0xFF;
                }
                if (ip >= end) {
                    throw new HdfFilterException(
                            "corrupt LZF data: truncated match distance at " + (ip - 1));
                }
                long distance = ((long) (ctrl & 0x1F) << 8) + (encoded[ip++] & 0xFF) + 1;
                if (distance > out) {
                    throw new HdfFilterException(
                            "corrupt LZF data: back reference before the start at " + (ip - 1));
                }
                out += len + 2;
            }
            if (out > Integer.MAX_VALUE - 64) {
                throw new HdfFilterException("corrupt LZF data: decodes to more than 2 GiB");
            }
        }
        return (int) out;
    }
}
