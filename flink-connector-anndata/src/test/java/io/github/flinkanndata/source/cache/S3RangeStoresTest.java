package io.github.flinkanndata.source.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.remote.ObjectVersions;
import io.github.flinkanndata.format.remote.RemoteReadSettings;
import io.github.flinkanndata.source.cache.RemoteMode;
import io.github.flinkanndata.testutil.S3Loopback;
import io.github.flinkanndata.testutil.TestData;
import io.github.flinkanndata.testutil.TinyZarr;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote stores on a real S3 endpoint (moto on loopback, {@link S3Loopback}) read in place through
 * Flink's S3 file system plugin and {@link RangeStoreResolver}: samples equal the local reads, a
 * read of 1 % of the rows fetches about 1 % of the bytes, and the bad cases (a missing object, a
 * truncated object, an object replaced while it is read, the endpoint down) fail clearly, naming
 * the store.
 */
@Timeout(300)
class S3RangeStoresTest {
    private static final String BUCKET = "atlas";
    private static final int ROWS = 20_000;
    private static final int GENES = 128;
    private static final int CHUNK_ROWS = 100;

    @TempDir static Path work;
    private static S3Loopback s3;
    private static Path big;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Loopback.start(work);
        s3.createBucket(BUCKET);
        big = work.resolve("big.zarr");
        writeBigStore(big);
        s3.upload(big, BUCKET, "big.zarr");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        S3Loopback.resetFlink();
    }

    /** Dense float32 X of ROWS x GENES in uncompressed chunks of CHUNK_ROWS rows. */
    static void writeBigStore(Path dir) {
        TinyZarr z = new TinyZarr(dir);
        z.group("", Map.of("encoding-type", "anndata", "encoding-version", "0.1.0"));
        String[] cells = new String[ROWS];
        for (int i = 0; i < ROWS; i++) {
            cells[i] = "c" + i;
        }
        z.dataframe("obs", cells, List.of());
        String[] genes = new String[GENES];
        for (int g = 0; g < GENES; g++) {
            genes[g] = "g" + g;
        }
        z.dataframe("var", genes, List.of());
        z.arrayMeta("X", "<f4", new long[] {ROWS, GENES}, new long[] {CHUNK_ROWS, GENES}, null, List.of(),
                Map.of("encoding-type", "array", "encoding-version", "0.2.0"));
        for (int c = 0; c < ROWS / CHUNK_ROWS; c++) {
            ByteBuffer b = ByteBuffer.allocate(CHUNK_ROWS * GENES * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < CHUNK_ROWS * GENES; i++) {
                b.putFloat(c * 1000 + i);
            }
            z.write("X", c + ".0", b.array());
        }
    }

    private static RangeStoreResolver resolver(RecordingMetricGroup metrics, int retries) {
        CacheSettings settings = new CacheSettings(null, 1L << 30, 0, RemoteMode.RANGE, 64L << 20, 4,
                RemoteReadSettings.DEFAULTS.withRetries(retries, 50));
        return new RangeStoreResolver(settings, null, metrics);
    }

    private static void assertSameSamples(List<String> local, List<String> remote, StoreResolver resolver)
            throws Exception {
        try (AnnDataCollection want = AnnDataCollection.open(CollectionOptions.builder(local).join("outer").build());
                AnnDataCollection got = AnnDataCollection.open(
                        CollectionOptions.builder(remote).join("outer").build(), resolver)) {
            assertThat(got.size()).isEqualTo(want.size()).isPositive();
            for (long i = 0; i < want.size(); i++) {
                Map<String, Object> w = want.get(i).asMap();
                Map<String, Object> g = got.get(i).asMap();
                assertThat(g.keySet()).isEqualTo(w.keySet());
                for (String k : w.keySet()) {
                    assertThat(Objects.deepEquals(g.get(k), w.get(k))).as("%s of sample %d", k, i).isTrue();
                }
            }
        }
    }

    @Test
    void everyStoreKindReadInPlaceEqualsTheLocalRead() throws Exception {
        Path stores = TestData.reference().resolve("stores");
        List<Path> local = List.of(stores.resolve("mixed_m1.h5ad"), stores.resolve("mixed_m2_v2.zarr"),
                stores.resolve("mixed_m3_v3_sharded.zarr"),
                TestData.realStore("anndata-archives/v0.7.8/adata.zarr.zip"),
                TestData.realStore("anndata-archives/v0.5.0/adata.h5ad"));
        List<String> remote = new java.util.ArrayList<>();
        for (int i = 0; i < local.size(); i++) {
            remote.add(s3.upload(local.get(i), BUCKET, "kinds/" + i + "-" + local.get(i).getFileName()));
        }
        RecordingMetricGroup metrics = new RecordingMetricGroup();
        Map<String, Integer> before = s3.requestCounts();
        RangeStoreResolver resolver = resolver(metrics, 3); // one set of counters for every store
        for (int i = 0; i < local.size(); i++) {
            assertSameSamples(List.of(local.get(i).toString()), List.of(remote.get(i)), resolver);
        }
        assertThat(metrics.count("remoteReads.requests")).isPositive();
        assertThat(metrics.count("remoteReads.bytesFetched")).isPositive();
        Map<String, Integer> server = S3Loopback.difference(s3.requestCounts(), before);
        System.out.println("every store kind: the server answered " + server + " for "
                + metrics.count("remoteReads.requests") + " range requests");
        // each range request is one GET: the S3 client neither asks a status when an object is opened nor
        // skips a short seek by reading (which cost an h5ad read hundreds of 2 KiB GETs)
        assertThat(server.getOrDefault("GET", 0)).isEqualTo((int) metrics.count("remoteReads.requests"));
    }

    @Test
    void aHundredthOfTheRowsFetchesAboutAHundredthOfTheBytes() throws Exception {
        long storeBytes;
        long xBytes;
        try (Stream<Path> files = Files.walk(big)) {
            storeBytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        xBytes = (long) ROWS * GENES * 4;
        RecordingMetricGroup metrics = new RecordingMetricGroup();
        Map<String, Integer> before = s3.requestCounts();
        int first = ROWS / 2;
        int rows = ROWS / 100;
        try (AnnDataCollection c = AnnDataCollection.open(
                CollectionOptions.builder("s3://" + BUCKET + "/big.zarr").build(), resolver(metrics, 3))) {
            for (int i = first; i < first + rows; i++) {
                assertThat(((float[]) c.get(i).asMap().get("X"))[0]).isEqualTo(((i / CHUNK_ROWS) * 1000)
                        + (i % CHUNK_ROWS) * GENES);
            }
        }
        long fetched = metrics.count("remoteReads.bytesFetched");
        long chunkBytes = (long) rows * GENES * 4; // the chunks decoded: exactly 1 % of X
        Map<String, Integer> server = S3Loopback.difference(s3.requestCounts(), before);
        System.out.println("1% read: the server answered " + server);
        // one request per chunk: no status request per chunk (the chunks' statuses come from one listing
        // of X), none when an object is opened, none to check a version after a read (the read is
        // conditional on the listed entity tag)
        assertThat(server.getOrDefault("GET", 0)).isEqualTo((int) metrics.count("remoteReads.requests"));
        // the store's root only (S3A probes a directory with HEADs and a listing); before, a HEAD per chunk
        assertThat(server.getOrDefault("HEAD", 0)).isLessThanOrEqualTo(4);
        assertThat(metrics.count("remoteReads.metadataRequests")).isLessThanOrEqualTo(12);
        System.out.printf("1%% read: fetched %d bytes in %d requests (+%d metadata requests); chunks decoded %d"
                + " bytes; store %d bytes (X %d)%n", fetched, metrics.count("remoteReads.requests"),
                metrics.count("remoteReads.metadataRequests"), chunkBytes, storeBytes, xBytes);
        // the target of issue 16: at most 1.2x the compressed bytes of the chunks decoded (metadata included)
        assertThat(fetched).isGreaterThanOrEqualTo(chunkBytes).isLessThanOrEqualTo(chunkBytes * 12 / 10);
        assertThat(fetched).isLessThan(storeBytes / 80); // about 1 % of the store, not all of it
    }

    @Test
    void rangesAreOpenedOnTheFetchingThreadWithTheListedStatusAndStayVerified() throws Exception {
        byte[] data = new byte[10_000];
        new java.util.Random(7).nextBytes(data);
        s3.put(BUCKET, "direct/object", data);
        FlinkObjectStorage storage = new FlinkObjectStorage("s3://" + BUCKET + "/direct");
        HadoopOpener opener = storage.hadoopOpener();
        // flink-s3-fs-hadoop's S3A (Hadoop 3.3) has the open method openFile hands to its pool: if a
        // new plugin lacks it, every range goes through the pool again (correct, but slower)
        assertThat(opener).isNotNull();
        assertThat(opener.opensDirectly()).as("S3A's open(Path, Optional, Optional) found").isTrue();
        io.github.flinkanndata.format.remote.ObjectInfo listed = storage.list("").get(0);
        byte[] direct = new byte[3_000];
        byte[] viaOpenFile = new byte[3_000];
        Map<String, Integer> before = s3.requestCounts();
        assertThat(storage.readVerified(listed, 5_000, direct, 0, direct.length)).isTrue();
        opener.openViaOpenFile(true);
        try {
            assertThat(storage.readVerified(listed, 5_000, viaOpenFile, 0, viaOpenFile.length)).isTrue();
        } finally {
            opener.openViaOpenFile(false);
        }
        assertThat(direct).isEqualTo(java.util.Arrays.copyOfRange(data, 5_000, 8_000)).isEqualTo(viaOpenFile);
        assertThat(S3Loopback.difference(s3.requestCounts(), before)).as("one GET per range, no status request")
                .isEqualTo(Map.of("GET", 2));
        // the listed entity tag still goes with the GET: a replaced object is refused
        s3.replace(BUCKET, "direct/object", new byte[10_000]);
        assertThatThrownBy(() -> storage.readVerified(listed, 0, direct, 0, 100))
                .isInstanceOf(io.github.flinkanndata.format.remote.ObjectChangedException.class);
    }

    @Test
    void aRangeIsOneGetOfExactlyItsBytesWhateverTheInputPolicyConfigured() throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(8).nextBytes(data);
        s3.put(BUCKET, "policy/object", data);
        // the file system configured as users may leave it: S3A's sequential policy (a GET of the rest
        // of the object) and a large read-ahead; the connector's own options per open apply instead
        System.setProperty("anndata.s3.conf", "s3.experimental.input.fadvise=sequential,s3.readahead.range=524288");
        try {
            S3Loopback.configureFlink(s3.endpoint(), 0);
            FlinkObjectStorage storage = new FlinkObjectStorage("s3://" + BUCKET + "/policy");
            HadoopOpener opener = storage.hadoopOpener();
            io.github.flinkanndata.format.remote.ObjectInfo listed = storage.list("").get(0);
            for (boolean viaOpenFile : new boolean[] {false, true}) {
                opener.openViaOpenFile(viaOpenFile);
                long discarded = discardedBytes(storage);
                byte[] range = new byte[4096];
                assertThat(storage.readVerified(listed, 100_000, range, 0, range.length)).isTrue();
                assertThat(range).isEqualTo(java.util.Arrays.copyOfRange(data, 100_000, 104_096));
                assertThat(discardedBytes(storage) - discarded)
                        .as("bytes the GET fetched beyond the range (opened by openFile: %s)", viaOpenFile).isZero();
            }
            opener.openViaOpenFile(false);
        } finally {
            System.clearProperty("anndata.s3.conf");
            S3Loopback.configureFlink(s3.endpoint(), 0);
        }
    }

    /** Bytes S3A's streams of this file system drained or abandoned on closing (its IOStatistics). */
    private static long discardedBytes(FlinkObjectStorage storage) throws Exception {
        Object fs = org.apache.flink.core.fs.FileSystem.get(java.net.URI.create(storage.location()));
        for (int i = 0; i < 8 && fs instanceof org.apache.flink.util.WrappingProxy; i++) {
            fs = ((org.apache.flink.util.WrappingProxy<?>) fs).getWrappedDelegate();
        }
        Object hadoopFs = fs.getClass().getMethod("getHadoopFileSystem").invoke(fs);
        Object stats = hadoopFs.getClass().getMethod("getIOStatistics").invoke(hadoopFs);
        java.lang.reflect.Method counters = stats.getClass().getMethod("counters");
        counters.setAccessible(true);
        Map<?, ?> c = (Map<?, ?>) counters.invoke(stats);
        long total = 0;
        for (String name : List.of("stream_read_bytes_discarded_in_close", "stream_read_bytes_discarded_in_abort")) {
            Object v = c.get(name);
            assertThat(v).as("S3A counter %s", name).isInstanceOf(Long.class);
            total += (Long) v;
        }
        return total;
    }

    @Test
    void aChunkTheListingDoesNotShowReadsAsFillWithoutARequest() throws Exception {
        String zarr = s3.upload(big, BUCKET, "sparse/big.zarr");
        s3.delete(BUCKET, "sparse/big.zarr/X/3.0");
        RecordingMetricGroup metrics = new RecordingMetricGroup();
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(zarr).build(),
                resolver(metrics, 3))) {
            assertThat(((float[]) c.get(2 * CHUNK_ROWS).asMap().get("X"))[1]).isEqualTo(2000f + 1);
            Map<String, Integer> before = s3.requestCounts();
            long requests = metrics.count("remoteReads.requests") + metrics.count("remoteReads.metadataRequests");
            float[] x = (float[]) c.get(3 * CHUNK_ROWS + 5).asMap().get("X");
            assertThat(x).hasSize(GENES).containsOnly(0f); // zarr's fill value for a chunk not stored
            assertThat(S3Loopback.difference(s3.requestCounts(), before)).as("requests for the missing chunk").isEmpty();
            assertThat(metrics.count("remoteReads.requests") + metrics.count("remoteReads.metadataRequests"))
                    .isEqualTo(requests);
        }
    }

    @Test
    void aMissingStoreFailsNamingIt() {
        String missing = "s3://" + BUCKET + "/no-such.zarr";
        assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder(missing).build(),
                resolver(new RecordingMetricGroup(), 3)))
                .isInstanceOf(AnnDataFormatException.class).hasMessageContaining(missing)
                .hasMessageContaining("no such file or directory");
    }

    @Test
    void aTruncatedObjectFailsNamingTheStore() throws Exception {
        Path h5ad = TestData.reference().resolve("stores").resolve("mixed_m1.h5ad");
        byte[] whole = Files.readAllBytes(h5ad);
        s3.put(BUCKET, "truncated/m1.h5ad", java.util.Arrays.copyOf(whole, whole.length / 2));
        String store = "s3://" + BUCKET + "/truncated/m1.h5ad";
        assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder(store).build(),
                resolver(new RecordingMetricGroup(), 3)))
                .isInstanceOf(AnnDataFormatException.class).hasMessageContaining(store).hasMessageContaining("truncated");

        // a zarr chunk cut short: the read that needs it fails, naming the store and the chunk
        String zarr = s3.upload(big, BUCKET, "truncated/big.zarr");
        byte[] chunk = Files.readAllBytes(big.resolve("X").resolve("7.0"));
        s3.replace(BUCKET, "truncated/big.zarr/X/7.0", java.util.Arrays.copyOf(chunk, chunk.length / 2));
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(zarr).build(),
                resolver(new RecordingMetricGroup(), 3))) {
            assertThat(c.get(0).asMap()).containsKey("X");
            assertThatThrownBy(() -> c.get(7 * CHUNK_ROWS)).isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining(zarr).hasMessageContaining("X/7.0");
        }
    }

    @Test
    void anObjectReplacedWhileTheJobReadsIsDetectedNeverMixed() throws Exception {
        String zarr = s3.upload(big, BUCKET, "replaced/big.zarr");
        RangeStoreResolver resolver = resolver(new RecordingMetricGroup(), 3);
        CollectionOptions options = CollectionOptions.builder(zarr).build();
        try (AnnDataCollection c = AnnDataCollection.open(options, resolver)) {
            assertThat(((float[]) c.get(0).asMap().get("X"))[0]).isEqualTo(0f);
            // object stores keep modification times in seconds: replace well past the clock tolerance
            Thread.sleep(ObjectVersions.DEFAULT_TOLERANCE_MILLIS + 1500);
            byte[] other = new byte[CHUNK_ROWS * GENES * 4];
            s3.replace(BUCKET, "replaced/big.zarr/X/0.0", other);
            s3.replace(BUCKET, "replaced/big.zarr/X/50.0", other);
            // a chunk this job never read before, rewritten after the job started (after its directory was
            // listed): the read is conditional on the listed entity tag, and S3 refuses it
            assertThatThrownBy(() -> c.get(50 * CHUNK_ROWS)).isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining(zarr).hasMessageContaining("X/50.0")
                    .hasMessageContaining("changed while the job reads it")
                    .hasMessageContaining("the file system refused to read that version");
        }
        // a chunk the job did read, read again by another reader of the same job (which shares the job's
        // listings and range cache): while the cache holds its bytes, they are those of the version the job
        // read, never the new one ...
        try (AnnDataCollection again = AnnDataCollection.open(options, resolver)) {
            assertThat(((float[]) again.get(0).asMap().get("X"))[1]).isEqualTo(1f);
        }
        // ... and once they are evicted, the read is conditional on the listed version, which S3 refuses
        RangeStoreResolver.clearProcessCache(64L << 20);
        try (AnnDataCollection again = AnnDataCollection.open(options, resolver)) {
            assertThatThrownBy(() -> again.get(0)).isInstanceOf(AnnDataFormatException.class)
                    .hasMessageContaining("X/0.0").hasMessageContaining("changed while the job reads it")
                    .hasMessageContaining("the file system refused to read that version");
        }
    }

    @Test
    void theEndpointDownIsRetriedThenFailsNamingTheStore() throws Exception {
        S3Loopback other = S3Loopback.start(Files.createDirectories(work.resolve("down")));
        try {
            other.createBucket(BUCKET);
            String zarr = other.upload(big, BUCKET, "down/big.zarr");
            RecordingMetricGroup metrics = new RecordingMetricGroup();
            try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(zarr).build(),
                    resolver(metrics, 2))) {
                assertThat(c.get(0).asMap()).containsKey("X");
                other.close(); // the endpoint goes down mid-read
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> c.get(120 * CHUNK_ROWS)).isInstanceOf(AnnDataFormatException.class)
                        .hasMessageContaining(zarr).hasMessageContaining("X/120.0")
                        .hasMessageContaining("failed after 3 attempts");
                System.out.printf("endpoint down: failed after %d ms, %d retries%n",
                        (System.nanoTime() - t0) / 1_000_000, metrics.count("remoteReads.retries"));
                assertThat(metrics.count("remoteReads.retries")).isEqualTo(2);
            }
        } finally {
            other.close();
            S3Loopback.configureFlink(s3.endpoint(), 0);
        }
    }
}
