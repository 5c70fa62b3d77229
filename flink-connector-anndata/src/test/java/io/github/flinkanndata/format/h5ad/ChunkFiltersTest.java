package io.github.flinkanndata.format.h5ad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/** The bounded inflater used for deflate chunks. */
class ChunkFiltersTest {

    private static byte[] zlib(byte[] plain) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(bos)) {
            out.write(plain);
        }
        return bos.toByteArray();
    }

    @Test
    void inflatesIntoTheChunkSize() throws Exception {
        byte[] plain = new byte[10_000];
        Arrays.fill(plain, (byte) 7);
        assertThat(ChunkFilters.inflate(zlib(plain), 10_000)).isEqualTo(plain);
        // a shorter stream (a size-reducing filter ran before deflate) is trimmed, not padded
        assertThat(ChunkFilters.inflate(zlib(Arrays.copyOf(plain, 100)), 10_000)).hasSize(100);
    }

    @Test
    void refusesStreamsThatInflateBeyondTheChunk() throws Exception {
        byte[] bomb = zlib(new byte[1 << 20]); // 1 MiB of zeros in about 1 KiB
        assertThatThrownBy(() -> ChunkFilters.inflate(bomb, 4096))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than");
    }

    @Test
    void truncatedAndCorruptStreamsFail() throws Exception {
        byte[] z =
                zlib(
                        "hello hello hello hello"
                                .repeat(50)
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> ChunkFilters.inflate(Arrays.copyOf(z, z.length / 2), 2000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("truncated");
        byte[] bad = z.clone();
        for (int i = 2; i < bad.length; i++) {
            bad[i] ^= 0x5A;
        }
        assertThatThrownBy(() -> ChunkFilters.inflate(bad, 2000))
                .isInstanceOf(IllegalStateException.class);
    }
}
