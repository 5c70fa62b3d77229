package io.github.flinkanndata.format;

import static io.github.flinkanndata.testutil.TinyZarr.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.testutil.TestData;
import io.github.flinkanndata.testutil.TinyZarr;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.ContainerOptions;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken stores fail with an {@link AnnDataFormatException} that names the store and the element,
 * never with another exception, a hang, an out-of-memory error or wrong values.
 */
@Timeout(60)
class BadInputTest {
    @TempDir Path tmp;

    @Test
    void validTinyStoreReads() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("ok.zarr"), 4);
        try (AnnDataStore s = AnnDataStore.open(z.root())) {
            RowBlock b = s.x().readRows(0, 4);
            assertThat(b.indices()).containsExactly(0, 1, 2, 0);
            assertThat(s.obs().column("ct").labels()).containsExactly("B", "T", "B", "T");
        }
    }

    @Test
    void truncatedH5ad() throws Exception {
        Path copy = tmp.resolve("truncated.h5ad");
        Files.copy(TestData.realStore("anndataR/example.h5ad"), copy);
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        assertFails(() -> readEverything(copy), copy, null);
    }

    @Test
    void truncatedZarrZip() throws Exception {
        Path copy = tmp.resolve("truncated.zarr.zip");
        Files.copy(TestData.realStore("anndata-archives/v0.7.8/adata.zarr.zip"), copy);
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        assertFails(() -> readEverything(copy), copy, null);
    }

    @Test
    void indptrPastTheData() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        z.write("X/indptr", "0", ints(0, 1, 2, 99, 4));
        assertFails(() -> readEverything(z.root()), z.root(), "X/indptr");
    }

    @Test
    void indptrDecreasing() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        z.write("X/indptr", "0", ints(0, 3, 1, 2, 4));
        assertFails(() -> readEverything(z.root()), z.root(), "X/indptr");
    }

    @Test
    void indptrLengthDisagreesWithShape() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        z.group("X", Map.of("encoding-type", "csr_matrix", "encoding-version", "0.1.0", "shape", List.of(9, 3)));
        assertFails(() -> AnnDataStore.open(z.root()).close(), z.root(), "X/indptr");
    }

    @Test
    void indicesOutOfRange() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        z.write("X/indices", "0", ints(0, 1, 7, 0));
        assertFails(() -> readEverything(z.root()), z.root(), "X/indices");
    }

    @Test
    void categoryCodeBeyondCategories() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        z.write("obs/ct/codes", "0", new byte[] {0, 1, 5, 0});
        assertFails(() -> readEverything(z.root()), z.root(), "obs/ct");
    }

    @Test
    void unknownCodec() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        z.arrayMeta("X/data", "<f4", new long[] {4}, new long[] {4}, Map.of("id", "no-such-codec"),
                List.of(), Map.of());
        assertFails(() -> readEverything(z.root()), z.root(), "X/data");
    }

    @Test
    void corruptedCompressedChunk() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        z.arrayMeta("X/data", "<f4", new long[] {4}, new long[] {4}, Map.of("id", "zlib", "level", 1),
                List.of(), Map.of());
        z.write("X/data", "0", "definitely not zlib".getBytes(StandardCharsets.US_ASCII));
        assertFails(() -> readEverything(z.root()), z.root(), "X/data");
    }

    @Test
    void brokenJsonMetadata() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        z.write("obs", ".zattrs", "{\"_index\": \"_index\", ".getBytes(StandardCharsets.UTF_8));
        assertFails(() -> readEverything(z.root()), z.root(), "obs");
    }

    @Test
    void declaredShapeFarLargerThanData() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        long huge = 1L << 40;
        // each single chunk claims 2^40 elements; the stored chunks hold four
        z.arrayMeta("obs/_index", "|O", new long[] {huge}, new long[] {huge}, null,
                List.of(Map.of("id", "vlen-utf8")), Map.of("encoding-type", "string-array", "encoding-version", "0.2.0"));
        z.arrayMeta("X/data", "<f4", new long[] {huge}, new long[] {huge}, null, List.of(), Map.of());
        // refusing at lookup (chunk larger than a Java array) or at read are both fine
        assertFails(() -> readArray(z.root(), "obs/_index", 4), z.root(), "obs/_index");
        assertFails(() -> readArray(z.root(), "X/data", 4), z.root(), "X/data");
    }

    private static void readArray(Path store, String path, int n) throws Exception {
        try (Container c = Containers.open(store, ContainerOptions.defaults())) {
            ((ArrayNode) c.node(path)).read(new long[] {0}, new int[] {n});
        }
    }

    @Test
    void hugeDenseXDoesNotAllocateItsDeclaredSize() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        Files.walk(z.root().resolve("X")).sorted(java.util.Comparator.reverseOrder())
                .forEach(p -> p.toFile().delete());
        z.arrayMeta("X", "<f4", new long[] {1L << 40, 3}, new long[] {1L << 40, 3}, null, List.of(),
                Map.of("encoding-type", "array", "encoding-version", "0.2.0"));
        // X's rows disagree with obs: reported at open, before anything is read
        assertFails(() -> AnnDataStore.open(z.root()).close(), z.root(), "X");
    }

    @Test
    void notAStoreAtAll() throws Exception {
        Path f = tmp.resolve("random.h5ad");
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertFails(() -> AnnDataStore.open(f).close(), f, null);
    }

    @Test
    void missingXIsLegalAtTheFormatLevel() throws Exception {
        TinyZarr z = TinyZarr.anndata(tmp.resolve("s.zarr"), 4);
        Files.walk(z.root().resolve("X")).sorted(java.util.Comparator.reverseOrder())
                .forEach(p -> p.toFile().delete());
        try (AnnDataStore s = AnnDataStore.open(z.root())) {
            assertThat(s.x()).isNull();
            assertThat(s.nObs()).isEqualTo(4);
            assertThat(s.nVars()).isEqualTo(3);
        }
    }

    /** Opens a store and decodes every column, index and matrix row it has. */
    static void readEverything(Path path) throws Exception {
        try (AnnDataStore s = AnnDataStore.open(path)) {
            s.obs().index();
            s.var().index();
            for (String c : s.obs().columnOrder()) {
                s.obs().column(c);
            }
            List<String> keys = new java.util.ArrayList<>(List.of("X", "raw.X"));
            s.layerKeys().forEach(k -> keys.add("layers/" + k));
            s.obsmKeys().forEach(k -> keys.add("obsm/" + k));
            for (String k : keys) {
                MatrixElement m = s.matrix(k);
                if (m != null && (m.layout() == MatrixLayout.DENSE || m.layout() == MatrixLayout.CSR)) {
                    m.readRows(0, m.rows());
                }
            }
        }
    }

    private static void assertFails(ThrowingCallable call, Path store, String element) {
        var thrown = assertThatThrownBy(call).isInstanceOf(AnnDataFormatException.class)
                .hasMessageContaining(store.toString());
        if (element != null) {
            thrown.satisfies(e -> assertThat(((AnnDataFormatException) e).element())
                    .as("element named in: %s", e.getMessage()).startsWith(element));
        }
    }
}
