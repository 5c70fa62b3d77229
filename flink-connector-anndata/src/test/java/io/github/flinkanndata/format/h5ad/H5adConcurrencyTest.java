package io.github.flinkanndata.format.h5ad;

import static io.github.flinkanndata.format.h5ad.H5Fixtures.array;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.ContainerOptions;
import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Eight threads reading random slabs of one container see what one thread sees. */
class H5adConcurrencyTest {
    private static final String[] ARRAYS = {
        "X/data",
        "X/indices",
        "layers/dense_X",
        "layers/dense_counts",
        "obs/_index",
        "var/highly_variable",
        "uns/String2D",
        "varm/PCs",
    };

    @Test
    void randomSlabsFromEightThreadsMatchSingleThreadedReads() throws Exception {
        int threads = 8;
        int perThread = 300;
        // a tiny cache forces evictions and re-decoding while other threads read the same chunks
        ContainerOptions options = ContainerOptions.defaults().withChunkCacheBytes(16 << 10);
        try (H5adContainer reference =
                        H5adContainer.open(
                                TestData.realStore("anndataR/example.h5ad"),
                                ContainerOptions.defaults().withChunkCacheBytes(0));
                H5adContainer shared =
                        H5adContainer.open(TestData.realStore("anndataR/example.h5ad"), options)) {
            List<List<Slab>> plans = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                plans.add(plan(reference, new Random(31L * t + 7), perThread));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (List<Slab> plan : plans) {
                    Callable<Integer> task =
                            () -> {
                                start.await();
                                int mismatches = 0;
                                for (Slab s : plan) {
                                    Object v = array(shared, s.path).read(s.offset, s.count);
                                    if (!Objects.deepEquals(v, s.expected)) {
                                        mismatches++;
                                    }
                                }
                                return mismatches;
                            };
                    results.add(pool.submit(task));
                }
                start.countDown();
                for (Future<Integer> f : results) {
                    assertThat(f.get(120, TimeUnit.SECONDS)).isZero();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(shared.cache().hits()).isPositive();
        }
    }

    private static List<Slab> plan(H5adContainer c, Random rnd, int n) throws Exception {
        List<Slab> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String path = ARRAYS[rnd.nextInt(ARRAYS.length)];
            ArrayNode a = array(c, path);
            long[] shape = a.shape();
            long[] offset = new long[shape.length];
            int[] count = new int[shape.length];
            for (int d = 0; d < shape.length; d++) {
                offset[d] = rnd.nextInt((int) shape[d]);
                count[d] = 1 + rnd.nextInt((int) Math.min(shape[d] - offset[d], d == 0 ? 400 : 60));
            }
            out.add(new Slab(path, offset, count, a.read(offset, count)));
        }
        return out;
    }

    private static final class Slab {
        final String path;
        final long[] offset;
        final int[] count;
        final Object expected;

        Slab(String path, long[] offset, int[] count, Object expected) {
            this.path = path;
            this.offset = offset;
            this.count = count;
            this.expected = expected;
        }
    }
}
