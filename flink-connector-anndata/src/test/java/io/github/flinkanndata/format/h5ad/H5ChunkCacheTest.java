package io.github.flinkanndata.format.h5ad;

import static io.github.flinkanndata.format.h5ad.H5Fixtures.array;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.testutil.TestData;
import org.junit.jupiter.api.Test;

/** Consecutive row ranges decode each chunk once; a disabled cache decodes every time. */
class H5ChunkCacheTest {

    @Test
    void consecutiveRangesDecodeEachChunkOnce() throws Exception {
        try (H5adContainer c = H5Fixtures.openReal("anndataR/example.h5ad")) {
            ArrayNode data = array(c, "X/data"); // 4317 elements in chunks of 2159: 2 chunks
            for (int row = 0; row < 4317; row += 100) {
                data.read(new long[] {row}, new int[] {Math.min(100, 4317 - row)});
            }
            // 44 reads, one of them ([2100, 2200)) spanning both chunks: 45 chunk lookups
            assertThat(c.cache().misses()).isEqualTo(2);
            assertThat(c.cache().hits()).isEqualTo(43);
        }
    }

    @Test
    void contiguousDataIsCachedInBoundedSlices() throws Exception {
        try (H5adContainer c = H5Fixtures.openResource("types.h5")) {
            ArrayNode grid = array(c, "contiguous2d");
            grid.read(new long[] {0, 0}, new int[] {2, 4});
            grid.read(new long[] {2, 0}, new int[] {4, 4});
            assertThat(c.cache().misses()).isEqualTo(1);
            assertThat(c.cache().hits()).isEqualTo(1);
        }
    }

    @Test
    void zeroCapacityDisablesCaching() throws Exception {
        ContainerOptions none = ContainerOptions.defaults().withChunkCacheBytes(0);
        try (H5adContainer c = H5adContainer.open(TestData.realStore("anndataR/example.h5ad"), none)) {
            ArrayNode data = array(c, "X/data");
            float[] first = (float[]) data.read(new long[] {0}, new int[] {50});
            float[] again = (float[]) data.read(new long[] {0}, new int[] {50});
            assertThat(again).isEqualTo(first);
            assertThat(c.cache().usedBytes()).isZero();
            assertThat(c.cache().hits()).isZero();
        }
    }
}
