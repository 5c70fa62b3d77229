package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.format.remote.LocalObjectStorage;
import io.github.flinkanndata.format.remote.RangeReader;
import io.github.flinkanndata.testutil.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Remote stores read in place, by byte ranges ({@link StoreResolver.Lease#inPlace}): a collection
 * of an h5ad file (gzip), a zarr v2 directory, a sharded zarr v3 directory and two zipped zarr
 * stores gives the same samples as the same stores opened locally, sample for sample.
 */
class InPlaceRemoteStoresTest {

    @Test
    void mixedCollectionReadInPlaceEqualsLocal() throws Exception {
        Path stores = TestData.reference().resolve("stores");
        List<Path> local = List.of(stores.resolve("mixed_m1.h5ad"), stores.resolve("mixed_m2_v2.zarr"),
                stores.resolve("mixed_m3_v3_sharded.zarr"));
        assertSameSamples(local, List.of("cell_type"), "outer");
    }

    @Test
    void realArchivesReadInPlaceEqualLocal() throws Exception {
        for (String s : List.of("anndata-archives/v0.7.8/adata.zarr.zip", "anndata-archives/v0.7.0/adata.zarr.zip",
                "anndata-archives/v0.5.0/adata.h5ad", "anndataR/example.h5ad")) {
            assertSameSamples(List.of(TestData.realStore(s)), null, "none");
        }
    }

    /**
     * Every real store (written by ten years of anndata and by other writers, {@code facts.json})
     * read in place by byte ranges gives what the local file gives: the same samples with every obs
     * column, or the same error.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("realStores")
    void everyRealStoreReadInPlaceEqualsLocal(String relative, List<String> obsColumns) throws Exception {
        Path local = TestData.realStore(relative);
        Throwable localError = null;
        try (AnnDataCollection c = AnnDataCollection.open(options(List.of(local.toString()), obsColumns, "none"))) {
            for (long i = 0; i < c.size(); i++) {
                c.get(i);
            }
        } catch (Exception e) {
            localError = e;
        }
        if (localError == null) {
            assertSameSamples(List.of(local), obsColumns, "none");
        } else {
            Throwable want = localError;
            assertThatThrownBy(() -> assertSameSamples(List.of(local), obsColumns, "none"))
                    .as("the local store fails with: %s", want)
                    .isInstanceOf(want.getClass()).hasMessage(want.getMessage());
        }
    }

    static Stream<Arguments> realStores() throws Exception {
        JsonNode all = new ObjectMapper().readTree(TestData.realStores().resolve("facts.json").toFile());
        List<Arguments> out = new ArrayList<>();
        all.properties().forEach(e -> {
            List<String> columns = new ArrayList<>();
            e.getValue().get("obs_columns").forEach(col -> columns.add(col.get(0).asText()));
            out.add(Arguments.of(e.getKey(), columns));
        });
        return out.stream();
    }

    /**
     * A block of rows spanning several chunks (256 rows over chunks of 64) asks for its chunks at
     * once, concurrently on the fetch pool, although the decode reads them in several smaller range
     * reads: the decode does not wait on one request after the other.
     */
    @Test
    void aBlockOfRowsFetchesItsChunksConcurrently(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path store = dir.resolve("b.zarr");
        io.github.flinkanndata.testutil.BenchZarr.write(store, 1024, 16, 64);
        LocalObjectStorage storage = new LocalObjectStorage(store);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            StoreResolver inPlace = path -> StoreResolver.Lease.inPlace(new RangeReader(storage,
                    new io.github.flinkanndata.format.remote.RangeCache(8L << 20), pool,
                    io.github.flinkanndata.format.remote.RemoteReadSettings.DEFAULTS,
                    io.github.flinkanndata.format.remote.RemoteReadListener.NONE,
                    io.github.flinkanndata.format.remote.ObjectVersions.firstSeenOnly()));
            CollectionOptions options = CollectionOptions.builder(store.toString()).build();
            try (AnnDataCollection want = AnnDataCollection.open(options);
                    AnnDataCollection got = AnnDataCollection.open(options, inPlace)) {
                // long enough that every request of the block is issued while the first still waits,
                // on a loaded machine too (at 30 ms one run saw 3 of 4 in flight)
                storage.readDelayMillis = 200;
                int reads = storage.reads.get();
                List<io.github.flinkanndata.collection.Sample> block = got.getRange(256, 512);
                assertThat(storage.reads.get() - reads).as("one read per chunk").isEqualTo(4);
                // one after the other would be 1 in flight
                assertThat(storage.maxReadsInFlight.get()).as("the block's chunks fetched at once")
                        .isGreaterThanOrEqualTo(3);
                for (int i = 0; i < block.size(); i++) {
                    assertThat((float[]) block.get(i).asMap().get("X"))
                            .isEqualTo((float[]) want.get(256 + i).asMap().get("X"));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static CollectionOptions options(List<String> paths, List<String> obsKeys, String join) {
        CollectionOptionsBuilder b = CollectionOptions.builder(paths).join(join);
        if (obsKeys != null && !obsKeys.isEmpty()) {
            b.obsKeys(obsKeys.toArray(new String[0]));
        }
        return b.build();
    }

    private static void assertSameSamples(List<Path> local, List<String> obsKeys, String join) throws Exception {
        List<String> paths = new ArrayList<>();
        local.forEach(p -> paths.add(p.toString()));
        Map<String, LocalObjectStorage> storages = new HashMap<>();
        StoreResolver inPlace = path -> {
            LocalObjectStorage s = new LocalObjectStorage(Path.of(path));
            storages.put(path, s);
            return StoreResolver.Lease.inPlace(RangeReader.simple(s, 8L << 20));
        };
        CollectionOptions options = options(paths, obsKeys, join);
        try (AnnDataCollection want = AnnDataCollection.open(options);
                AnnDataCollection got = AnnDataCollection.open(options, inPlace)) {
            assertThat(got.size()).isEqualTo(want.size()).isPositive();
            for (long i = 0; i < want.size(); i++) {
                Map<String, Object> w = want.get(i).asMap();
                Map<String, Object> g = got.get(i).asMap();
                assertThat(g.keySet()).as("keys of sample %d of %s", i, paths).isEqualTo(w.keySet());
                for (String k : w.keySet()) {
                    assertThat(Objects.deepEquals(g.get(k), w.get(k))).as("%s of sample %d of %s", k, i, paths).isTrue();
                }
            }
        }
        assertThat(storages).hasSize(local.size());
        for (LocalObjectStorage s : storages.values()) {
            assertThat(s.reads.get()).as("range requests to %s", s.location()).isPositive();
        }
    }
}
