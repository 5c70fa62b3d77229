package io.github.flinkanndata.testutil;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes minimal, uncompressed zarr v2 AnnData stores by hand, so that tests can build exactly the
 * broken input they need (inconsistent indptr, codes past the categories, absurd shapes, ...).
 * Valid stores for value checks come from the real anndata instead (the fixture generator).
 */
public final class TinyZarr {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;

    public TinyZarr(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** A valid store: CSR X of {@code rows} x 3 with one value per row, obs column {@code ct}. */
    public static TinyZarr anndata(Path dir, int rows) {
        TinyZarr z = new TinyZarr(dir);
        z.group("", Map.of("encoding-type", "anndata", "encoding-version", "0.1.0"));
        z.dataframe("obs", names("cell", rows), List.of("ct"));
        z.group("obs/ct", Map.of("encoding-type", "categorical", "encoding-version", "0.2.0", "ordered", false));
        byte[] codes = new byte[rows];
        for (int i = 0; i < rows; i++) {
            codes[i] = (byte) (i % 2);
        }
        z.array("obs/ct/codes", "|i1", new long[] {rows}, codes, Map.of());
        z.strings("obs/ct/categories", new String[] {"B", "T"});
        z.dataframe("var", names("gene", 3), List.of());
        z.group("X", Map.of("encoding-type", "csr_matrix", "encoding-version", "0.1.0",
                "shape", List.of(rows, 3)));
        int[] indptr = new int[rows + 1];
        int[] indices = new int[rows];
        float[] data = new float[rows];
        for (int i = 0; i < rows; i++) {
            indptr[i + 1] = i + 1;
            indices[i] = i % 3;
            data[i] = i + 1;
        }
        z.array("X/indptr", "<i4", new long[] {rows + 1}, ints(indptr), Map.of());
        z.array("X/indices", "<i4", new long[] {rows}, ints(indices), Map.of());
        z.array("X/data", "<f4", new long[] {rows}, floats(data), Map.of());
        return z;
    }

    public void group(String path, Map<String, ?> attrs) {
        write(path, ".zgroup", json(Map.of("zarr_format", 2)));
        write(path, ".zattrs", json(attrs));
    }

    public void dataframe(String path, String[] index, List<String> columns) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("_index", "_index");
        attrs.put("column-order", columns);
        attrs.put("encoding-type", "dataframe");
        attrs.put("encoding-version", "0.2.0");
        group(path, attrs);
        strings(path + "/_index", index);
    }

    /** A one-chunk uncompressed array holding {@code data} (little-endian bytes) as chunk 0. */
    public void array(String path, String dtype, long[] shape, byte[] data, Map<String, ?> attrs) {
        arrayMeta(path, dtype, shape, shape, null, List.of(), attrs);
        write(path, chunkKey(shape.length), data);
    }

    /** Array metadata only, with explicit chunks, compressor (a JSON object or null) and filters. */
    public void arrayMeta(String path, String dtype, long[] shape, long[] chunks,
            Map<String, ?> compressor, List<?> filters, Map<String, ?> attrs) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("zarr_format", 2);
        meta.put("shape", shape);
        meta.put("chunks", Arrays.stream(chunks).map(c -> Math.max(c, 1)).toArray());
        meta.put("dtype", dtype);
        meta.put("compressor", compressor);
        meta.put("fill_value", dtype.equals("|O") ? "" : 0);
        meta.put("order", "C");
        meta.put("filters", filters.isEmpty() ? null : filters);
        write(path, ".zarray", json(meta));
        write(path, ".zattrs", json(attrs));
    }

    /** A vlen-utf8 string array in one chunk. */
    public void strings(String path, String[] values) {
        arrayMeta(path, "|O", new long[] {values.length}, new long[] {values.length}, null,
                List.of(Map.of("id", "vlen-utf8")),
                Map.of("encoding-type", "string-array", "encoding-version", "0.2.0"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(values.length));
        for (String v : values) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(le(b.length));
            out.writeBytes(b);
        }
        write(path, "0", out.toByteArray());
    }

    /** Overwrites or creates a file of the store. */
    public void write(String path, String name, byte[] bytes) {
        try {
            Path dir = path.isEmpty() ? root : root.resolve(path);
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String chunkKey(int rank) {
        return rank == 0 ? "0" : String.join(".", java.util.Collections.nCopies(rank, "0"));
    }

    public static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    public static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static String[] names(String prefix, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = prefix + i;
        }
        return out;
    }
}
