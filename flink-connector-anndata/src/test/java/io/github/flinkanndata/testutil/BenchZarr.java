package io.github.flinkanndata.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * A zarr store for the remote-read benchmarks: dense float32 X, about 90 % zeros, in gzip chunks; v2
 * with a file per chunk ({@link #write}), or v3 with chunks of {@code chunkRows} rows stored as
 * inner chunks of shards ({@link #writeSharded}).
 */
public final class BenchZarr {
    private BenchZarr() {}

    /** Writes the store; returns the compressed bytes of X's chunks. */
    public static long write(Path dir, int rows, int genes, int chunkRows) throws IOException {
        TinyZarr z = new TinyZarr(dir);
        z.group("", Map.of("encoding-type", "anndata", "encoding-version", "0.1.0"));
        String[] cells = new String[rows];
        for (int i = 0; i < rows; i++) {
            cells[i] = "c" + i;
        }
        z.dataframe("obs", cells, List.of());
        String[] names = new String[genes];
        for (int g = 0; g < genes; g++) {
            names[g] = "g" + g;
        }
        z.dataframe("var", names, List.of());
        z.arrayMeta("X", "<f4", new long[] {rows, genes}, new long[] {chunkRows, genes},
                Map.of("id", "gzip", "level", 1), List.of(), Map.of("encoding-type", "array", "encoding-version", "0.2.0"));
        Random rnd = new Random(1);
        for (int c = 0; (long) c * chunkRows < rows; c++) {
            ByteBuffer b = ByteBuffer.allocate(chunkRows * genes * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < chunkRows * genes; i++) {
                b.putFloat(rnd.nextInt(10) == 0 ? rnd.nextInt(50) : 0f);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(b.array());
            }
            z.write("X", c + ".0", out.toByteArray());
        }
        try (Stream<Path> s = Files.list(dir.resolve("X"))) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * Writes the same data as {@link #write} as a zarr v3 store whose X is sharded: inner chunks of
     * {@code chunkRows} x all genes (gzip), {@code chunksPerShard} of them per shard (one object,
     * index at the end, no checksum). Returns the compressed bytes of X's inner chunks.
     */
    public static long writeSharded(Path dir, int rows, int genes, int chunkRows, int chunksPerShard)
            throws IOException {
        group(dir, "", Map.of("encoding-type", "anndata", "encoding-version", "0.1.0"));
        for (String df : List.of("obs", "var")) {
            int n = df.equals("obs") ? rows : genes;
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = (df.equals("obs") ? "c" : "g") + i;
            }
            group(dir, df, Map.of("_index", "_index", "column-order", List.of(), "encoding-type", "dataframe",
                    "encoding-version", "0.2.0"));
            ByteArrayOutputStream strings = new ByteArrayOutputStream();
            strings.writeBytes(le(n));
            for (String v : names) {
                byte[] b = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                strings.writeBytes(le(b.length));
                strings.writeBytes(b);
            }
            Map<String, Object> meta = arrayJson(new long[] {n}, "string", new long[] {n}, "",
                    List.of(Map.of("name", "vlen-utf8", "configuration", Map.of())),
                    Map.of("encoding-type", "string-array", "encoding-version", "0.2.0"));
            put(dir.resolve(df + "/_index/zarr.json"), TinyZarr.json(meta));
            put(dir.resolve(df + "/_index/c/0"), strings.toByteArray());
        }
        int shardRows = chunkRows * chunksPerShard;
        Map<String, Object> sharding = Map.of("name", "sharding_indexed", "configuration", Map.of(
                "chunk_shape", List.of(chunkRows, genes),
                "codecs", List.of(Map.of("name", "bytes", "configuration", Map.of("endian", "little")),
                        Map.of("name", "gzip", "configuration", Map.of("level", 1))),
                "index_codecs", List.of(Map.of("name", "bytes", "configuration", Map.of("endian", "little"))),
                "index_location", "end"));
        put(dir.resolve("X/zarr.json"), TinyZarr.json(arrayJson(new long[] {rows, genes}, "float32",
                new long[] {shardRows, genes}, 0, List.of(sharding),
                Map.of("encoding-type", "array", "encoding-version", "0.2.0"))));
        Random rnd = new Random(1);
        long compressed = 0;
        for (int s = 0; (long) s * shardRows < rows; s++) {
            ByteArrayOutputStream shard = new ByteArrayOutputStream();
            ByteBuffer index = ByteBuffer.allocate(16 * chunksPerShard).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < chunksPerShard; c++) {
                if ((long) (s * chunksPerShard + c) * chunkRows >= rows) {
                    index.putLong(-1L).putLong(-1L); // past the array's end: not stored
                    continue;
                }
                byte[] chunk = gzipChunk(rnd, chunkRows * genes);
                index.putLong(shard.size()).putLong(chunk.length);
                shard.writeBytes(chunk);
                compressed += chunk.length;
            }
            shard.writeBytes(index.array());
            put(dir.resolve("X/c/" + s + "/0"), shard.toByteArray());
        }
        return compressed;
    }

    private static byte[] gzipChunk(Random rnd, int values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values; i++) {
            b.putFloat(rnd.nextInt(10) == 0 ? rnd.nextInt(50) : 0f);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b.array());
        }
        return out.toByteArray();
    }

    private static Map<String, Object> arrayJson(long[] shape, String type, long[] chunks, Object fill,
            List<?> codecs, Map<String, ?> attrs) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("zarr_format", 3);
        m.put("node_type", "array");
        m.put("shape", shape);
        m.put("data_type", type);
        m.put("chunk_grid", Map.of("name", "regular", "configuration", Map.of("chunk_shape", chunks)));
        m.put("chunk_key_encoding", Map.of("name", "default", "configuration", Map.of("separator", "/")));
        m.put("fill_value", fill);
        m.put("codecs", codecs);
        m.put("attributes", attrs);
        return m;
    }

    private static void group(Path dir, String path, Map<String, ?> attrs) throws IOException {
        put(dir.resolve(path.isEmpty() ? "zarr.json" : path + "/zarr.json"),
                TinyZarr.json(Map.of("zarr_format", 3, "node_type", "group", "attributes", attrs)));
    }

    private static void put(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
