package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints (does not assert) what building a 100-store collection and a warm {@code get(i)} cost.
 * Speed claims belong to the benchmarks; this only shows the order of magnitude on every build.
 */
class CollectionTimingTest {

    @Test
    void hundredStores(@TempDir Path dir) throws Exception {
        // 50 dense int64 h5ad stores with obs columns, 50 CSR float64 ones: a real outer union
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Path p = dir.resolve("s" + i + ".h5ad");
            Files.copy(Fixtures.store(i % 2 == 0 ? Fixtures.N : Fixtures.B), p, StandardCopyOption.REPLACE_EXISTING);
            paths.add(p.toString());
        }
        CollectionOptions options = CollectionOptions.builder(paths).join(Join.OUTER).obsKeys("cat", "num").build();
        try (AnnDataCollection warm = AnnDataCollection.open(options)) {
            warm.get(0);
        }
        long t0 = System.nanoTime();
        int builds = 5;
        for (int i = 0; i < builds; i++) {
            AnnDataCollection.open(options).close();
        }
        double buildMs = (System.nanoTime() - t0) / 1e6 / builds;
        try (AnnDataCollection c = AnnDataCollection.open(options)) {
            assertThat(c.size()).isEqualTo(250);
            Random random = new Random(42);
            for (int i = 0; i < 2000; i++) {
                c.get(random.nextInt((int) c.size()));
            }
            int n = 20000;
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                c.get(random.nextInt((int) c.size()));
            }
            double getUs = (System.nanoTime() - t1) / 1e3 / n;
            long t2 = System.nanoTime();
            int ranges = 200;
            for (int i = 0; i < ranges; i++) {
                c.getRange(0, c.size());
            }
            double rangeUs = (System.nanoTime() - t2) / 1e3 / ranges / c.size();
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
                out.writeObject(c.plan());
            }
            System.out.printf("[timing] 100-store collection (outer join, 2 obs keys): open+plan %.1f ms;"
                    + " warm get(i) %.1f us; getRange per sample %.2f us; serialised plan %d bytes%n",
                    buildMs, getUs, rangeUs, bytes.size());
        }
    }
}
