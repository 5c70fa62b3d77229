package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.cache.RangeStoreResolver;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.CellRecordTypeInfo;
import io.github.flinkanndata.testutil.BenchZarr;
import io.github.flinkanndata.testutil.S3Loopback;
import io.github.flinkanndata.testutil.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source over a real S3 endpoint (moto on loopback, Flink's S3 file system plugin, {@link
 * S3Loopback}), reading in place by ranges (the default remote mode): a mixed collection (h5ad,
 * gzip h5ad, zarr v2, sharded zarr v3, zipped zarr) streamed block-shuffled at parallelism 2 gives
 * every sample of two epochs once, each equal to the local read; a task failure mid-epoch keeps
 * every sample exactly once; a block-shuffled epoch fetches each compressed chunk about once.
 */
@Timeout(240)
class S3RangeReadsITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final String BUCKET = "cells";

    @TempDir static Path work;
    private static S3Loopback s3;
    private static final List<String> LOCAL = new ArrayList<>();
    private static final List<String> REMOTE = new ArrayList<>();

    @BeforeAll
    static void upload() throws Exception {
        s3 = S3Loopback.start(work);
        s3.createBucket(BUCKET);
        Path stores = TestData.reference().resolve("stores");
        List<Path> local = List.of(stores.resolve("mixed_m1.h5ad"), stores.resolve("mixed_m2_v2.zarr"),
                stores.resolve("mixed_m3_v3_sharded.zarr"),
                RemoteStoresITCase.zip(stores.resolve("mixed_m3_v3_sharded.zarr"), work.resolve("m3.zarr.zip")),
                TestData.realStore("anndata-archives/v0.5.0/adata.h5ad")); // pbmc68k reduced: dense gzip X
        for (Path p : local) {
            LOCAL.add(p.toString());
            REMOTE.add(s3.upload(p, BUCKET, "atlas/" + LOCAL.size() + "-" + p.getFileName()));
        }
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        S3Loopback.resetFlink();
    }

    @Test
    void blockShuffledEpochsOverS3EqualTheLocalReadSampleForSample() throws Exception {
        Map<Long, Map<String, Object>> expected = new HashMap<>();
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(LOCAL).join("outer").build())) {
            for (long i = 0; i < c.size(); i++) {
                expected.put(i, c.get(i).asMap());
            }
        }
        AnnDataSource<CellRecord> source = AnnDataSource.builder(REMOTE).join("outer").output(OutputForm.DENSE)
                .sampling(SamplingMode.BLOCK_SHUFFLED).blockSize(16).windowBlocks(4).epochs(2).seed(3).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<CellRecord> records = new ArrayList<>();
        try (CloseableIterator<CellRecord> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "s3-cells").executeAndCollect()) {
            it.forEachRemaining(records::add);
        }
        List<Long> keys = new ArrayList<>();
        records.forEach(r -> keys.add(ItStores.key(r)));
        ItStores.assertExactlyOnce(keys, 2, expected.size());
        for (CellRecord r : records) {
            Map<String, Object> want = expected.get(r.globalIndex());
            Map<String, Object> got = r.sample().asMap();
            assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
            for (String k : want.keySet()) {
                assertThat(Objects.deepEquals(got.get(k), want.get(k))).as("%s of sample %d", k, r.globalIndex())
                        .isTrue();
            }
        }
    }

    @Test
    void aFailureMidEpochOverS3KeepsEverySampleExactlyOnce() throws Exception {
        String name = "s3-failover";
        CommittedCollector.Run run = CommittedCollector.start(name);
        FailOnceMap.reset(run, 2);
        StreamExecutionEnvironment env = FailOnceMap.environment();
        List<String> paths = REMOTE.subList(0, 3); // the 96 mixed samples
        AnnDataSource<CellRecord> source = AnnDataSource.builder(paths).obsKeys("cell_type").join("outer")
                .sampling(SamplingMode.BLOCK_SHUFFLED).blockSize(8).windowBlocks(4).seed(5).epochs(2).build();
        DataStream<CellRecord> cells = env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells").uid("cells")
                .map(new PacedMap<CellRecord>()).returns(CellRecordTypeInfo.INSTANCE).uid("paced");
        cells.map(ItStores::key).returns(Types.LONG).uid("keys")
                .map(new FailOnceMap(60, 2)).uid("fail-once")
                .process(new CommittedCollector(name)).returns(Types.VOID).uid("collector")
                .sinkTo(new DiscardingSink<>());
        env.execute(name);
        assertThat(FailOnceMap.failed()).as("the failure was injected").isTrue();
        ItStores.assertExactlyOnce(run.committed(), 2, ItStores.MIXED_SIZE);
    }

    /**
     * The target of issue 16: a block-shuffled epoch over a remote store fetches at most 1.2 times
     * the compressed bytes of the chunks it decodes (here every chunk: a whole epoch), although two
     * readers share the node and blocks do not line up with chunks.
     */
    @Test
    void aBlockShuffledEpochFetchesAtMostTheCompressedChunksOnce() throws Exception {
        blockShuffledEpochFetchesAtMostTheCompressedChunksOnce(0);
    }

    /**
     * As above over a sharded zarr v3 store (8 inner chunks per shard): inner chunks of one shard
     * that a read needs are fetched in one request, with the gaps between them if those are small
     * (the bytes of the gaps count as fetched).
     */
    @Test
    void aBlockShuffledEpochOfAShardedStoreFetchesAtMostTheCompressedChunksOnce() throws Exception {
        blockShuffledEpochFetchesAtMostTheCompressedChunksOnce(8);
    }

    private void blockShuffledEpochFetchesAtMostTheCompressedChunksOnce(int shardChunks) throws Exception {
        String name = shardChunks > 0 ? "bench-sharded.zarr" : "bench.zarr";
        Path store = work.resolve(name);
        int rows = 10_000;
        long chunkBytes = shardChunks > 0 ? BenchZarr.writeSharded(store, rows, 128, 48, shardChunks)
                : BenchZarr.write(store, rows, 128, 48); // blocks of 64 rows straddle chunks
        String remote = s3.upload(store, BUCKET, name);
        AnnDataSource<CellRecord> source = AnnDataSource.builder(remote).sampling(SamplingMode.BLOCK_SHUFFLED)
                .blockSize(64).windowBlocks(8).epochs(1).seed(11).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        long before = RangeStoreResolver.processBytesFetched();
        long cells = 0;
        try (CloseableIterator<CellRecord> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "bench").executeAndCollect()) {
            while (it.hasNext()) {
                it.next();
                cells++;
            }
        }
        long fetched = RangeStoreResolver.processBytesFetched() - before;
        System.out.printf("block-shuffled epoch over S3 (%s): %d cells, fetched %d bytes = %.3f x the %d compressed"
                + " chunk bytes%n", name, cells, fetched, fetched / (double) chunkBytes, chunkBytes);
        assertThat(cells).isEqualTo(rows);
        assertThat(fetched).isGreaterThanOrEqualTo(chunkBytes).isLessThanOrEqualTo(chunkBytes * 12 / 10);
    }
}
