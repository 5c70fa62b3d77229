package io.github.flinkanndata.format.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.Containers;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A long read lists the chunks an array stores ({@link ChunkSource#LIST_ABOVE_CHUNKS}) instead of
 * probing each: it must read exactly what probing reads, in every key layout (v2 with either
 * separator, v3 default keys, v3 shards, a zip), and a chunk not stored must then cost nothing.
 * The stores are written here: an int32 array of 40 x 45 in chunks of 2 x 3 (300 chunks), a third
 * of them stored, holding {@code row * 45 + column}; the fill value is 7.
 */
class ZarrAbsentChunksTest {
    private static final int ROWS = 40;
    private static final int COLS = 45;
    private static final int[] CHUNK = {2, 3};
    private static final int[] SHARD = {4, 6};
    private static final int FILL = 7;

    @TempDir Path tmp;

    private static boolean stored(int chunkRow, int chunkCol) {
        return new Random(chunkRow * 1000L + chunkCol).nextInt(3) == 0;
    }

    private static int expected(int r, int c) {
        return stored(r / CHUNK[0], c / CHUNK[1]) ? r * COLS + c : FILL;
    }

    /** A chunk's bytes, edge chunks padded as zarr pads them. */
    private static byte[] chunkBytes(int chunkRow, int chunkCol) {
        ByteBuffer b = ByteBuffer.allocate(4 * CHUNK[0] * CHUNK[1]).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < CHUNK[0]; i++) {
            for (int j = 0; j < CHUNK[1]; j++) {
                int r = chunkRow * CHUNK[0] + i;
                int c = chunkCol * CHUNK[1] + j;
                b.putInt(r < ROWS && c < COLS ? r * COLS + c : 0);
            }
        }
        return b.array();
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private Path store(String layout) throws IOException {
        Path root = tmp.resolve(layout + ".zarr");
        Path a = root.resolve("a");
        int chunkRows = (ROWS + CHUNK[0] - 1) / CHUNK[0];
        int chunkCols = (COLS + CHUNK[1] - 1) / CHUNK[1];
        if (layout.startsWith("v2")) {
            String sep = layout.equals("v2-slash") ? "/" : ".";
            write(root.resolve(".zgroup"), "{\"zarr_format\": 2}");
            write(a.resolve(".zarray"), "{\"shape\": [" + ROWS + ", " + COLS + "], \"chunks\": [" + CHUNK[0] + ", "
                    + CHUNK[1] + "], \"dtype\": \"<i4\", \"fill_value\": " + FILL + ", \"order\": \"C\","
                    + " \"filters\": null, \"compressor\": null, \"zarr_format\": 2,"
                    + " \"dimension_separator\": \"" + sep + "\"}");
            for (int i = 0; i < chunkRows; i++) {
                for (int j = 0; j < chunkCols; j++) {
                    if (stored(i, j)) {
                        write(a.resolve(i + sep + j), chunkBytes(i, j));
                    }
                }
            }
            return root;
        }
        boolean sharded = layout.equals("v3-sharded");
        int[] files = sharded ? SHARD : CHUNK;
        String codecs = "[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]";
        if (sharded) {
            codecs = "[{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [" + CHUNK[0] + ", "
                    + CHUNK[1] + "], \"codecs\": " + codecs + ", \"index_codecs\": [{\"name\": \"bytes\","
                    + " \"configuration\": {\"endian\": \"little\"}}, {\"name\": \"crc32c\"}],"
                    + " \"index_location\": \"end\"}}]";
        }
        write(root.resolve("zarr.json"), "{\"zarr_format\": 3, \"node_type\": \"group\", \"attributes\": {}}");
        write(a.resolve("zarr.json"), "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [" + ROWS + ", "
                + COLS + "], \"data_type\": \"int32\", \"chunk_grid\": {\"name\": \"regular\", \"configuration\":"
                + " {\"chunk_shape\": [" + files[0] + ", " + files[1] + "]}}, \"chunk_key_encoding\": {\"name\":"
                + " \"default\", \"configuration\": {\"separator\": \"/\"}}, \"fill_value\": " + FILL
                + ", \"codecs\": " + codecs + ", \"attributes\": {}}");
        if (!sharded) {
            for (int i = 0; i < chunkRows; i++) {
                for (int j = 0; j < chunkCols; j++) {
                    if (stored(i, j)) {
                        write(a.resolve("c/" + i + "/" + j), chunkBytes(i, j));
                    }
                }
            }
            return root;
        }
        int per0 = SHARD[0] / CHUNK[0];
        int per1 = SHARD[1] / CHUNK[1];
        for (int si = 0; si * SHARD[0] < ROWS; si++) {
            for (int sj = 0; sj * SHARD[1] < COLS; sj++) {
                java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
                ByteBuffer index = ByteBuffer.allocate(16 * per0 * per1).order(ByteOrder.LITTLE_ENDIAN);
                boolean any = false;
                for (int i = 0; i < per0; i++) {
                    for (int j = 0; j < per1; j++) {
                        int ci = si * per0 + i;
                        int cj = sj * per1 + j;
                        if (ci < chunkRows && cj < chunkCols && stored(ci, cj)) {
                            byte[] c = chunkBytes(ci, cj);
                            index.putLong(data.size()).putLong(c.length);
                            data.writeBytes(c);
                            any = true;
                        } else {
                            index.putLong(-1L).putLong(-1L);
                        }
                    }
                }
                if (any) {
                    CRC32C crc = new CRC32C();
                    crc.update(index.array());
                    data.writeBytes(index.array());
                    data.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                            .putInt((int) crc.getValue()).array());
                    write(a.resolve("c/" + si + "/" + sj), data.toByteArray());
                }
            }
        }
        return root;
    }

    private Path zipped(Path dir) throws IOException {
        Path zip = tmp.resolve(dir.getFileName() + ".zip");
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(os);
                Stream<Path> files = Files.walk(dir)) {
            out.setMethod(ZipOutputStream.STORED);
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                if (Files.isRegularFile(f)) {
                    byte[] b = Files.readAllBytes(f);
                    ZipEntry e = new ZipEntry(dir.relativize(f).toString().replace('\\', '/'));
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(b);
                    e.setSize(b.length);
                    e.setCompressedSize(b.length);
                    e.setCrc(crc.getValue());
                    out.putNextEntry(e);
                    out.write(b);
                }
            }
        }
        return zip;
    }

    private static void assertRegion(int[] values, int r0, int c0, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                assertThat(values[i * cols + j]).as("[%d, %d]", r0 + i, c0 + j)
                        .isEqualTo(expected(r0 + i, c0 + j));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v2-dot", "v2-slash", "v3-default", "v3-sharded", "v2-dot-zip"})
    void longReadsListTheStoredChunksAndReadWhatProbingReads(String layout) throws Exception {
        Path store = store(layout.replace("-zip", ""));
        if (layout.endsWith("-zip")) {
            store = zipped(store);
        }
        try (Container c = Containers.open(store, ContainerOptions.defaults())) {
            ArrayNode a = (ArrayNode) c.node("a");
            // small reads first: each spans at most 4 chunks, so every chunk is probed
            for (int r = 0; r < ROWS; r += 3) {
                for (int col = 0; col < COLS; col += 5) {
                    int rows = Math.min(3, ROWS - r);
                    int cols = Math.min(5, COLS - col);
                    assertRegion((int[]) a.read(new long[] {r, col}, new int[] {rows, cols}), r, col, rows, cols);
                }
            }
            // the whole array: 300 chunks, so the stored ones are listed first
            assertRegion((int[]) a.read(new long[] {0, 0}, new int[] {ROWS, COLS}), 0, 0, ROWS, COLS);
            // and small reads again, now answered from the listing
            for (int r = 1; r < ROWS; r += 7) {
                int rows = Math.min(2, ROWS - r);
                assertRegion((int[]) a.read(new long[] {r, 0}, new int[] {rows, COLS}), r, 0, rows, COLS);
            }
        }
    }

    /**
     * A listing goes no deeper than a chunk key can be and gives up past its entry cap, so a link
     * to a large tree outside the array costs no more than the array's own chunks.
     */
    @Test
    void listingsStopAtTheDepthOfAKeyAndAtTheirCap() throws Exception {
        Path root = tmp.resolve("listing.zarr");
        write(root.resolve("a/0.0"), new byte[4]);
        write(root.resolve("a/0.1"), new byte[4]);
        write(root.resolve("a/deep/x/y/0.0"), new byte[4]);
        Path outside = tmp.resolve("outside");
        for (int i = 0; i < 50; i++) {
            write(outside.resolve("d" + i).resolve("f"), new byte[1]);
        }
        boolean linked;
        try {
            Files.createSymbolicLink(root.resolve("a/link"), outside);
            linked = true;
        } catch (UnsupportedOperationException | IOException e) {
            linked = false; // no symbolic links here: the depth limit is still checked
        }
        DirectoryStore dir = new DirectoryStore(root);
        assertThat(dir.listKeys("a", 1, 100)).containsExactlyInAnyOrder("0.0", "0.1");
        assertThat(dir.listKeys("a", 1, 3)).as("over the cap").isNull();
        if (linked) {
            // two levels (as v2 keys of a 2-d array with '/' separators): the link's entries,
            // not the files below them
            assertThat(dir.listKeys("a", 2, 1000)).containsExactlyInAnyOrder("0.0", "0.1");
            assertThat(dir.listKeys("a", 3, 1000)).hasSize(52);
            assertThat(dir.listKeys("a", 3, 40)).isNull();
        }
        Path zip = zipped(root.resolve("a"));
        try (ZipStore z = ZipStore.open(zip)) {
            assertThat(z.listKeys("", 1, 100)).containsExactlyInAnyOrder("0.0", "0.1");
            assertThat(z.listKeys("", 1, 1)).isNull();
            assertThat(z.listKeys("", 4, 100)).contains("deep/x/y/0.0");
        }
    }

    /** 4 rows of 65,536 columns in chunks of 1 x 2, none stored: 131,072 chunks, a 1 MiB slab. */
    @Test
    void aLongReadOfChunksNotStoredAllocatesItsSlab() throws Exception {
        Path root = tmp.resolve("sparse.zarr");
        write(root.resolve(".zgroup"), "{\"zarr_format\": 2}");
        write(root.resolve("a/.zarray"), "{\"shape\": [4, 65536], \"chunks\": [1, 2], \"dtype\": \"<i4\","
                + " \"fill_value\": 0, \"order\": \"C\", \"filters\": null, \"compressor\": null,"
                + " \"zarr_format\": 2}");
        write(root.resolve("a/0.0"), new byte[8]);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        try (Container c = Containers.open(root, ContainerOptions.defaults())) {
            ArrayNode a = (ArrayNode) c.node("a");
            a.read(new long[] {0, 0}, new int[] {4, 65536}); // lists, warms up
            long tid = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(tid);
            int[] values = (int[]) a.read(new long[] {0, 0}, new int[] {4, 65536});
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertThat(values).containsOnly(0);
            // probing each chunk cost about 270 bytes (650 before keys were checked in place)
            assertThat(allocated).isLessThan(4L * 4 * 65536 + (256 << 10));
        }
    }
}
