package io.github.flinkanndata.format.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.scalableminds.bloscjava.Blosc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The blosc guard: real frames decode; a hostile header is refused before the native decoder runs
 * and before anything is allocated for it; the output is allocated in Java (the probe) before the
 * native call, so a heap without room ends in a Java {@code OutOfMemoryError} and the native
 * decoder is never reached.
 */
class NativeBloscTest {
    private static final int LIMIT = 1 << 20;

    private final AtomicInteger nativeCalls = new AtomicInteger();
    private final AtomicInteger probes = new AtomicInteger();

    private byte[] decode(byte[] frame, int max) throws NativeBlosc.FrameException {
        return NativeBlosc.decode(frame, max, f -> {
            nativeCalls.incrementAndGet();
            return Blosc.decompress(f, 1);
        }, n -> {
            probes.incrementAndGet();
            return new byte[n];
        });
    }

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 7 == 0 ? i : 0);
        }
        return b;
    }

    @Test
    void realFramesDecode() throws Exception {
        byte[] random = new byte[10_000];
        new Random(1).nextBytes(random);
        byte[][] inputs = {new byte[0], data(1), data(5000), data(300_000), random};
        for (byte[] in : inputs) {
            for (Blosc.Compressor c : new Blosc.Compressor[] {Blosc.Compressor.LZ4, Blosc.Compressor.BLOSCLZ,
                    Blosc.Compressor.ZSTD, Blosc.Compressor.ZLIB}) {
                assertThat(decode(Blosc.compress(in, 4, c), LIMIT)).as("%s, %d bytes", c, in.length).isEqualTo(in);
                assertThat(decode(Blosc.compress(in, 1, c, 5, Blosc.Shuffle.BIT_SHUFFLE), LIMIT)).isEqualTo(in);
            }
        }
        byte[] large = data(4 << 20); // several blocks
        assertThat(decode(Blosc.compress(large, 4, Blosc.Compressor.LZ4), large.length)).isEqualTo(large);
        assertThat(nativeCalls.get()).isEqualTo(probes.get()).isPositive();
    }

    /** A valid frame of {@code n} bytes with its header's fields overwritten (null: kept). */
    private static byte[] forged(int n, Integer nbytes, Integer blocksize, Integer cbytes, Integer flags) {
        byte[] f = Blosc.compress(data(n), 4, Blosc.Compressor.LZ4);
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        if (nbytes != null) {
            b.putInt(4, nbytes);
        }
        if (blocksize != null) {
            b.putInt(8, blocksize);
        }
        if (cbytes != null) {
            b.putInt(12, cbytes);
        }
        if (flags != null) {
            f[2] = (byte) (int) flags;
        }
        return f;
    }

    @Test
    void hostileHeadersAreRefusedBeforeTheNativeCall() {
        Object[][] cases = {
            {forged(5000, Integer.MAX_VALUE, null, null, null), "more than the expected"},
            {forged(5000, -1, null, null, null), "more than the expected"}, // 4 GiB unsigned
            {forged(5000, LIMIT + 1, null, null, null), "more than the expected"},
            {forged(5000, null, 0, null, null), "block size 0"},
            {forged(5000, null, Integer.MAX_VALUE, null, null), "block size"}, // c-blosc's work buffer
            {forged(5000, null, 5001, null, null), "block size 5001"},
            {forged(5000, null, null, 1 << 30, null), "compressed bytes"},
            {forged(5000, null, null, 15, null), "compressed bytes"},
            {forged(5000, LIMIT, 1, null, null), "offsets"}, // a million blocks in a small frame
            {forged(5000, null, null, null, 0x2 | 0x1), "uncompressed"}, // memcpyed, too short
            {new byte[15], "truncated"},
        };
        for (Object[] c : cases) {
            assertThatThrownBy(() -> decode((byte[]) c[0], LIMIT)).as("case %s", c[1])
                    .isInstanceOf(NativeBlosc.FrameException.class).hasMessageContaining((String) c[1]);
        }
        assertThat(probes.get()).as("allocations for refused frames").isZero();
        assertThat(nativeCalls.get()).as("native calls for refused frames").isZero();
    }

    @Test
    void theOutputIsAllocatedInJavaBeforeTheNativeCall() {
        byte[] frame = Blosc.compress(data(300_000), 4, Blosc.Compressor.LZ4);
        int[] asked = new int[1];
        assertThatThrownBy(() -> NativeBlosc.decode(frame, LIMIT, f -> {
            nativeCalls.incrementAndGet();
            return Blosc.decompress(f, 1);
        }, n -> {
            asked[0] = n;
            throw new OutOfMemoryError("Java heap space (test)");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(asked[0]).as("the probe asks for the declared output").isEqualTo(300_000);
        assertThat(nativeCalls.get()).as("native calls after the heap had no room").isZero();
    }
}
