package io.github.flinkanndata.format.zarr;

import static io.github.flinkanndata.format.zarr.ZarrTestStores.array;
import static io.github.flinkanndata.format.zarr.ZarrTestStores.expectFailure;
import static io.github.flinkanndata.format.zarr.ZarrTestStores.open;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import com.scalableminds.bloscjava.Blosc;

import io.github.flinkanndata.format.tree.ArrayNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;

/** Corrupted, truncated, oversized or inconsistent chunks and shards. */
class ZarrBadChunkTest extends BadStoreTestBase {

    @ParameterizedTest
    @CsvSource({
        "zstd, zstd/0",
        "gzip, gzip/0",
        "zlib, zlib/0",
        "lz4, lz4/0",
        "bz2, bz2/0",
        "blosc_lz4_1, blosc_lz4_1/0.0",
        "blosc_zstd_2, blosc_zstd_2/1.1"
    })
    void corruptedChunks(String array, String key) throws Exception {
        byte[] chunk = Files.readAllBytes(v2.resolve(key));
        if (array.startsWith("blosc")) {
            // blosc frames carry no checksum (small chunks are even stored as plain copies), so
            // damage is only detectable in the frame structure: keep the header, cut the rest
            chunk = java.util.Arrays.copyOf(chunk, 20);
        } else {
            new Random(42).nextBytes(chunk);
        }
        Files.write(v2.resolve(key), chunk);
        try (ZarrContainer c = open(v2)) {
            expectFailure(() -> array(c, array).readAll(), v2, array, "chunk '" + key + "'");
        }
    }

    @Test
    void chunkOfTheWrongSize() throws Exception {
        byte[] chunk = Files.readAllBytes(v2.resolve("none/0"));
        Files.write(v2.resolve("none/0"), java.util.Arrays.copyOf(chunk, 16));
        try (ZarrContainer c = open(v2)) {
            expectFailure(
                    () -> array(c, "none").readAll(),
                    v2,
                    "none",
                    "chunk 'none/0'",
                    "decoded chunk has 16 bytes, expected 40");
        }
    }

    @Test
    void decompressionBombsAreStoppedAtTheExpectedSize() throws Exception {
        byte[] zeros = new byte[64 << 20];
        Files.write(v2.resolve("zstd/1"), Zstd.compress(zeros));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(zeros);
        }
        Files.write(v2.resolve("gzip/1"), gz.toByteArray());
        Files.write(
                v2.resolve("blosc_lz4_0/0.0"),
                Blosc.compress(new byte[1 << 20], 4, Blosc.Compressor.LZ4));
        try (ZarrContainer c = open(v2)) {
            expectFailure(
                    () -> array(c, "zstd").readAll(),
                    v2,
                    "zstd",
                    "chunk 'zstd/1'",
                    "more than the expected 40");
            expectFailure(
                    () -> array(c, "gzip").readAll(),
                    v2,
                    "gzip",
                    "chunk 'gzip/1'",
                    "exceeds the expected 40");
            expectFailure(
                    () -> array(c, "blosc_lz4_0").readAll(),
                    v2,
                    "blosc_lz4_0",
                    "more than the expected 24");
        }
    }

    @Test
    void vlenLengthsBeyondTheChunk() throws Exception {
        Files.write(v2.resolve("vlen/0"), Zstd.compress(vlen(3, 1000, "ab")));
        Files.write(v2.resolve("vlen/1"), Zstd.compress(vlen(5, 1, "a")));
        try (ZarrContainer c = open(v2)) {
            ArrayNode a = array(c, "vlen");
            expectFailure(
                    () -> a.read(new long[] {0}, new int[] {1}),
                    v2,
                    "vlen",
                    "chunk 'vlen/0'",
                    "claims 1000 bytes");
            expectFailure(
                    () -> a.read(new long[] {3}, new int[] {1}),
                    v2,
                    "vlen",
                    "holds 5 items, expected 3");
        }
    }

    private static byte[] vlen(int items, int firstLength, String firstBytes) {
        byte[] s = firstBytes.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + s.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(items)
                .putInt(firstLength)
                .put(s)
                .array();
    }

    @Test
    void crc32cCodecMismatch() throws Exception {
        byte[] chunk = Files.readAllBytes(v3.resolve("crc/c/1"));
        chunk[0] ^= 1;
        Files.write(v3.resolve("crc/c/1"), chunk);
        try (ZarrContainer c = open(v3)) {
            expectFailure(
                    () -> array(c, "crc").readAll(),
                    v3,
                    "crc",
                    "chunk 'crc/c/1'",
                    "crc32c mismatch");
            assertThat((short[]) array(c, "crc").read(new long[] {0}, new int[] {2}))
                    .containsExactly((short) 1, (short) -2);
        }
    }

    @Test
    void truncatedShard() throws Exception {
        Path shard = v3.resolve("sharded_end/c/0/0");
        Files.write(shard, java.util.Arrays.copyOf(Files.readAllBytes(shard), 10));
        try (ZarrContainer c = open(v3)) {
            expectFailure(
                    () -> array(c, "sharded_end").readAll(),
                    v3,
                    "sharded_end",
                    "chunk 'sharded_end/c/0/0'",
                    "shard is truncated: 10 bytes");
        }
    }

    @Test
    void shardIndexChecksumMismatch() throws Exception {
        Path shard = v3.resolve("sharded_end/c/1/1");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 68] ^= 0x10; // first index entry, at the end of the shard
        Files.write(shard, bytes);
        try (ZarrContainer c = open(v3)) {
            expectFailure(
                    () -> array(c, "sharded_end").read(new long[] {4, 6}, new int[] {1, 1}),
                    v3,
                    "sharded_end",
                    "chunk 'sharded_end/c/1/1'",
                    "shard index crc32c mismatch");
        }
    }

    @Test
    void shardIndexPointingOutsideTheShard() throws Exception {
        Path shard = v3.resolve("sharded_start/c/0"); // index at the start: 4 inner chunks
        byte[] bytes = Files.readAllBytes(shard);
        ByteBuffer index = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        index.putLong(16, 1L << 40); // second inner chunk's offset
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 64);
        index.putInt(64, (int) crc.getValue()); // a valid checksum over a bad entry
        Files.write(shard, bytes);
        try (ZarrContainer c = open(v3)) {
            expectFailure(
                    () -> array(c, "sharded_start").read(new long[] {0}, new int[] {1}),
                    v3,
                    "sharded_start",
                    "chunk 'sharded_start/c/0'",
                    "index entry 1",
                    "lies outside the shard");
        }
    }

    @Test
    void corruptedInnerChunk() throws Exception {
        Path shard = v3.resolve("sharded_start/c/1");
        byte[] bytes = Files.readAllBytes(shard);
        for (int i = 68; i < bytes.length; i++) {
            bytes[i] = (byte) 0xA5; // every inner chunk (gzip) after the index
        }
        Files.write(shard, bytes);
        try (ZarrContainer c = open(v3)) {
            expectFailure(
                    () -> array(c, "sharded_start").read(new long[] {9}, new int[] {1}),
                    v3,
                    "sharded_start",
                    "chunk 'sharded_start/c/1'",
                    "inner chunk 0",
                    "gzip");
        }
    }
}
