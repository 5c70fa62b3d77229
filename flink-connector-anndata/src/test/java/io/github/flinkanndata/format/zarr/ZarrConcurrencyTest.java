package io.github.flinkanndata.format.zarr;

import static io.github.flinkanndata.format.zarr.ZarrTestStores.array;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ContainerOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Many threads reading random slabs of one container, with a cache small enough to churn. */
class ZarrConcurrencyTest {

    @ParameterizedTest
    @ValueSource(longs = {0, 256, 1 << 20})
    @Timeout(60)
    void concurrentRandomSlabs(long cacheBytes) throws Exception {
        int[] shardedWant = ZarrV3FeaturesTest.shardedEnd();
        int[] bloscWant = ZarrV2CodecsTest.BASE_I4;
        try (ZarrContainer v3 =
                        ZarrContainer.open(
                                ZarrTestStores.resource("v3_sharded.zarr.zip"),
                                ContainerOptions.defaults().withChunkCacheBytes(cacheBytes));
                ZarrContainer v2 =
                        ZarrContainer.open(
                                ZarrTestStores.resource("v2_codecs.zarr"),
                                ContainerOptions.defaults().withChunkCacheBytes(cacheBytes))) {
            ArrayNode sharded = array(v3, "sharded_end");
            ArrayNode blosc = array(v2, "blosc_zstd_2");
            ArrayNode strings = array(v2, "vlen");
            int threads = 8;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long seed = t;
                    Callable<Integer> task =
                            () -> {
                                start.await();
                                Random random = new Random(seed);
                                for (int iteration = 0; iteration < 300; iteration++) {
                                    checkSlab(sharded, shardedWant, 10, 9, random);
                                    checkSlab(blosc, bloscWant, 7, 5, random);
                                    int from = random.nextInt(7);
                                    String[] got =
                                            (String[])
                                                    strings.read(
                                                            new long[] {from},
                                                            new int[] {7 - from});
                                    assertThat(got[0]).isEqualTo(ZarrV2CodecsTest.VLEN[from]);
                                }
                                return 300;
                            };
                    results.add(pool.submit(task));
                }
                start.countDown();
                for (Future<Integer> f : results) {
                    assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(300);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void checkSlab(ArrayNode a, int[] want, int rows, int cols, Random random)
            throws Exception {
        int r0 = random.nextInt(rows);
        int c0 = random.nextInt(cols);
        int nr = 1 + random.nextInt(rows - r0);
        int nc = 1 + random.nextInt(cols - c0);
        int[] got = (int[]) a.read(new long[] {r0, c0}, new int[] {nr, nc});
        for (int i = 0; i < nr; i++) {
            for (int j = 0; j < nc; j++) {
                assertThat(got[i * nc + j]).isEqualTo(want[(r0 + i) * cols + c0 + j]);
            }
        }
    }

    @Test
    void cacheServesRepeatedReads() throws Exception {
        try (ZarrContainer c = ZarrTestStores.open(ZarrTestStores.resource("v2_codecs.zarr"))) {
            ArrayNode a = array(c, "zstd");
            a.read(new long[] {0}, new int[] {3});
            long misses = c.cache().misses();
            a.read(new long[] {1}, new int[] {2});
            assertThat(c.cache().misses()).isEqualTo(misses);
            assertThat(c.cache().hits()).isPositive();
            assertThat(c.cache().usedBytes()).isPositive();
        }
    }
}
