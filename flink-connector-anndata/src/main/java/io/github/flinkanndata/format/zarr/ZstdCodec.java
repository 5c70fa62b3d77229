package io.github.flinkanndata.format.zarr;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Zstandard ({@code zstd}), through zstd-jni: the default compressor of zarr-python 3 for v2 and v3
 * arrays. numcodecs writes one frame with its content size, which is checked against the limit
 * before anything is allocated; frames without a content size are streamed with a bound.
 */
final class ZstdCodec implements BytesCodec {

    static final ZstdCodec INSTANCE = new ZstdCodec();

    private static final long CONTENT_SIZE_UNKNOWN = -1;

    /**
     * Decompression contexts kept for reuse: creating one (native allocation and initialisation)
     * cost as much as decoding a small chunk. Taken and returned per chunk, so the pool holds at
     * most as many contexts as chunks were ever decoded at once (the decode threads), each a few
     * hundred KB of native memory, kept for the life of the class.
     */
    private static final ConcurrentLinkedQueue<ZstdDecompressCtx> CONTEXTS = new ConcurrentLinkedQueue<>();

    private static final int MAX_KEPT = 64;

    private ZstdCodec() {}

    private static void release(ZstdDecompressCtx ctx) {
        if (CONTEXTS.size() < MAX_KEPT) {
            CONTEXTS.offer(ctx);
        } else {
            ctx.close();
        }
    }

    @Override
    public byte[] decode(byte[] input, int maxOutput) throws CodecException {
        long declared;
        try {
            declared = Zstd.getFrameContentSize(input);
        } catch (RuntimeException e) {
            throw new CodecException("zstd frame header is corrupted: " + e.getMessage(), e);
        }
        if (declared == CONTENT_SIZE_UNKNOWN) {
            return streamed(input, maxOutput);
        }
        if (declared < 0) {
            throw new CodecException("zstd frame header is corrupted or truncated");
        }
        if (declared > maxOutput) {
            throw new CodecException(
                    "zstd frame declares "
                            + declared
                            + " bytes, more than the expected "
                            + maxOutput);
        }
        byte[] out = new byte[(int) declared];
        decompress(input, out, declared);
        return out;
    }

    @Override
    public boolean decodeExact(byte[] input, byte[] out) throws CodecException {
        long declared = declaredSize(input);
        if (declared == CONTENT_SIZE_UNKNOWN) {
            return false;
        }
        if (declared != out.length) {
            throw new CodecException("zstd frame declares " + declared + " bytes, "
                    + (declared > out.length ? "more than" : "not") + " the expected " + out.length);
        }
        decompress(input, out, declared);
        return true;
    }

    private static long declaredSize(byte[] input) throws CodecException {
        long declared;
        try {
            declared = Zstd.getFrameContentSize(input);
        } catch (RuntimeException e) {
            throw new CodecException("zstd frame header is corrupted: " + e.getMessage(), e);
        }
        if (declared != CONTENT_SIZE_UNKNOWN && declared < 0) {
            throw new CodecException("zstd frame header is corrupted or truncated");
        }
        return declared;
    }

    private static void decompress(byte[] input, byte[] out, long declared) throws CodecException {
        long n;
        ZstdDecompressCtx ctx = CONTEXTS.poll();
        if (ctx == null) {
            ctx = new ZstdDecompressCtx();
        }
        try {
            n = ctx.decompressByteArray(out, 0, out.length, input, 0, input.length);
        } catch (RuntimeException e) {
            // the context may be mid-frame: drop it rather than hand it out again
            ctx.close();
            ctx = null;
            throw new CodecException("zstd data is corrupted: " + e.getMessage(), e);
        } finally {
            if (ctx != null) {
                release(ctx);
            }
        }
        if (n != declared) {
            throw new CodecException(
                    "zstd frame decoded to " + n + " bytes but declares " + declared);
        }
    }

    private static byte[] streamed(byte[] input, int maxOutput) throws CodecException {
        try (ZstdInputStreamNoFinalizer in =
                new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(input))) {
            return BoundedStreams.readAtMost(in, maxOutput, "zstd");
        } catch (IOException e) {
            throw new CodecException("zstd data is corrupted: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "zstd";
    }
}
