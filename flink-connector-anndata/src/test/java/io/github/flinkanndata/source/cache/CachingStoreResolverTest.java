package io.github.flinkanndata.source.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's resolver: local paths and {@code file:} URIs are read in place with no cache at
 * all, other schemes go through the node cache and count hits, misses and bytes; a collection
 * opened through it reads the same samples as from the local stores and releases its leases.
 */
class CachingStoreResolverTest {
    @TempDir Path remote;
    @TempDir Path tmp;

    @BeforeAll
    static void registerScheme() {
        FileSystem.initialize(new Configuration(), null);
    }

    @BeforeEach
    @AfterEach
    void resetFs() {
        SlowFileSystem.reset();
    }

    private CachingStoreResolver resolver(Path cacheDir, RecordingMetricGroup metrics) {
        return new CachingStoreResolver(new CacheSettings(cacheDir.toString(), 1L << 30, 0), tmp.toString(), metrics);
    }

    @Test
    void localPathsAndFileUrisAreReadInPlace() throws Exception {
        Path cacheDir = tmp.resolve("cache");
        CachingStoreResolver r = resolver(cacheDir, new RecordingMetricGroup());
        Path store = CacheTestStores.reference("mixed_m1.h5ad");
        try (StoreResolver.Lease l = r.resolve(store.toString())) {
            assertThat(l.path()).isEqualTo(store);
        }
        try (StoreResolver.Lease l = r.resolve(store.toUri().toString())) {
            assertThat(l.path()).isEqualTo(store);
        }
        assertThat(CachingStoreResolver.isRemote(store.toString())).isFalse();
        assertThat(CachingStoreResolver.isRemote(store.toUri().toString())).isFalse();
        assertThat(CachingStoreResolver.isRemote(SlowFileSystem.uri(store))).isTrue();
        assertThat(cacheDir).as("no cache without a remote store").doesNotExist();
    }

    @Test
    void remoteStoresAreCachedAndCounted() throws Exception {
        Path store = CacheTestStores.copy(CacheTestStores.reference("mixed_m1.h5ad"), remote.resolve("m1.h5ad"));
        RecordingMetricGroup metrics = new RecordingMetricGroup();
        Path cacheDir = tmp.resolve("counted");
        CachingStoreResolver r = resolver(cacheDir, metrics);
        Path first;
        try (StoreResolver.Lease l = r.resolve(SlowFileSystem.uri(store))) {
            first = l.path();
            assertThat(first).startsWith(cacheDir);
        }
        try (StoreResolver.Lease l = r.resolve(SlowFileSystem.uri(store))) {
            assertThat(l.path()).isEqualTo(first);
        }
        assertThat(metrics.count("storeCache.misses")).isEqualTo(1);
        assertThat(metrics.count("storeCache.hits")).isEqualTo(1);
        assertThat(metrics.count("storeCache.bytesDownloaded")).isEqualTo(Files.size(store));
        assertThat(metrics.gaugeValue("storeCache.bytes")).isEqualTo(Files.size(store));
    }

    @Test
    void aCollectionOverRemoteStoresEqualsTheLocalOneAndReleasesItsLeases() throws Exception {
        List<String> local = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        for (String name : new String[] {"mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr"}) {
            Path p = CacheTestStores.reference(name);
            local.add(p.toString());
            slow.add(SlowFileSystem.uri(p));
        }
        Path cacheDir = tmp.resolve("collection");
        CachingStoreResolver r = resolver(cacheDir, new RecordingMetricGroup());
        StoreCache cache = StoreCache.forDirectory(cacheDir, 1L << 30, 0);
        try (AnnDataCollection want = AnnDataCollection.open(
                        CollectionOptions.builder(local).obsKeys("cell_type").join("outer").build());
                AnnDataCollection got = AnnDataCollection.open(
                        CollectionOptions.builder(slow).obsKeys("cell_type").join("outer").build(), r)) {
            assertThat(cache.leasedEntries()).isEqualTo(3);
            assertThat(got.plan().stores()).extracting(s -> s.path()).containsExactlyElementsOf(slow);
            assertThat(got.size()).isEqualTo(want.size());
            for (long i = 0; i < want.size(); i++) {
                var a = got.get(i).asMap();
                var b = want.get(i).asMap();
                assertThat(a.keySet()).isEqualTo(b.keySet());
                for (String k : b.keySet()) {
                    assertThat(Objects.deepEquals(a.get(k), b.get(k))).as("%s of sample %d", k, i).isTrue();
                }
            }
        }
        assertThat(cache.leasedEntries()).as("released on close").isZero();

        // a store that cannot be fetched fails the open, naming it, and releases the others
        List<String> broken = new ArrayList<>(slow);
        broken.add(SlowFileSystem.uri(remote.resolve("missing.h5ad")));
        assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder(broken).build(), r))
                .isInstanceOf(AnnDataFormatException.class).hasMessageContaining("missing.h5ad")
                .hasMessageContaining("cannot fetch");
        assertThat(cache.leasedEntries()).isZero();
    }
}
