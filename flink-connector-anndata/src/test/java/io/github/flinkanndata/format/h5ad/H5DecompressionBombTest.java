package io.github.flinkanndata.format.h5ad;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import com.scalableminds.bloscjava.Blosc;
import io.github.flinkanndata.testutil.Allocation;
import io.jhdf.exceptions.HdfFilterException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Decompression and allocation bombs against every h5ad chunk filter: a chunk that decodes to, or
 * declares, far more than the chunk's size fails with a filter error, allocating about the chunk's
 * size and never the bomb's.
 */
class H5DecompressionBombTest {
    /** The decoded size a chunk declares through its dataset's shape: 4 KiB. */
    private static final int CHUNK = 4096;
    /** What a bounded decoder may allocate: the chunk, buffers, and jni/stream overheads. */
    private static final long ALLOWED = 4L << 20;

    private static final byte[] ZEROS = new byte[16 << 20];

    @Test
    void deflate() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(bytes, new Deflater(9))) {
            out.write(ZEROS);
        }
        assertBounded("deflate", bytes.toByteArray(), b -> ChunkFilters.inflate(b, CHUNK));
    }

    @Test
    void lzf() {
        // a raw LZF stream: one literal zero, then back-references of 264 bytes at distance 1
        int refs = 4000;
        byte[] b = new byte[2 + 3 * refs];
        for (int i = 0; i < refs; i++) {
            b[2 + 3 * i] = (byte) 0xE0;
            b[3 + 3 * i] = (byte) 0xFF;
        }
        assertBounded("lzf", b, x -> TolerantLzfFilter.decode(x, CHUNK));
    }

    @Test
    void bloscDecodingAndDeclaredSizes() {
        byte[] bomb = Blosc.compress(ZEROS, 4, Blosc.Compressor.LZ4);
        assertBounded("blosc", bomb, b -> BloscFilter.decode(b, CHUNK));
        // a forged header: 1 GiB decoded, no data behind it
        byte[] forged = new byte[32];
        forged[0] = 2;
        ByteBuffer.wrap(forged).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1 << 30).putInt(12, 32);
        assertBounded("blosc", forged, b -> BloscFilter.decode(b, CHUNK));
    }

    @Test
    void zstdDecodingAndDeclaredSizes() {
        assertBounded("zstd", Zstd.compress(ZEROS), b -> ZstdFilter.decode(b, CHUNK));
        // a single-segment frame declaring 1 GiB content, holding one 64 KiB RLE block
        ByteBuffer f = ByteBuffer.allocate(4 + 1 + 8 + 3 + 1).order(ByteOrder.LITTLE_ENDIAN);
        f.putInt(0xFD2FB528).put((byte) 0xE0).putLong(1L << 30);
        int blockHeader = 1 | (1 << 1) | (65536 << 3); // last block, RLE, 64 KiB
        f.put((byte) blockHeader).put((byte) (blockHeader >> 8)).put((byte) (blockHeader >> 16)).put((byte) 0);
        assertBounded("zstd", f.array(), b -> ZstdFilter.decode(b, CHUNK));
        // the same frame without a declared size goes through the streaming path
        assertBounded("zstd", streamedFrame(), b -> ZstdFilter.decode(b, CHUNK));
    }

    /** A frame without content size: 16 RLE blocks of 128 KiB. */
    private static byte[] streamedFrame() {
        ByteBuffer f = ByteBuffer.allocate(4 + 2 + 16 * 4).order(ByteOrder.LITTLE_ENDIAN);
        f.putInt(0xFD2FB528).put((byte) 0x00).put((byte) 0x58); // no FCS; window 2^(10+11)
        for (int i = 0; i < 16; i++) {
            int h = (i == 15 ? 1 : 0) | (1 << 1) | (131072 << 3);
            f.put((byte) h).put((byte) (h >> 8)).put((byte) (h >> 16)).put((byte) 7);
        }
        return f.array();
    }

    private static void assertBounded(String codec, byte[] bomb, Function<byte[], byte[]> decode) {
        Allocation.Measured m = Allocation.measure(() -> decode.apply(bomb));
        // the filters' own exceptions, which ChunkFilters#decode wraps with the filter's name
        assertThat(m.thrown).as(codec).isInstanceOfAny(HdfFilterException.class, IllegalStateException.class)
                .hasMessageContaining(String.valueOf(CHUNK));
        assertThat(m.bytes).as("%s allocated", codec).isLessThan(ALLOWED);
    }
}
