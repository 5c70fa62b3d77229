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
 * flink-connector-anndata} (-Dbench.rows, -Dbench.chunkRows, -Dbench.block, -Dbench.shardChunks to vary the store; -Dbench.log=FILE keeps the server's request log;
 * -Danndata.s3.server.kind=gofakes3 runs it against the Go server instead of moto, see docs/remote.md).
 */
class S3SourceBenchmark {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int ROWS = Integer.getInteger("bench.rows", 40_000);
    private static final int CHUNK_ROWS = Integer.getInteger("bench.chunkRows", 64);
    private static final int BLOCK = Integer.getInteger("bench.block", 256);
    /** Inner chunks per shard: above 0 the store is zarr v3 with X sharded (else v2, a file per chunk). */
    private static final int SHARD_CHUNKS = Integer.getInteger("bench.shardChunks", 0);

    @TempDir Path work;

    @Test
    void sourceOverS3AgainstLocal() throws Exception {
        Path store = work.resolve("bench.zarr");
        long chunkBytes = SHARD_CHUNKS > 0 ? BenchZarr.writeSharded(store, ROWS, 512, CHUNK_ROWS, SHARD_CHUNKS)
                : BenchZarr.write(store, ROWS, 512, CHUNK_ROWS);
        try (S3Loopback s3 = S3Loopback.start(work)) {
            s3.createBucket("bench");
            String remote = s3.upload(store, "bench", "bench.zarr");
            System.out.printf("store: %d x 512 float32, gzip chunks of %d rows (%d compressed bytes), %s, blocks of %d;"
                    + " server %s%n", ROWS, CHUNK_ROWS, chunkBytes, SHARD_CHUNKS > 0 ? "v3, " + SHARD_CHUNKS
                            + " chunks per shard" : "v2", BLOCK, s3.kind());
            for (SamplingMode mode : List.of(SamplingMode.SEQUENTIAL, SamplingMode.BLOCK_SHUFFLED)) {
                for (int round = 0; round < 2; round++) {
                    long cpu0 = cpuNanos();
                    double local = epoch(store.toString(), mode);
                    long cpuLocal = cpuNanos() - cpu0;
                    java.util.Map<String, Integer> before = s3.requestCounts();
                    long server0 = s3.serverCpuNanos();
                    // a cold range cache: the epoch fetches what it reads (the cache outlives jobs)
                    io.github.flinkanndata.source.cache.RangeStoreResolver.clearProcessCache(256L << 20);
                    cpu0 = cpuNanos();
                    double fromS3 = epoch(remote, mode);
                    long cpuS3 = cpuNanos() - cpu0;
                    long server = s3.serverCpuNanos() - server0;
                    System.out.printf("%-15s round %d: local %,.0f cells/s, S3 %,.0f cells/s (%.0f %%); cells per CPU-second"
                            + " local %,.0f, S3 %,.0f (this JVM) and %,.0f (JVM + server); server requests %s; load %s%n",
                            mode, round, local, fromS3, 100 * fromS3 / local, ROWS / (cpuLocal / 1e9),
                            ROWS / (cpuS3 / 1e9), ROWS / ((cpuS3 + server) / 1e9),
                            S3Loopback.difference(s3.requestCounts(), before), String.format("%.2f",
                                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                                            .getSystemLoadAverage()));
                }
            }
            if (System.getProperty("bench.log") != null) { // the server's request log, to see which requests remain
                java.nio.file.Files.copy(s3.log(), java.nio.file.Path.of(System.getProperty("bench.log")),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            S3Loopback.resetFlink();
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double epoch(String path, SamplingMode mode) throws Exception {
        AnnDataSource<CellRecord> source = AnnDataSource.builder(path).sampling(mode).blockSize(BLOCK)
                .windowBlocks(16).rowsPerSplit(16 * BLOCK).epochs(1).seed(1).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "bench").sinkTo(new DiscardingSink<>());
        long t0 = System.nanoTime();
        env.execute("bench");
        return ROWS / ((System.nanoTime() - t0) / 1e9);
    }
}
