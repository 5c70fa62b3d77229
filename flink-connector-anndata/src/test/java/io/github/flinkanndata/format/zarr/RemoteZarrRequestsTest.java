package io.github.flinkanndata.format.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.remote.LocalObjectStorage;
import io.github.flinkanndata.format.remote.ObjectInfo;
import io.github.flinkanndata.format.remote.RangeReader;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.testutil.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Requests a zarr store read in place costs, counted at the {@link LocalObjectStorage} under the
 * {@link RangeReader} (each read there is one range request of a remote file system).
 */
class RemoteZarrRequestsTest {

    private static final Path SHARDED = TestData.fixtures().resolve("zarr3/sharded.zarr");

    private static ZarrContainer openRemote(LocalObjectStorage storage) throws Exception {
        RangeReader reader = RangeReader.simple(storage, 8L << 20);
        ObjectInfo root = reader.stat("");
        return ZarrContainer.open(reader, root, ContainerOptions.defaults());
    }

    /**
     * X of the sharded fixture: 50 x 40 float32, shards of 14 x 20 holding 2 x 2 inner chunks of 7 x
     * 10. Rows 28-41 are the shard row 2: two shards, four inner chunks each, stored one after the
     * other. The read costs one request per shard index and one per shard for its four inner chunks
     * (their gaps are far below the coalescing gap, 64 KiB by default), not one per inner chunk.
     */
    @Test
    void innerChunksOfOneShardAreOneRequest() throws Exception {
        LocalObjectStorage storage = new LocalObjectStorage(SHARDED);
        try (ZarrContainer remote = openRemote(storage);
                ZarrContainer local = ZarrContainer.open(SHARDED, ContainerOptions.defaults())) {
            ArrayNode x = (ArrayNode) remote.node("X");
            int before = storage.reads.get();
            long[] offset = {28, 0};
            int[] count = {14, 40};
            Object got = x.read(offset, count);
            assertThat(storage.reads.get() - before).as("2 shard indexes + 2 shards' inner chunks").isEqualTo(4);
            assertThat((float[]) got).isEqualTo((float[]) ((ArrayNode) local.node("X")).read(offset, count));
        }
    }

    @Test
    void chunkKeysSpreadOverDirectoriesAreListedBelowTheArraysChunkDirectory() {
        assertThat(RemoteZarrStore.chunkDirectory("X/c/3/0")).isEqualTo("X/c");
        assertThat(RemoteZarrStore.chunkDirectory("layers/counts/c/3/0/1")).isEqualTo("layers/counts/c");
        assertThat(RemoteZarrStore.chunkDirectory("c/1/2")).isEqualTo("c");
        assertThat(RemoteZarrStore.chunkDirectory("X/c/3")).as("1-D: one directory anyway").isNull();
        assertThat(RemoteZarrStore.chunkDirectory("X/c/3/zarr.json")).isNull();
        assertThat(RemoteZarrStore.chunkDirectory("X/3/0")).as("v2 with '/'").isNull();
        assertThat(RemoteZarrStore.chunkDirectory("X/zarr.json")).isNull();
    }

    /**
     * A store with consolidated metadata (as the pinned anndata writes it: v2 {@code .zmetadata}, v3
     * {@code consolidated_metadata} in the root {@code zarr.json}) is opened from that one document:
     * the tree read in place equals, node for node and value for value, the tree of the same store
     * without it, and costs fewer requests (no document per node, no listing per group).
     */
    @Test
    void consolidatedMetadataReadsTheSameTreeWithFewerRequests(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        for (String fixture : java.util.List.of("zarr2/rich_default.zarr", "zarr3/unsharded.zarr")) {
            Path consolidated = TestData.fixtures().resolve(fixture);
            Path plain = tmp.resolve(fixture.replace('/', '-'));
            copyTree(consolidated, plain);
            if (fixture.startsWith("zarr2")) {
                assertThat(java.nio.file.Files.deleteIfExists(plain.resolve(".zmetadata"))).isTrue();
            } else {
                com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
                com.fasterxml.jackson.databind.node.ObjectNode root =
                        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(plain.resolve("zarr.json").toFile());
                assertThat(root.remove("consolidated_metadata")).isNotNull();
                json.writeValue(plain.resolve("zarr.json").toFile(), root);
            }
            LocalObjectStorage withIt = new LocalObjectStorage(consolidated);
            LocalObjectStorage without = new LocalObjectStorage(plain);
            java.util.Map<String, Object> a;
            java.util.Map<String, Object> b;
            int requestsWith;
            int requestsWithout;
            try (ZarrContainer c = openRemote(withIt)) {
                tree(c, false);
                requestsWith = withIt.reads.get() + withIt.stats.get(); // opening and the metadata of every node
                a = tree(c, true);
            }
            try (ZarrContainer c = openRemote(without)) {
                tree(c, false);
                requestsWithout = without.reads.get() + without.stats.get();
                b = tree(c, true);
            }
            assertThat(a.keySet()).as(fixture).isEqualTo(b.keySet()).hasSizeGreaterThan(10);
            for (String k : a.keySet()) {
                assertThat(java.util.Objects.deepEquals(a.get(k), b.get(k))).as("%s of %s", k, fixture).isTrue();
            }
            System.out.printf("%s: the metadata of every node in %d requests with consolidated metadata, %d without%n", fixture, requestsWith,
                    requestsWithout);
            assertThat(requestsWith).as(fixture).isLessThan(requestsWithout);
        }
    }

    /** Every node's attributes and (with {@code values}) every array's shape and values, by path. */
    private static java.util.Map<String, Object> tree(ZarrContainer c, boolean values) throws Exception {
        java.util.Map<String, Object> out = new java.util.TreeMap<>();
        java.util.Deque<io.github.flinkanndata.format.tree.Node> todo = new java.util.ArrayDeque<>();
        todo.add(c.root());
        while (!todo.isEmpty()) {
            io.github.flinkanndata.format.tree.Node n = todo.poll();
            out.put(n.path() + "@attrs", n.attributes());
            if (n instanceof io.github.flinkanndata.format.tree.GroupNode g) {
                for (String child : g.children()) {
                    todo.add(c.node(n.path().isEmpty() ? child : n.path() + "/" + child));
                }
            } else if (n instanceof ArrayNode arr && values) {
                out.put(n.path() + "@shape", arr.shape());
                out.put(n.path() + "@values", arr.readAll());
            }
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
    }
}
