package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.remote.RemoteReadSettings;
import io.github.flinkanndata.source.cache.RemoteMode;
import io.github.flinkanndata.testutil.S3Loopback;
import io.github.flinkanndata.testutil.BenchZarr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test (its name matches neither *Test nor *ITCase, so the build does not run it): the
 * remote path against the same store read locally, on the loopback S3 endpoint. Prints cells/s of
 * a sequential and a block-shuffled epoch (blocks of 256 rows over chunks of 64 rows, each block
 * read with one range read, as the source reads them; with the default validate interval 0 and
 * with 60 s) and the bytes fetched per epoch against the compressed bytes of the
 * chunks decoded. Run: {@code mvn -o verify -Dtest=S3RangeBenchmark -pl flink-connector-anndata}.
 */
class S3RangeBenchmark {
    private static final int ROWS = Integer.getInteger("bench.rows", 40_000);
    private static final int GENES = 512;
    private static final int CHUNK_ROWS = Integer.getInteger("bench.chunkRows", 64);
    private static final int BLOCK = Integer.getInteger("bench.block", 256);

    @TempDir Path work;

    @Test
    void remoteAgainstLocal() throws Exception {
        Path store = work.resolve("bench.zarr");
        long chunkBytes = BenchZarr.write(store, ROWS, GENES, CHUNK_ROWS);
        try (S3Loopback s3 = S3Loopback.start(work)) {
            s3.createBucket("bench");
            String remote = s3.upload(store, "bench", "bench.zarr");
            System.out.printf("store: %d x %d float32, gzip chunks of %d rows: %d compressed chunk bytes (%.1f MB"
                    + " raw); blocks of %d rows%n", ROWS, GENES, CHUNK_ROWS, chunkBytes, ROWS * GENES * 4 / 1e6, BLOCK);
            for (String order : List.of("sequential", "block-shuffled")) {
                for (long validateMillis : new long[] {0, 60_000}) {
                    long localCpu0 = cpuNanos();
                    double local = epoch(store.toString(), StoreResolver.LOCAL, order, null);
                    System.out.printf("%-15s local: %.0f cells per CPU-second%n", order,
                            ROWS / ((cpuNanos() - localCpu0) / 1e9));
                    RecordingMetricGroup m = new RecordingMetricGroup();
                    java.util.Map<String, Integer> before = s3.requestCounts();
                    long server0 = s3.serverCpuNanos();
                    long cpu0 = cpuNanos();
                    double fromS3 = epoch(remote, resolver(m, validateMillis), order, m);
                    long cpu = cpuNanos() - cpu0;
                    long serverCpu = s3.serverCpuNanos() - server0;
                    long fetched = m.count("remoteReads.bytesFetched");
                    System.out.printf("%-15s validate-interval %5d ms: server requests %s; %.0f cells per CPU-second"
                            + " of this JVM, %.0f of JVM + server; load %s%n", order, validateMillis,
                            S3Loopback.difference(s3.requestCounts(), before), ROWS / (cpu / 1e9),
                            ROWS / ((cpu + serverCpu) / 1e9), load());
                    System.out.printf("%-15s validate-interval %5d ms: local %,.0f cells/s, S3 %,.0f cells/s (%.0f %%);"
                            + " fetched %d bytes in %d requests + %d metadata requests = %.3f x the compressed chunk"
                            + " bytes; mean fetch %.1f ms%n", order, validateMillis, local, fromS3, 100 * fromS3 / local,
                            fetched,
                            m.count("remoteReads.requests"), m.count("remoteReads.metadataRequests"),
                            fetched / (double) chunkBytes, (Double) m.gaugeValue("remoteReads.fetchLatencyMillis"));
                }
            }
        } finally {
            S3Loopback.resetFlink();
        }
    }

    /** CPU time of this JVM so far. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The 1-minute load average. */
    static String load() {
        return String.format("%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
    }

    /**
     * pbmc68k_reduced (765 cells, dense gzip X) read in place: two block-shuffled epochs (blocks of
     * 16 rows), the requests the server answered and our request counters.
     */
    @Test
    void h5adInPlace() throws Exception {
        Path h5ad = io.github.flinkanndata.testutil.TestData.realStore("anndata-archives/v0.5.0/adata.h5ad");
        try (S3Loopback s3 = S3Loopback.start(work)) {
            s3.createBucket("bench");
            String remote = s3.upload(h5ad, "bench", "pbmc.h5ad");
            RecordingMetricGroup m = new RecordingMetricGroup();
            java.util.Map<String, Integer> before = s3.requestCounts();
            RangeStoreResolver r = resolver(m, 0);
            long t0 = System.nanoTime();
            long cells = 0;
            try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(remote).build(), r)) {
                for (int epoch = 0; epoch < 2; epoch++) {
                    List<Integer> blocks = new ArrayList<>();
                    for (int b = 0; b * 16 < c.size(); b++) {
                        blocks.add(b);
                    }
                    Collections.shuffle(blocks, new Random(epoch));
                    for (int b : blocks) {
                        cells += c.getRange(b * 16L, Math.min(c.size(), b * 16L + 16)).size();
                    }
                }
            }
            System.out.printf("pbmc68k_reduced in place, 2 block-shuffled epochs: %d cells in %.2f s; server requests"
                    + " %s; our range requests %d, metadata requests %d, bytes fetched %d (file %d); load %s%n", cells,
                    (System.nanoTime() - t0) / 1e9, S3Loopback.difference(s3.requestCounts(), before),
                    m.count("remoteReads.requests"), m.count("remoteReads.metadataRequests"),
                    m.count("remoteReads.bytesFetched"), java.nio.file.Files.size(h5ad), load());
            String keep = System.getProperty("bench.keepLog");
            if (keep != null) {
                java.nio.file.Files.copy(s3.log(), Path.of(keep),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            S3Loopback.resetFlink();
        }
    }

    /** A fresh resolver with a fresh cache: every epoch fetches what it reads. */
    private static RangeStoreResolver resolver(RecordingMetricGroup m, long validateMillis) {
        RemoteReads.cache(256L << 20).clear();
        return new RangeStoreResolver(new CacheSettings(null, 1L << 30, 0, RemoteMode.RANGE, 256L << 20, 8,
                RemoteReadSettings.DEFAULTS.withValidateIntervalMillis(validateMillis)), null, m);
    }

    private static double epoch(String path, StoreResolver resolver, String order, RecordingMetricGroup m)
            throws Exception {
        List<Integer> blocks = new ArrayList<>();
        for (int b = 0; b < ROWS / BLOCK; b++) {
            blocks.add(b);
        }
        if (order.equals("block-shuffled")) {
            Collections.shuffle(blocks, new Random(7));
        }
        long t0 = System.nanoTime();
        long cells = 0;
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(path).build(), resolver)) {
            for (int b : blocks) {
                cells += c.getRange((long) b * BLOCK, (long) (b + 1) * BLOCK).size();
            }
        }
        return cells / ((System.nanoTime() - t0) / 1e9);
    }
}
