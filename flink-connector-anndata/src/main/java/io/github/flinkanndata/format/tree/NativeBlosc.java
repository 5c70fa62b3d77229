package io.github.flinkanndata.format.tree;

import com.scalableminds.bloscjava.Blosc;
import io.github.flinkanndata.annotation.Internal;
import java.util.function.IntFunction;

/**
 * Decodes blosc frames (zarr's {@code blosc} codec, HDF5 filter 32001) with c-blosc 1.21 through
 * blosc-java's JNI binding, guarded so that nothing the frame declares can make the native code
 * allocate more than the caller expects, and so that running out of heap is an {@link
 * OutOfMemoryError} in Java rather than a crash of the JVM.
 *
 * <p>Why a guard. blosc-java's only decoder, {@code Blosc.decompress}, allocates everything in
 * native code: it {@code malloc}s the size the frame's header declares, lets c-blosc decode into
 * it, then creates the result with JNI's {@code NewByteArray} and copies into it with {@code
 * SetByteArrayRegion} — without checking {@code NewByteArray}'s result. When the heap cannot hold
 * the array, {@code NewByteArray} returns null (an {@code OutOfMemoryError} pending) and the copy
 * into null kills the JVM (SIGSEGV, {@code hs_err_pid*.log}); a failed {@code malloc} is just as
 * fatal (its error message is {@code sprintf}ed into the null buffer). c-blosc also allocates a
 * work buffer of about three blocks per decode, sized by the header's block size.
 *
 * <p>So, before the native call: the header (16 bytes: version, compressor version, flags, type
 * size, then little-endian decoded size, block size and compressed size) must declare at most
 * {@code maxOutput} decoded bytes, a compressed size within the input, a block size no larger than
 * the decoded size (c-blosc never writes a larger one) and room for its block offsets; then the
 * output is allocated once on the Java heap and dropped just before the call, so that a heap
 * without room for it throws {@code OutOfMemoryError} here, in Java. The probe cannot reserve the
 * memory for the native allocation that follows (the binding offers no way to decode into a Java
 * array); what remains is the window between the two, in which other threads would have to fill
 * the heap. {@code NativeBloscOutOfMemoryTest} shows the difference on a small heap.
 *
 * <p>blosc-java ships natives for linux-x86_64, macOS and windows-x64 only; elsewhere the first
 * frame fails with a clear message instead of a linkage error. Stateless; thread-safe (c-blosc
 * decodes with a per-call context).
 */
@Internal
public final class NativeBlosc {
    /** A blosc frame starts with a 16-byte header. */
    public static final int HEADER = 16;

    private static final int MEMCPYED = 0x2;

    /** Keeps the probe allocation from being optimised away. */
    @SuppressWarnings("unused")
    private static volatile byte[] probeSink;

    /** The native decoder (blosc-java's JNI), replaceable in tests. */
    @FunctionalInterface
    interface Decoder {
        byte[] decompress(byte[] frame);
    }

    /** A frame refused before decoding, or one the native decoder rejected. */
    public static final class FrameException extends Exception {
        private static final long serialVersionUID = 1L;

        FrameException(String message) {
            super(message);
        }

        FrameException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private NativeBlosc() {}

    /**
     * Decodes one frame to exactly the size its header declares, which must be at most {@code
     * maxOutput}.
     *
     * @throws FrameException if the header is corrupt or declares more than {@code maxOutput}, or
     *     the native decoder fails or is unavailable
     * @throws OutOfMemoryError if the heap cannot hold the output (thrown in Java, before the
     *     native call)
     */
    public static byte[] decode(byte[] frame, int maxOutput) throws FrameException {
        return decode(frame, maxOutput, NativeBlosc::nativeDecompress, byte[]::new);
    }

    static byte[] decode(byte[] frame, int maxOutput, Decoder decoder, IntFunction<byte[]> probe)
            throws FrameException {
        int nbytes = checkHeader(frame, maxOutput);
        // an OutOfMemoryError is thrown here, in Java, if the heap cannot hold the output; the
        // probe is dropped before the native call so that its allocation can reuse the room
        probeSink = probe.apply(nbytes);
        probeSink = null;
        byte[] out;
        try {
            out = decoder.decompress(frame);
        } catch (LinkageError e) {
            throw new FrameException(
                    "blosc is unavailable on this platform ("
                            + System.getProperty("os.name")
                            + " "
                            + System.getProperty("os.arch")
                            + "): blosc-java has no native library for it",
                    e);
        } catch (RuntimeException e) {
            throw new FrameException("blosc data is corrupted: " + e.getMessage(), e);
        }
        if (out == null || out.length != nbytes) {
            throw new FrameException(
                    "blosc frame decoded to "
                            + (out == null ? "nothing" : out.length + " bytes")
                            + " but declares "
                            + nbytes);
        }
        return out;
    }

    /**
     * Checks a frame's header against its input and the caller's limit.
     *
     * @return the decoded size it declares
     */
    static int checkHeader(byte[] frame, int maxOutput) throws FrameException {
        if (frame.length < HEADER) {
            throw new FrameException("blosc frame is truncated: " + frame.length + " bytes, shorter than its header");
        }
        int flags = frame[2] & 0xFF;
        long nbytes = uint32(frame, 4);
        long blocksize = uint32(frame, 8);
        long cbytes = uint32(frame, 12);
        if (cbytes < HEADER || cbytes > frame.length) {
            throw new FrameException("blosc frame declares " + cbytes + " compressed bytes but has " + frame.length);
        }
        if (nbytes > maxOutput) {
            throw new FrameException("blosc frame declares " + nbytes + " decoded bytes, more than the expected " + maxOutput);
        }
        if (blocksize < 1 || blocksize > Math.max(nbytes, 1)) {
            throw new FrameException("corrupt blosc header: block size " + blocksize + " for " + nbytes + " decoded bytes");
        }
        if ((flags & MEMCPYED) != 0) {
            if (cbytes < HEADER + nbytes) {
                throw new FrameException("blosc frame stores " + nbytes + " bytes uncompressed in " + cbytes);
            }
        } else {
            long blocks = (nbytes + blocksize - 1) / blocksize;
            if (HEADER + 4 * blocks > cbytes) {
                throw new FrameException("blosc frame of " + cbytes + " bytes cannot hold the offsets of its " + blocks + " blocks");
            }
        }
        return (int) nbytes;
    }

    private static byte[] nativeDecompress(byte[] frame) {
        return Blosc.decompress(frame, 1);
    }

    private static long uint32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }
}
