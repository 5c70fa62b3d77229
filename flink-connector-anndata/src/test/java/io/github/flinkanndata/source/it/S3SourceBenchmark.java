package io.github.flinkanndata.source.it;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.testutil.BenchZarr;
import io.github.flinkanndata.testutil.S3Loopback;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test (the build runs *Test and *ITCase only): one epoch of the source at parallelism 2 on a
 * MiniCluster, sequential and block-shuffled, over a store read locally and over loopback S3 in
 * range mode; prints cells/s. Run: {@code mvn -o verify -Dtest=S3SourceBenchmark -pl
 * flink-connector-anndata} (-Dbench.rows, -Dbench.chunkRows, -Dbench.block, -Dbench.shardChunks to vary the store;
 * -Dbench.viaOpenFile=true opens each range by S3A's openFile, as before; -Dbench.rounds=N rounds per mode, -Dbench.modes=BLOCK_SHUFFLED to measure one mode; -Dbench.log=FILE keeps the server's request log;
 * -Danndata.s3.server.kind=gofakes3 runs it against the Go server instead of moto, see docs/remote.md;
 * -Dbench.jfr=DIR records each epoch with Java Flight Recorder's profiling settings into DIR, one file per
 * epoch, to tell where the S3 epochs spend CPU that the local ones do not; -Dbench.marks=true prints each
 * epoch's start and end in System.nanoTime, CLOCK_MONOTONIC on Linux, to split a {@code perf record -k
 * CLOCK_MONOTONIC} profile of the JVM by epoch).
 *
 * <p>{@code -Dbench.stores=DIR} measures given stores instead (every {@code .zarr}, {@code .h5ad} and
 * {@code .zip} directly in DIR, read as one collection; {@code benchmarks/run.sh --remote-only} passes its
 * generated collection), {@code -Dbench.window} sets the blocks per window, and {@code -Dbench.out=FILE}
 * appends one JSON line per round (cells/s local and over S3, load) for the report.
 */
class S3SourceBenchmark {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int GENERATED_ROWS = Integer.getInteger("bench.rows", 40_000);
    private static final int WINDOW = Integer.getInteger("bench.window", 16);
    /** Given stores (a folder of them, or a comma-separated list), instead of the generated one. */
    private static final String STORES = System.getProperty("bench.stores");
    private static final int CHUNK_ROWS = Integer.getInteger("bench.chunkRows", 64);
    private static final int BLOCK = Integer.getInteger("bench.block", 256);
    /** Inner chunks per shard: above 0 the store is zarr v3 with X sharded (else v2, a file per chunk). */
    private static final int SHARD_CHUNKS = Integer.getInteger("bench.shardChunks", 0);

    /** Rounds (a local epoch, then an S3 epoch) per sampling mode: later rounds run on a warmer JIT. */
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
    /** The sampling modes measured, comma-separated (default both: SEQUENTIAL,BLOCK_SHUFFLED). */
    private static final List<SamplingMode> MODES = java.util.Arrays.stream(System.getProperty("bench.modes",
            "SEQUENTIAL,BLOCK_SHUFFLED").split(",")).map(String::trim).map(SamplingMode::valueOf).toList();

    /** Open each range by S3A's openFile, through its pool (as before ranges were opened directly). */
    private static final boolean VIA_OPEN_FILE = Boolean.getBoolean("bench.viaOpenFile");

    @TempDir Path work;

    /** Cells in the measured collection. */
    private long rows;

    @Test
    void sourceOverS3AgainstLocal() throws Exception {
        List<Path> stores;
        String described;
        if (STORES != null) {
            stores = givenStores(STORES);
            try (io.github.flinkanndata.collection.AnnDataCollection c = io.github.flinkanndata.collection.AnnDataCollection
                    .open(io.github.flinkanndata.collection.CollectionOptions.builder(stores.toArray(new Path[0])).build())) {
                rows = c.size();
            }
            described = String.format("%d given stores, %,d cells, blocks of %d, %d blocks per window", stores.size(),
                    rows, BLOCK, WINDOW);
        } else {
            Path store = work.resolve("bench.zarr");
            long chunkBytes = SHARD_CHUNKS > 0 ? BenchZarr.writeSharded(store, GENERATED_ROWS, 512, CHUNK_ROWS, SHARD_CHUNKS)
                    : BenchZarr.write(store, GENERATED_ROWS, 512, CHUNK_ROWS);
            stores = List.of(store);
            rows = GENERATED_ROWS;
            described = String.format("%d x 512 float32, gzip chunks of %d rows (%d compressed bytes), %s, blocks of %d",
                    GENERATED_ROWS, CHUNK_ROWS, chunkBytes, SHARD_CHUNKS > 0 ? "v3, " + SHARD_CHUNKS
                            + " chunks per shard" : "v2", BLOCK);
        }
        io.github.flinkanndata.source.cache.S3OpenMode.viaOpenFile(VIA_OPEN_FILE);
        try (S3Loopback s3 = S3Loopback.start(work)) {
            s3.createBucket("bench");
            List<String> local = stores.stream().map(Path::toString).toList();
            List<String> remote = new java.util.ArrayList<>();
            for (Path store : stores) {
                remote.add(s3.upload(store, "bench", store.getFileName().toString()));
            }
            System.out.printf("store: %s; server %s%n", described, s3.kind() + (VIA_OPEN_FILE
                    ? ", ranges opened by openFile" : ""));
            for (SamplingMode mode : MODES) {
                for (int round = 0; round < ROUNDS; round++) {
                    jdk.jfr.Recording rec = record();
                    long cpu0 = cpuNanos();
                    double localRate = epoch(local, mode);
                    long cpuLocal = cpuNanos() - cpu0;
                    dump(rec, "local-" + mode + "-" + round);
                    java.util.Map<String, Integer> before = s3.requestCounts();
                    long server0 = s3.serverCpuNanos();
                    // a cold range cache: the epoch fetches what it reads (the cache outlives jobs)
                    io.github.flinkanndata.source.cache.RangeStoreResolver.clearProcessCache(256L << 20);
                    rec = record();
                    cpu0 = cpuNanos();
                    double fromS3 = epoch(remote, mode);
                    long cpuS3 = cpuNanos() - cpu0;
                    long server = s3.serverCpuNanos() - server0;
                    dump(rec, "s3-" + mode + "-" + round);
                    java.util.Map<String, Integer> requests = S3Loopback.difference(s3.requestCounts(), before);
                    System.out.printf("%-15s round %d: local %,.0f cells/s, S3 %,.0f cells/s (%.0f %%); cells per CPU-second"
                            + " local %,.0f, S3 %,.0f (this JVM) and %,.0f (JVM + server); JVM CPU per request"
                            + " %.2f ms, beyond the local epoch's %.2f ms; server requests %s; load %s%n",
                            mode, round, localRate, fromS3, 100 * fromS3 / localRate, rows / (cpuLocal / 1e9),
                            rows / (cpuS3 / 1e9), rows / ((cpuS3 + server) / 1e9),
                            cpuS3 / 1e6 / Math.max(1, total(requests)), (cpuS3 - cpuLocal) / 1e6
                                    / Math.max(1, total(requests)),
                            requests, String.format("%.2f",
                                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                                            .getSystemLoadAverage()));
                    report(mode, round, localRate, fromS3, requests, s3.kind().toString());
                }
            }
            if (System.getProperty("bench.log") != null) { // the server's request log, to see which requests remain
                java.nio.file.Files.copy(s3.log(), java.nio.file.Path.of(System.getProperty("bench.log")),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            io.github.flinkanndata.source.cache.S3OpenMode.viaOpenFile(false);
            S3Loopback.resetFlink();
        }
    }

    /** One JSON line per round into -Dbench.out, if set. */
    private void report(SamplingMode mode, int round, double localRate, double fromS3,
            java.util.Map<String, Integer> requests, String server) throws java.io.IOException {
        String out = System.getProperty("bench.out");
        if (out == null) {
            return;
        }
        String line = String.format(java.util.Locale.ROOT, "{\"case\": \"remote-%s\", \"round\": %d, \"cells\": %d,"
                + " \"local_cells_per_s\": %.1f, \"s3_cells_per_s\": %.1f, \"requests\": %d, \"server\": \"%s\","
                + " \"load_avg_1m\": %.2f}%n", mode, round, rows, localRate, fromS3, total(requests), server,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        java.nio.file.Files.writeString(Path.of(out), line, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** The stores named by -Dbench.stores: a folder's stores (sorted), or a comma-separated list. */
    private static List<Path> givenStores(String spec) throws java.io.IOException {
        Path dir = Path.of(spec);
        if (!spec.contains(",") && java.nio.file.Files.isDirectory(dir) && !isStore(dir)) {
            try (java.util.stream.Stream<Path> children = java.nio.file.Files.list(dir)) {
                List<Path> stores = children.filter(S3SourceBenchmark::isStore).sorted().toList();
                if (stores.isEmpty()) {
                    throw new IllegalArgumentException("no .zarr, .h5ad or .zip store in " + dir);
                }
                return stores;
            }
        }
        return java.util.Arrays.stream(spec.split(",")).map(String::trim).map(Path::of).toList();
    }

    private static boolean isStore(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".zarr") || name.endsWith(".h5ad") || name.endsWith(".zip");
    }

    private static int total(java.util.Map<String, Integer> requests) {
        return requests.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** A flight recording with the JDK's profiling settings if -Dbench.jfr is set, else null. */
    private static jdk.jfr.Recording record() throws Exception {
        if (System.getProperty("bench.jfr") == null) {
            return null;
        }
        jdk.jfr.Recording r = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        r.start();
        return r;
    }

    private static void dump(jdk.jfr.Recording r, String name) throws Exception {
        if (r == null) {
            return;
        }
        r.stop();
        Path dir = Path.of(System.getProperty("bench.jfr"));
        java.nio.file.Files.createDirectories(dir);
        r.dump(dir.resolve(name + ".jfr"));
        r.close();
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private double epoch(List<String> paths, SamplingMode mode) throws Exception {
        AnnDataSource<CellRecord> source = AnnDataSource.builder(paths).sampling(mode).blockSize(BLOCK)
                .windowBlocks(WINDOW).rowsPerSplit(WINDOW * BLOCK).epochs(1).seed(1).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "bench").sinkTo(new DiscardingSink<>());
        long t0 = System.nanoTime();
        env.execute("bench");
        long t1 = System.nanoTime();
        if (Boolean.getBoolean("bench.marks")) {
            System.out.printf("epoch %s %s %d %d%n", paths.get(0).startsWith("s3:") ? "s3" : "local", mode, t0, t1);
        }
        return rows / ((t1 - t0) / 1e9);
    }
}
