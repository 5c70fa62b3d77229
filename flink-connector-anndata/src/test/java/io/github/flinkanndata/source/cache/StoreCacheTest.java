package io.github.flinkanndata.source.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.AnnDataStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node cache against the simulated remote scheme {@code slowfs}: whole copies of every store
 * kind, keys that follow remote changes, one download for many threads, LRU eviction under the
 * bound that spares leased entries, failed downloads that leave nothing usable behind, and the
 * clean-up of a dead process's leftovers.
 */
@Timeout(60)
class StoreCacheTest {
    @TempDir Path remote;
    @TempDir Path cacheDir;

    @BeforeAll
    static void registerScheme() {
        FileSystem.initialize(new Configuration(), null);
    }

    @BeforeEach
    @AfterEach
    void resetFs() {
        SlowFileSystem.reset();
    }

    private static org.apache.flink.core.fs.Path slow(Path local) {
        return new org.apache.flink.core.fs.Path(SlowFileSystem.uri(local));
    }

    /** A remote copy of a reference store; {@code zip} zips a directory store first. */
    private Path remoteStore(String name, boolean zip) throws IOException {
        Path original = CacheTestStores.reference(name);
        return zip ? CacheTestStores.zip(original, remote.resolve(name + ".zip"))
                : CacheTestStores.copy(original, remote.resolve(name));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr", "zip:mixed_m2_v2.zarr"})
    void copiesEachStoreKindWholeAndReusesIt(String spec) throws Exception {
        boolean zip = spec.startsWith("zip:");
        Path store = remoteStore(spec.replace("zip:", ""), zip);
        StoreCache cache = new StoreCache(cacheDir, 1L << 30, 0);

        try (StoreCache.Lease lease = cache.acquire(slow(store))) {
            assertThat(lease.hit()).isFalse();
            assertThat(lease.path()).startsWith(cacheDir.toAbsolutePath());
            assertThat(lease.path().getFileName()).isEqualTo(store.getFileName());
            CacheTestStores.assertSameTree(store, lease.path());
            assertThat(lease.downloadedBytes()).isEqualTo(CacheFiles.size(store));
            try (AnnDataStore local = AnnDataStore.open(store); AnnDataStore copy = AnnDataStore.open(lease.path())) {
                assertThat(copy.format()).isEqualTo(local.format());
                assertThat(copy.nObs()).isEqualTo(local.nObs());
                assertThat(copy.nVars()).isEqualTo(local.nVars());
            }
        }
        int opens = SlowFileSystem.opens(store);
        try (StoreCache.Lease again = cache.acquire(slow(store))) {
            assertThat(again.hit()).isTrue();
            assertThat(again.downloadedBytes()).isZero();
        }
        assertThat(SlowFileSystem.opens(store)).as("a hit reads nothing remote").isEqualTo(opens);
    }

    @Test
    void aChangedStoreGetsANewEntry() throws Exception {
        Path store = remoteStore("mixed_m1.h5ad", false);
        StoreCache cache = new StoreCache(cacheDir, 1L << 30, 0);
        Path first;
        try (StoreCache.Lease l = cache.acquire(slow(store))) {
            first = l.path();
        }
        Files.setLastModifiedTime(store, FileTime.fromMillis(Files.getLastModifiedTime(store).toMillis() + 60_000));
        Path second;
        try (StoreCache.Lease l = cache.acquire(slow(store))) {
            assertThat(l.hit()).as("modification time changed").isFalse();
            second = l.path();
        }
        assertThat(second).isNotEqualTo(first);
        FileTime mtime = Files.getLastModifiedTime(store);
        Files.write(store, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        Files.setLastModifiedTime(store, mtime); // only the length differs now
        try (StoreCache.Lease l = cache.acquire(slow(store))) {
            assertThat(l.hit()).as("length changed").isFalse();
            assertThat(l.path()).isNotIn(first, second);
            assertThat(Files.size(l.path())).isEqualTo(Files.size(store));
        }
        // a directory store changes when any file below it does, though the folder's own time may not
        Path dir = remoteStore("mixed_m2_v2.zarr", false);
        Path before;
        try (StoreCache.Lease l = cache.acquire(slow(dir))) {
            before = l.path();
        }
        FileTime dirTime = Files.getLastModifiedTime(dir);
        Path zattrs = dir.resolve("obs").resolve(".zattrs");
        Files.setLastModifiedTime(zattrs, FileTime.fromMillis(Files.getLastModifiedTime(zattrs).toMillis() + 5_000));
        Files.setLastModifiedTime(dir, dirTime);
        try (StoreCache.Lease l = cache.acquire(slow(dir))) {
            assertThat(l.hit()).isFalse();
            assertThat(l.path()).isNotEqualTo(before);
        }
    }

    @Test
    void concurrentAcquiresShareOneDownload() throws Exception {
        Path store = remoteStore("mixed_m3_v3_sharded.zarr", false);
        int files = countFiles(store);
        SlowFileSystem.configure(5, 0); // a slow download keeps the window for races wide open
        StoreCache cache = new StoreCache(cacheDir, 1L << 30, 0);
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<StoreCache.Lease>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return cache.acquire(slow(store));
                }));
            }
            go.countDown();
            List<StoreCache.Lease> leases = new ArrayList<>();
            for (Future<StoreCache.Lease> f : futures) {
                leases.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(leases).extracting(StoreCache.Lease::path).containsOnly(leases.get(0).path());
            assertThat(leases).filteredOn(l -> !l.hit()).hasSize(1);
            assertThat(SlowFileSystem.opens(store)).as("each remote file read once").isEqualTo(files);
            CacheTestStores.assertSameTree(store, leases.get(0).path());
            assertThat(entries()).hasSize(1);
            leases.forEach(StoreCache.Lease::close);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCopyFinishedFirstByAnotherProcessIsUsedAndOursDropped() throws Exception {
        Path store = remoteStore("mixed_m3_v3_sharded.zarr", false);
        String key = RemoteStore.list(slow(store)).key();
        SlowFileSystem.configure(100, 0); // our download takes files / 8 threads x 100 ms
        StoreCache cache = new StoreCache(cacheDir, 1L << 30, 0);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<StoreCache.Lease> ours = pool.submit(() -> cache.acquire(slow(store)));
            while (scratch().isEmpty()) {
                Thread.sleep(1);
            }
            // the "other process" renames its finished copy into place while ours is running
            Path theirs = Files.createDirectories(cacheDir.resolve("elsewhere"));
            CacheTestStores.copy(store, theirs.resolve(store.getFileName()));
            Files.move(theirs, cacheDir.resolve(key), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            try (StoreCache.Lease l = ours.get(30, TimeUnit.SECONDS)) {
                assertThat(l.path()).isEqualTo(cacheDir.resolve(key).resolve(store.getFileName()));
                assertThat(l.downloadedBytes()).as("our copy was dropped").isZero();
                CacheTestStores.assertSameTree(store, l.path());
            }
            assertThat(scratch()).as("our temporary copy deleted").isEmpty();
            assertThat(entries()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void evictsLeastRecentlyUsedButNeverALeasedEntry() throws Exception {
        Path h5ad = CacheTestStores.reference("mixed_m1.h5ad");
        Path a = CacheTestStores.copy(h5ad, remote.resolve("a.h5ad"));
        Path b = CacheTestStores.copy(h5ad, remote.resolve("b.h5ad"));
        Path c = CacheTestStores.copy(h5ad, remote.resolve("c.h5ad"));
        long size = Files.size(h5ad);
        long bound = size * 5 / 2; // room for two stores, not three
        StoreCache cache = new StoreCache(cacheDir, bound, 0);

        StoreCache.Lease leaseA = cache.acquire(slow(a)); // oldest, but held
        Path copyB;
        try (StoreCache.Lease l = cache.acquire(slow(b))) {
            copyB = l.path();
        }
        Path copyC;
        try (StoreCache.Lease l = cache.acquire(slow(c))) {
            copyC = l.path();
        }
        assertThat(leaseA.path()).as("leased, so kept").exists();
        assertThat(copyB).as("least recently used of the unleased").doesNotExist();
        assertThat(copyC).exists();
        assertThat(cache.bytes()).isLessThanOrEqualTo(bound).isEqualTo(2 * size);

        leaseA.close();
        try (StoreCache.Lease l = cache.acquire(slow(b))) {
            assertThat(l.hit()).isFalse();
        }
        assertThat(leaseA.path()).as("released and least recently used now").doesNotExist();
        assertThat(copyC).exists();
        assertThat(entries()).hasSize(2);

        assertThatThrownBy(() -> new StoreCache(cacheDir.resolve("small"), size - 1, 0).acquire(slow(a)))
                .isInstanceOf(IOException.class).hasMessageContaining("a.h5ad").hasMessageContaining("does not fit");
    }

    @Test
    void allEntriesLeasedExceedsTheBoundUntilReleased() throws Exception {
        Path h5ad = CacheTestStores.reference("mixed_m1.h5ad");
        long size = Files.size(h5ad);
        StoreCache cache = new StoreCache(cacheDir, size + size / 2, 0);
        StoreCache.Lease a = cache.acquire(slow(CacheTestStores.copy(h5ad, remote.resolve("a.h5ad"))));
        StoreCache.Lease b = cache.acquire(slow(CacheTestStores.copy(h5ad, remote.resolve("b.h5ad"))));
        assertThat(a.path()).exists();
        assertThat(b.path()).exists();
        assertThat(cache.bytes()).isEqualTo(2 * size);
        a.close();
        assertThat(a.path()).as("evicted as soon as it was released").doesNotExist();
        assertThat(cache.bytes()).isEqualTo(size);
        b.close();
        assertThat(b.path()).as("alone within the bound").exists();
    }

    @Test
    void anEntryAnotherProcessIsReadingIsNotEvicted() throws Exception {
        Path h5ad = CacheTestStores.reference("mixed_m1.h5ad");
        long size = Files.size(h5ad);
        StoreCache cache = new StoreCache(cacheDir, size + size / 2, 0);
        Path copyA;
        try (StoreCache.Lease l = cache.acquire(slow(CacheTestStores.copy(h5ad, remote.resolve("a.h5ad"))))) {
            copyA = l.path();
        }
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process reader = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                LeaseHolder.class.getName(), copyA.getParent().resolve(EntryLock.FILE).toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String line = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).isEqualTo("locked true");

            StoreCache.Lease b = cache.acquire(slow(CacheTestStores.copy(h5ad, remote.resolve("b.h5ad"))));
            assertThat(copyA).as("the other process holds it").exists();
            assertThat(cache.bytes()).as("over the bound while it does").isEqualTo(2 * size);

            reader.getOutputStream().close();
            assertThat(reader.waitFor(30, TimeUnit.SECONDS)).isTrue();
            b.close(); // the next eviction pass finds the entry free
            assertThat(copyA).doesNotExist();
            assertThat(b.path()).exists();
            assertThat(cache.bytes()).isEqualTo(size);
        } finally {
            reader.destroy();
        }
    }

    @Test
    void twoCacheInstancesOfOneJvmShareAFolder() throws Exception {
        // as when two jobs load the connector from their own user jars on one TaskManager
        Path h5ad = CacheTestStores.reference("mixed_m1.h5ad");
        long size = Files.size(h5ad);
        Path a = CacheTestStores.copy(h5ad, remote.resolve("a.h5ad"));
        StoreCache first = new StoreCache(cacheDir, size + size / 2, 0);
        StoreCache second = new StoreCache(cacheDir, size + size / 2, 0);
        Path copyA;
        try (StoreCache.Lease l = second.acquire(slow(a))) {
            copyA = l.path();
        }
        try (StoreCache.Lease held = first.acquire(slow(a))) {
            assertThat(held.hit()).isTrue();
            try (StoreCache.Lease both = second.acquire(slow(a))) {
                assertThat(both.path()).isEqualTo(copyA);
            }
            // the second instance needs room, but the first one is reading its only candidate
            try (StoreCache.Lease b = second.acquire(slow(CacheTestStores.copy(h5ad, remote.resolve("b.h5ad"))))) {
                assertThat(copyA).exists();
                assertThat(b.path()).exists();
            }
        }
    }

    @Test
    void aFailedDownloadIsNeverUsedAndARetryStartsFromScratch() throws Exception {
        Path store = remoteStore("mixed_m2_v2.zarr", false);
        int files = countFiles(store);
        SlowFileSystem.configure(0, 1);
        StoreCache noRetry = new StoreCache(cacheDir, 1L << 30, 0);
        assertThatThrownBy(() -> noRetry.acquire(slow(store))).isInstanceOf(IOException.class)
                .hasMessageContaining("mixed_m2_v2.zarr").hasMessageContaining("connection reset");
        assertThat(entries()).as("no entry from a broken copy").isEmpty();
        assertThat(scratch()).as("temporary folders removed").isEmpty();
        assertThat(noRetry.bytes()).isZero();
        try (StoreCache.Lease l = noRetry.acquire(slow(store))) {
            assertThat(l.hit()).isFalse();
            CacheTestStores.assertSameTree(store, l.path());
            // the broken attempt opened some files (in parallel) before it was given up, the
            // second every file once
            assertThat(SlowFileSystem.opens(store)).isGreaterThan(files).isLessThanOrEqualTo(2 * files);
        }

        // two broken opens, two retries: a later attempt copies everything from scratch
        Path other = remoteStore("mixed_m3_v3_sharded.zarr", false);
        int otherFiles = countFiles(other);
        SlowFileSystem.configure(0, 2);
        StoreCache retrying = new StoreCache(cacheDir.resolve("retrying"), 1L << 30, 2);
        try (StoreCache.Lease l = retrying.acquire(slow(other))) {
            CacheTestStores.assertSameTree(other, l.path());
            assertThat(SlowFileSystem.opens(other)).isGreaterThan(otherFiles).isLessThanOrEqualTo(3 * otherFiles);
        }
        assertThat(scratch()).isEmpty();
    }

    @Test
    void startUpDeletesLeftoversOfDeadProcessesAndAdoptsCompleteEntries() throws Exception {
        Path store = remoteStore("mixed_m1.h5ad", false);
        Path copy;
        try (StoreCache.Lease l = new StoreCache(cacheDir, 1L << 30, 0).acquire(slow(store))) {
            copy = l.path();
        }
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process finished = new ProcessBuilder(javaBin, "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        finished.waitFor(30, TimeUnit.SECONDS);
        long deadPid = finished.pid();
        Path deadTmp = Files.createDirectories(cacheDir.resolve(".tmp-" + deadPid + "-x").resolve("half.h5ad"));
        Files.write(deadTmp.resolve("part"), new byte[100]);
        Path ownTrash = Files.createDirectories(cacheDir.resolve(".trash-" + ProcessHandle.current().pid() + "-y"));
        Path liveTmp = Files.createDirectories(cacheDir.resolve(".tmp-" + ProcessHandle.current().parent()
                .map(ProcessHandle::pid).orElseThrow() + "-z"));

        int opens = SlowFileSystem.opens(store);
        StoreCache restarted = new StoreCache(cacheDir, 1L << 30, 0);
        assertThat(cacheDir.resolve(".tmp-" + deadPid + "-x")).doesNotExist();
        assertThat(ownTrash).doesNotExist();
        assertThat(liveTmp).as("another live process may still be writing it").exists();
        assertThat(restarted.bytes()).isEqualTo(Files.size(store));
        try (StoreCache.Lease l = restarted.acquire(slow(store))) {
            assertThat(l.hit()).isTrue();
            assertThat(l.path()).isEqualTo(copy);
        }
        assertThat(SlowFileSystem.opens(store)).isEqualTo(opens);
    }

    @Test
    void aMissingStoreIsNamed() throws IOException {
        StoreCache cache = new StoreCache(cacheDir, 1L << 30, 3);
        assertThatThrownBy(() -> cache.acquire(slow(remote.resolve("nope.h5ad"))))
                .isInstanceOf(java.io.FileNotFoundException.class).hasMessageContaining("nope.h5ad");
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> s = Files.list(cacheDir)) {
            return s.filter(CacheFiles::isEntry).toList();
        }
    }

    private List<Path> scratch() throws IOException {
        try (Stream<Path> s = Files.list(cacheDir)) {
            return s.filter(p -> CacheFiles.scratchOwner(p).isPresent()).toList();
        }
    }

    private static int countFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return (int) s.filter(Files::isRegularFile).count();
        }
    }
}
