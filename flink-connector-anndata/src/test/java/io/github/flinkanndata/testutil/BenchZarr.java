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

/** A zarr v2 store for the remote-read benchmarks: dense float32 X, about 90 % zeros, in gzip chunks. */
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
}
