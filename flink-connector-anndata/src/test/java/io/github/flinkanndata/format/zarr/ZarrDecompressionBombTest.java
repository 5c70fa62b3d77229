package io.github.flinkanndata.format.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import com.scalableminds.bloscjava.Blosc;
import io.github.flinkanndata.testutil.Allocation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4Factory;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decompression and allocation bombs against every zarr compressor, v2 ids and v3 names: data that
 * decodes to (or, for blosc and lz4, declares) far more than the expected chunk fails with a {@link
 * CodecException}, allocating about the chunk's size and never the bomb's.
 */
class ZarrDecompressionBombTest {
    private static final int CHUNK = 4096;
    private static final long ALLOWED = 4L << 20;
    private static final byte[] ZEROS = new byte[16 << 20];
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"blosc", "zstd", "gzip", "zlib", "lz4", "bz2"})
    void v2Compressors(String id) throws Exception {
        BytesCodec codec = Codecs.v2Compressor(JSON.readTree("{\"id\": \"" + id + "\"}"));
        for (byte[] bomb : bombs(id)) {
            assertBounded(id, codec, bomb);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "blosc", "numcodecs.lz4", "numcodecs.bz2", "numcodecs.zlib"})
    void v3Codecs(String name) throws Exception {
        BytesCodec codec = Codecs.v3(name);
        assertThat(codec).as(name).isNotNull();
        for (byte[] bomb : bombs(name.replace("numcodecs.", ""))) {
            assertBounded(name, codec, bomb);
        }
    }

    private static byte[][] bombs(String id) throws IOException {
        switch (id) {
            case "blosc":
                byte[] forged = new byte[32];
                forged[0] = 2;
                ByteBuffer.wrap(forged).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1 << 30).putInt(12, 32);
                return new byte[][] {Blosc.compress(ZEROS, 4, Blosc.Compressor.LZ4), forged};
            case "zstd":
                return new byte[][] {Zstd.compress(ZEROS)};
            case "gzip":
                return new byte[][] {stream(new ByteArrayOutputStream(), GZIPOutputStream::new)};
            case "zlib":
                return new byte[][] {stream(new ByteArrayOutputStream(), DeflaterOutputStream::new)};
            case "bz2":
                return new byte[][] {stream(new ByteArrayOutputStream(), BZip2CompressorOutputStream::new)};
            case "lz4":
                byte[] block = LZ4Factory.safeInstance().fastCompressor().compress(ZEROS);
                ByteBuffer b = ByteBuffer.allocate(4 + block.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(ZEROS.length).put(block);
                ByteBuffer declared = ByteBuffer.allocate(4 + 16).order(ByteOrder.LITTLE_ENDIAN);
                declared.putInt(1 << 30);
                return new byte[][] {b.array(), declared.array()};
            default:
                throw new IllegalArgumentException(id);
        }
    }

    private interface Wrap {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private static byte[] stream(ByteArrayOutputStream bytes, Wrap wrap) throws IOException {
        try (OutputStream out = wrap.wrap(bytes)) {
            out.write(ZEROS, 0, 4 << 20); // 4 MiB: bzip2 is slow on more
        }
        return bytes.toByteArray();
    }

    private static void assertBounded(String codec, BytesCodec c, byte[] bomb) {
        Allocation.Measured m = Allocation.measure(() -> c.decode(bomb, CHUNK));
        assertThat(m.thrown).as(codec).isInstanceOf(CodecException.class);
        assertThat(m.bytes).as("%s allocated", codec).isLessThan(ALLOWED);
    }
}
