package io.github.flinkanndata.format.zarr;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads a decompressing stream to its end without ever holding more than a given size. */
final class BoundedStreams {

    /** First buffer size; large enough for typical chunks, small enough for a hostile one. */
    private static final int INITIAL = 1 << 20;

    private BoundedStreams() {}

    /**
     * Reads everything from {@code in}, failing as soon as more than {@code max} bytes come out.
     *
     * @throws CodecException if the stream holds more than {@code max} bytes or is corrupted
     */
    static byte[] readAtMost(InputStream in, int max, String codec) throws CodecException {
        byte[] buffer = new byte[Math.max(16, Math.min(max + 1, INITIAL))];
        int length = 0;
        try {
            while (true) {
                if (length == buffer.length) {
                    if (length > max) {
                        throw new CodecException(
                                codec + " output exceeds the expected " + max + " bytes");
                    }
                    int grown = (int) Math.min((long) max + 1, 2L * buffer.length);
                    buffer = Arrays.copyOf(buffer, grown);
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
            }
        } catch (IOException | RuntimeException e) {
            throw new CodecException(codec + " data is corrupted: " + e.getMessage(), e);
        }
        if (length > max) {
            throw new CodecException(codec + " output exceeds the expected " + max + " bytes");
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }
}
