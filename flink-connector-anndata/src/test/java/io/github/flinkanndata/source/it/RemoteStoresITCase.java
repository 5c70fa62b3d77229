package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.cache.RemoteMode;
import io.github.flinkanndata.source.cache.SlowFileSystem;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.testutil.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collection of four stores — h5ad, zarr v2 directory, zarr v3 sharded directory, zipped zarr —
 * read at parallelism 2 from the simulated remote scheme {@code slowfs} (slow opens, the first
 * one breaking halfway) in copy mode ({@link RemoteMode#COPY}; range mode: {@code S3RangeReadsITCase}): every sample arrives once and equals the same stores read locally
 * through {@link AnnDataCollection}; the enumerator and both readers share one node cache, so
 * every remote file is downloaded once (plus the broken attempt). The same through SQL with the
 * {@code scan.store-cache.*} options.
 */
@Timeout(120)
class RemoteStoresITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir Path work;

    @AfterEach
    void resetFs() {
        SlowFileSystem.reset();
    }

    @Test
    void streamsRemoteStoresThroughTheCacheSampleForSample() throws Exception {
        Path stores = TestData.reference().resolve("stores");
        List<Path> local = List.of(stores.resolve("mixed_m1.h5ad"), stores.resolve("mixed_m2_v2.zarr"),
                stores.resolve("mixed_m3_v3_sharded.zarr"),
                zip(stores.resolve("mixed_m3_v3_sharded.zarr"), work.resolve("remote").resolve("m3.zarr.zip")));
        List<String> localPaths = new ArrayList<>();
        List<String> remotePaths = new ArrayList<>();
        for (Path p : local) {
            localPaths.add(p.toString());
            remotePaths.add(SlowFileSystem.uri(p));
        }
        Map<Long, Map<String, Object>> expected = new HashMap<>();
        try (AnnDataCollection c = AnnDataCollection.open(
                CollectionOptions.builder(localPaths).obsKeys("cell_type").join("outer").build())) {
            for (long i = 0; i < c.size(); i++) {
                expected.put(i, c.get(i).asMap());
            }
        }

        Path cacheDir = work.resolve("cache");
        SlowFileSystem.configure(2, 1);
        AnnDataSource<CellRecord> source = AnnDataSource.builder(remotePaths).obsKeys("cell_type").join("outer")
                .output(OutputForm.DENSE).rowsPerSplit(7).storeCacheDir(cacheDir.toString())
                .remoteMode(RemoteMode.COPY).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<CellRecord> records = new ArrayList<>();
        try (CloseableIterator<CellRecord> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "remote-cells").executeAndCollect()) {
            it.forEachRemaining(records::add);
        }

        List<Long> keys = new ArrayList<>();
        records.forEach(r -> keys.add(ItStores.key(r)));
        ItStores.assertExactlyOnce(keys, 1, expected.size());
        for (CellRecord r : records) {
            Map<String, Object> want = expected.get(r.globalIndex());
            Map<String, Object> got = r.sample().asMap();
            assertThat(got.keySet()).as("keys of sample %d", r.globalIndex()).containsExactlyElementsOf(want.keySet());
            for (String k : want.keySet()) {
                assertThat(Objects.deepEquals(got.get(k), want.get(k))).as("%s of sample %d", k, r.globalIndex())
                        .isTrue();
            }
        }

        // the enumerator and both readers share the node cache: one copy per store, so each
        // remote file is read once, except in the store whose download broke and was retried
        List<String> retried = new ArrayList<>();
        for (Path p : local) {
            int files = countFiles(p);
            int opens = SlowFileSystem.opens(p);
            if (opens != files) {
                assertThat(opens).as("opens of %s", p.getFileName()).isGreaterThan(files)
                        .isLessThanOrEqualTo(2 * files);
                retried.add(p.getFileName().toString());
            }
        }
        assertThat(retried).as("stores downloaded twice").hasSize(1);
        try (Stream<Path> entries = Files.list(cacheDir)) {
            assertThat(entries.filter(p -> !p.getFileName().toString().startsWith("."))).hasSize(local.size());
        }
    }

    /**
     * The default remote mode: the same four stores read in place by byte ranges, while three
     * range requests break (retried); nothing is written to the store cache's folder.
     */
    @Test
    void streamsRemoteStoresInPlaceByRangesSampleForSample() throws Exception {
        Path stores = TestData.reference().resolve("stores");
        List<Path> local = List.of(stores.resolve("mixed_m1.h5ad"), stores.resolve("mixed_m2_v2.zarr"),
                stores.resolve("mixed_m3_v3_sharded.zarr"),
                zip(stores.resolve("mixed_m3_v3_sharded.zarr"), work.resolve("remote").resolve("m3.zarr.zip")));
        List<String> localPaths = new ArrayList<>();
        List<String> remotePaths = new ArrayList<>();
        for (Path p : local) {
            localPaths.add(p.toString());
            remotePaths.add(SlowFileSystem.uri(p));
        }
        Map<Long, Map<String, Object>> expected = new HashMap<>();
        try (AnnDataCollection c = AnnDataCollection.open(
                CollectionOptions.builder(localPaths).obsKeys("cell_type").join("outer").build())) {
            for (long i = 0; i < c.size(); i++) {
                expected.put(i, c.get(i).asMap());
            }
        }
        Path cacheDir = work.resolve("unused-cache");
        SlowFileSystem.configure(1, 3); // fewer than the attempts of one request (1 + 3 retries)
        AnnDataSource<CellRecord> source = AnnDataSource.builder(remotePaths).obsKeys("cell_type").join("outer")
                .output(OutputForm.DENSE).rowsPerSplit(7).storeCacheDir(cacheDir.toString()).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<CellRecord> records = new ArrayList<>();
        try (CloseableIterator<CellRecord> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "ranged-cells").executeAndCollect()) {
            it.forEachRemaining(records::add);
        }
        List<Long> keys = new ArrayList<>();
        records.forEach(r -> keys.add(ItStores.key(r)));
        ItStores.assertExactlyOnce(keys, 1, expected.size());
        for (CellRecord r : records) {
            Map<String, Object> want = expected.get(r.globalIndex());
            Map<String, Object> got = r.sample().asMap();
            for (String k : want.keySet()) {
                assertThat(Objects.deepEquals(got.get(k), want.get(k))).as("%s of sample %d", k, r.globalIndex())
                        .isTrue();
            }
        }
        assertThat(SlowFileSystem.pendingFailures()).as("the broken requests happened").isZero();
        assertThat(Files.exists(cacheDir)).as("range mode copies nothing").isFalse();
    }

    @Test
    void sqlOverRemotePathsEqualsSqlOverTheLocalStores() throws Exception {
        Path stores = TestData.reference().resolve("stores");
        List<Path> local = List.of(stores.resolve("mixed_m1.h5ad"), stores.resolve("mixed_m2_v2.zarr"));
        String remote = SlowFileSystem.uri(local.get(0)) + ";" + SlowFileSystem.uri(local.get(1));
        String localPaths = local.get(0) + ";" + local.get(1);
        String cacheDir = work.resolve("sql-cache").toString();
        SlowFileSystem.configure(1, 1);
        List<String> fromRemote = sql(remote, "'scan.remote.mode' = 'copy', 'scan.store-cache.dir' = '" + cacheDir
                + "', 'scan.store-cache.max-bytes' = '64 mb', 'scan.store-cache.download-retries' = '1'");
        List<String> fromLocal = sql(localPaths, null);
        assertThat(fromRemote).isNotEmpty().isEqualTo(fromLocal);
        try (Stream<Path> entries = Files.list(Path.of(cacheDir))) {
            assertThat(entries.filter(p -> !p.getFileName().toString().startsWith("."))).hasSize(2);
        }
    }

    /** {@code global_idx, store_idx, cell_type, X} of every row, ordered by global index. */
    private static List<String> sql(String paths, String extraOptions) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.executeSql("CREATE TEMPORARY TABLE cells (global_idx BIGINT, store_idx INT, cell_type STRING, "
                + "X ARRAY<FLOAT>) WITH ('connector' = 'anndata', 'path' = '" + paths + "', 'scan.join' = 'outer'"
                + (extraOptions == null ? "" : ", " + extraOptions) + ")");
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM cells").collect()) {
            it.forEachRemaining(rows::add);
        }
        rows.sort(java.util.Comparator.comparingLong(r -> (Long) r.getField("global_idx")));
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(r.getField("global_idx") + " " + r.getField("store_idx") + " " + r.getField("cell_type") + " "
                    + java.util.Arrays.toString((Float[]) r.getField("X")));
        }
        return out;
    }

    static Path zip(Path dir, Path zip) throws IOException {
        Files.createDirectories(zip.getParent());
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
                Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (Files.isRegularFile(p)) {
                    out.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
        }
        return zip;
    }

    private static int countFiles(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return (int) s.filter(Files::isRegularFile).count();
        }
    }
}
