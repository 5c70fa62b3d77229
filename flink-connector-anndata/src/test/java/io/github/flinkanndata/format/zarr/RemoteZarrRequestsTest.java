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
}
