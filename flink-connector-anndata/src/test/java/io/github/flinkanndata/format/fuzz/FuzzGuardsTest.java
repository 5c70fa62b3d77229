package io.github.flinkanndata.format.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.Column;
import io.github.flinkanndata.format.tree.ArrayNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The specific guards of the fuzzing contract, each on a hand-made input: allocation bombs in
 * declared shapes, string widths and vlen counts; zip entries that name paths outside the store;
 * cyclic HDF5 links and references (files made by {@code fuzz/cyclic/make_cyclic_h5ad.py}). Every
 * input is judged by the fuzzer's {@link Oracle}, and the tests add what each must specifically do.
 * Decompression bombs are tested per codec in {@code H5DecompressionBombTest} and {@code
 * ZarrDecompressionBombTest}.
 */
class FuzzGuardsTest {
    private static final Path CYCLIC = Paths.get("src", "test", "resources", "fuzz", "cyclic");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private static Verdict judge(Path store) throws InterruptedException {
        long size = storeBytes(store);
        try (Oracle oracle = new Oracle(ReaderFuzzTest.CPU_BOUND_MILLIS, ReaderFuzzTest.WALL_BOUND_MILLIS)) {
            return oracle.judge(() -> StoreWalker.readEverything(store),
                    FuzzCampaign.ALLOCATION_BASE + FuzzCampaign.ALLOCATION_FACTOR * size);
        }
    }

    private static long storeBytes(Path store) {
        try (Stream<Path> s = Files.walk(store)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path gzipStore() throws IOException {
        Path store = tmp.resolve("gzip.zarr");
        SeedCorpus.copyTree(SeedCorpus.committedFixtures().resolve("zarr2/gzip.zarr"), store);
        return store;
    }

    /** Edits a node's {@code .zarray} and its copy in the consolidated metadata. */
    private static void editArray(Path store, String node, Consumer<ObjectNode> edit) throws IOException {
        String file = node + "/.zarray";
        ObjectNode meta = (ObjectNode) JSON.readTree(store.resolve(file).toFile());
        edit.accept(meta);
        byte[] bytes = meta.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> files = new HashMap<>();
        files.put(file, bytes);
        ConsolidatedMetadata.mirror(store, file, bytes, files);
        assertThat(files).as("the fixture is consolidated").containsKey(".zmetadata");
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Files.write(store.resolve(e.getKey()), e.getValue());
        }
    }

    private static void assertRejected(Verdict v, String element) {
        assertThat(v.kind).as("%s", v).isEqualTo(Verdict.Kind.REJECTED);
        assertThat(((AnnDataFormatException) v.failure).element()).as(v.detail).startsWith(element);
    }

    // ---- allocation bombs

    @ParameterizedTest
    @ValueSource(longs = {1L << 31, 1L << 40, Long.MAX_VALUE})
    void hugeDeclaredLengthsAreRefusedBeforeAllocating(long length) throws Exception {
        Path store = gzipStore();
        editArray(store, "obs/f64", m -> m.putArray("shape").add(length));
        assertRejected(judge(store), "obs/f64");
        Path other = tmp.resolve("other");
        SeedCorpus.copyTree(store, other);
        editArray(store, "obs/f64", m -> m.putArray("shape").add(20));
        editArray(store, "X/data", m -> m.putArray("shape").add(length));
        editArray(store, "X/indices", m -> m.putArray("shape").add(length));
        Verdict v = judge(store);
        assertThat(v.isFinding()).as("%s", v).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"<U2147483647", "<U536870912", "|S2147483647", "|S1000000000"})
    void hugeFixedStringWidthsAreRefused(String dtype) throws Exception {
        Path store = gzipStore();
        editArray(store, "obs/name_str", m -> {
            m.put("dtype", dtype);
            m.remove("filters");
            m.putNull("fill_value");
        });
        assertRejected(judge(store), "obs/name_str");
    }

    @Test
    void vlenCountsBeyondTheChunkAreRefused() throws Exception {
        Path store = gzipStore();
        for (int count : new int[] {Integer.MAX_VALUE, -1, 1 << 28}) {
            ByteBuffer b = ByteBuffer.allocate(4 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(count).putInt(Integer.MAX_VALUE - 1).put("abcdefgh".getBytes(StandardCharsets.US_ASCII));
            Files.write(store.resolve("obs/name_str/0"), gzip(b.array()));
            assertRejected(judge(store), "obs/name_str");
        }
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    // ---- zip entries naming paths outside the store

    @ParameterizedTest
    @ValueSource(strings = {"../outside/.zarray", "/abs/.zgroup", "X/../../outside/0", "C:/x/.zattrs", "a\\..\\..\\b"})
    void zipEntriesThatEscapeAreRefusedAndTouchNothingOutside(String evil) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve(".zarray"), "{\"planted\": true}");
        Path zip = dir.resolve("evil.zarr.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            Path store = SeedCorpus.committedFixtures().resolve("zarr2/gzip.zarr");
            try (Stream<Path> s = Files.walk(store)) {
                for (Path f : s.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                    out.putNextEntry(new ZipEntry(store.relativize(f).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(f));
                }
            }
            out.putNextEntry(new ZipEntry(evil));
            out.write("{\"zarr_format\": 2, \"escaped\": true}".getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Long> before = snapshot(tmp);
        Verdict v = judge(zip);
        assertThat(v.kind).as("%s", v).isEqualTo(Verdict.Kind.REJECTED);
        assertThat(v.detail).contains(evil.replace('\\', '/')); // backslashes read as separators
        assertThat(snapshot(tmp)).as("files under the test directory").isEqualTo(before);
    }

    @Test
    void consolidatedKeysThatEscapeNeverNameANode() throws Exception {
        Path store = gzipStore();
        Path outside = Files.createDirectories(tmp.resolve("planted"));
        SeedCorpus.copyTree(store.resolve("layers/ints"), outside);
        ObjectNode root = (ObjectNode) JSON.readTree(store.resolve(".zmetadata").toFile());
        ObjectNode entries = (ObjectNode) root.get("metadata");
        entries.set("layers/../../planted/.zarray", entries.get("layers/ints/.zarray"));
        entries.set("layers/../../planted/.zattrs", entries.get("layers/ints/.zattrs"));
        Files.writeString(store.resolve(".zmetadata"), root.toString());
        Map<String, Long> before = snapshot(tmp);
        Verdict v = judge(store);
        assertThat(v.isFinding()).as("%s", v).isFalse();
        if (v.kind == Verdict.Kind.CLEAN) {
            try (AnnDataStore s = AnnDataStore.open(store)) {
                assertThat(s.layerKeys()).containsExactlyInAnyOrder("ints", "sparse");
                assertThatThrownBy(() -> s.matrix("layers/../../planted"))
                        .isInstanceOf(AnnDataFormatException.class);
            }
        }
        assertThat(snapshot(tmp)).isEqualTo(before);
    }

    /** Every file under {@code dir} with its size and modification time. */
    private static Map<String, Long> snapshot(Path dir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.collect(Collectors.toList())) {
                out.put(dir.relativize(p) + (Files.isDirectory(p) ? "/" : ""),
                        Files.isDirectory(p) ? 0 : Files.size(p) * 31 + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }

    // ---- cyclic HDF5 links and references

    @ParameterizedTest
    @ValueSource(strings = {"soft_self.h5ad", "soft_pair.h5ad", "hard_cycle.h5ad", "ref_cycle.h5ad"})
    void cyclicFilesPassTheOracle(String name) throws Exception {
        Verdict v = judge(CYCLIC.resolve(name));
        assertThat(v.isFinding()).as("%s: %s", name, v).isFalse();
    }

    @Test
    void aSoftLinkToItselfIsAnErrorNamingIt() {
        assertThatThrownBy(() -> AnnDataStore.open(CYCLIC.resolve("soft_self.h5ad")).close())
                .isInstanceOf(AnnDataFormatException.class)
                .satisfies(e -> assertThat(((AnnDataFormatException) e).element()).isEqualTo("X"));
    }

    @Test
    void softLinksToEachOtherAreErrorsNamingThem() throws Exception {
        try (AnnDataStore s = AnnDataStore.open(CYCLIC.resolve("soft_pair.h5ad"))) {
            assertThat(s.x().readRows(0, 4).rows()).isEqualTo(4);
            for (String k : List.of("layers/a", "layers/b")) {
                assertThatThrownBy(() -> s.matrix(k)).as(k).isInstanceOf(AnnDataFormatException.class)
                        .satisfies(e -> assertThat(((AnnDataFormatException) e).element()).startsWith("layers/"));
            }
        }
    }

    @Test
    void hardLinkCyclesAreFiniteToWalkAndReferencesResolveAcrossThem() throws Exception {
        try (AnnDataStore s = AnnDataStore.open(CYCLIC.resolve("hard_cycle.h5ad"))) {
            // layers/self is layers: any depth of it names the same dense layer
            assertThat(s.container().node("layers/self/self/self/self/dense")).isInstanceOf(ArrayNode.class);
            assertThatThrownBy(() -> s.matrix("obsm/root")).isInstanceOf(AnnDataFormatException.class);
            // the categories reference is resolved by indexing every object of the cyclic graph
            Column c = s.obs().column("cell_type");
            assertThat(c.labels()).containsExactly("B", "T", "T", "B");
        }
    }
}
