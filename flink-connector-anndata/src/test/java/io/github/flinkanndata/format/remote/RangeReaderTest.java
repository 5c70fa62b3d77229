package io.github.flinkanndata.format.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RangeReader} over a local object storage: caching, coalescing, concurrency, retries, versions. */
class RangeReaderTest {
    @TempDir Path dir;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private byte[] object(String name, int size) throws IOException {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + name.hashCode());
        }
        Files.write(dir.resolve(name), b);
        return b;
    }

    private RangeReader reader(LocalObjectStorage storage, RangeCache cache, RemoteReadSettings settings,
            RemoteReadListener listener) {
        return new RangeReader(storage, cache, pool, settings, listener, ObjectVersions.firstSeenOnly());
    }

    @Test
    void rangesAreCachedByObjectVersionAndExact() throws Exception {
        byte[] data = object("a", 10_000);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeCache cache = new RangeCache(1 << 20);
        RangeReader r = reader(storage, cache, RemoteReadSettings.DEFAULTS, RemoteReadListener.NONE);
        ObjectInfo a = r.stat("a");
        assertThat(r.read(a, 100, 50)).isEqualTo(Arrays.copyOfRange(data, 100, 150));
        assertThat(r.read(a, 100, 50)).isEqualTo(Arrays.copyOfRange(data, 100, 150));
        assertThat(storage.reads.get()).isEqualTo(1);
        assertThat(storage.bytesRead.get()).isEqualTo(50);
        assertThat(cache.hits()).isEqualTo(1);
        // another version of the same URI (a replaced object) never hits the old bytes
        ObjectInfo replaced = new ObjectInfo(a.uri(), "a", a.length(), a.modified() + 1000, false);
        assertThat(cache.contains(replaced, 100, 50)).isFalse();
        assertThatThrownBy(() -> r.read(a, 9_990, 20)).isInstanceOf(java.io.EOFException.class)
                .hasMessageContaining("'a' has 10000 bytes");
    }

    @Test
    void neighbouringRangesAreCoalescedAndIndependentOnesFetchedConcurrently() throws Exception {
        byte[] a = object("a", 1 << 20);
        byte[] b = object("b", 1 << 20);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeCache cache = new RangeCache(16 << 20);
        RemoteReadSettings settings = new RemoteReadSettings(0, 0, 1000, 1 << 20, 0);
        AtomicInteger requests = new AtomicInteger();
        RangeReader r = reader(storage, cache, settings, new RemoteReadListener() {
            @Override
            public void fetched(long bytes, long nanos) {
                requests.incrementAndGet();
            }
        });
        ObjectInfo ia = r.stat("a");
        ObjectInfo ib = r.stat("b");
        List<RangeReader.Range> ranges = new ArrayList<>();
        ranges.add(new RangeReader.Range(ia, 0, 2000));
        ranges.add(new RangeReader.Range(ia, 2500, 2000)); // gap 500 <= 1000: same request as the first
        ranges.add(new RangeReader.Range(ia, 500_000, 100)); // far: its own request
        ranges.add(new RangeReader.Range(ia, 500_700, 100)); // gap 600 <= 1000, but 3x the bytes asked for: its own
        ranges.add(new RangeReader.Range(ib, 0, 100)); // another object: its own request
        r.prefetch(ranges);
        assertThat(requests.get()).isEqualTo(4);
        assertThat(storage.bytesRead.get()).isEqualTo(4500 + 100 + 100 + 100);
        assertThat(r.read(ia, 2500, 2000)).isEqualTo(Arrays.copyOfRange(a, 2500, 4500));
        assertThat(r.read(ib, 0, 100)).isEqualTo(Arrays.copyOfRange(b, 0, 100));
        assertThat(requests.get()).as("served from the cache").isEqualTo(4);
    }

    @Test
    void transientFailuresAreRetriedThenReportedWithStoreAndKey() throws Exception {
        byte[] data = object("chunk", 1000);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeReader r = reader(storage, new RangeCache(1 << 20), new RemoteReadSettings(2, 1, 0, 1 << 20, 0),
                RemoteReadListener.NONE);
        ObjectInfo c = r.stat("chunk");
        storage.failReads.set(2);
        assertThat(r.read(c, 0, 1000)).isEqualTo(data); // two failures, third attempt succeeds
        storage.failReads.set(3);
        assertThatThrownBy(() -> r.read(c, 10, 10)).isInstanceOf(IOException.class)
                .hasMessageContaining(storage.location()).hasMessageContaining("'chunk'")
                .hasMessageContaining("failed after 3 attempts").hasMessageContaining("injected connection reset");
    }

    @Test
    void anObjectReplacedAfterItWasSeenFailsAndIsNotServed() throws Exception {
        object("x", 1000);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeReader r = reader(storage, new RangeCache(1 << 20), RemoteReadSettings.DEFAULTS, RemoteReadListener.NONE);
        ObjectInfo x = r.stat("x");
        Files.write(dir.resolve("x"), new byte[500]); // shorter now
        assertThatThrownBy(() -> r.read(x, 0, 1000)).isInstanceOf(ObjectChangedException.class)
                .hasMessageContaining("'x' changed while the job reads it");
        Files.write(dir.resolve("x"), new byte[1000]);
        Files.setLastModifiedTime(dir.resolve("x"), java.nio.file.attribute.FileTime.fromMillis(x.modified() + 5000));
        assertThatThrownBy(() -> r.read(x, 0, 10)).isInstanceOf(ObjectChangedException.class);
    }

    @Test
    void anObjectModifiedAfterTheJobStartedFailsAtFirstSight() throws Exception {
        object("late", 100);
        Files.setLastModifiedTime(dir.resolve("late"), java.nio.file.attribute.FileTime.fromMillis(10_000));
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeReader r = new RangeReader(storage, new RangeCache(1 << 20), null, RemoteReadSettings.DEFAULTS,
                RemoteReadListener.NONE, new ObjectVersions(5_000, 2_000));
        assertThatThrownBy(() -> r.stat("late")).isInstanceOf(ObjectChangedException.class)
                .hasMessageContaining("after the job started reading");
        RangeReader tolerant = new RangeReader(storage, new RangeCache(1 << 20), null, RemoteReadSettings.DEFAULTS,
                RemoteReadListener.NONE, new ObjectVersions(8_500, 2_000));
        assertThat(tolerant.stat("late")).isNotNull(); // within the clock tolerance
    }

    @Test
    void theCacheStaysWithinItsBound() throws Exception {
        object("big", 1 << 20);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeCache cache = new RangeCache(100_000);
        RangeReader r = reader(storage, cache, RemoteReadSettings.DEFAULTS, RemoteReadListener.NONE);
        ObjectInfo big = r.stat("big");
        for (int i = 0; i < 100; i++) {
            r.read(big, i * 10_000L, 10_000);
            assertThat(cache.bytes()).isLessThanOrEqualTo(100_000);
        }
        r.read(big, 0, 60_000); // more than half the bound: read, not kept
        assertThat(cache.contains(big, 0, 60_000)).isFalse();
    }

    @Test
    void aRefusedAccessIsNotRetriedAndNamesStoreAndKey() throws Exception {
        object("secret", 100);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        AtomicInteger retries = new AtomicInteger();
        RangeReader r = reader(storage, new RangeCache(1 << 20), new RemoteReadSettings(3, 1, 0, 1 << 20, 0),
                new RemoteReadListener() {
                    @Override
                    public void retried() {
                        retries.incrementAndGet();
                    }
                });
        ObjectInfo o = r.stat("secret");
        storage.failWith = new java.nio.file.AccessDeniedException("secret", null, "403 Forbidden");
        assertThatThrownBy(() -> r.read(o, 0, 10)).isInstanceOf(IOException.class)
                .hasMessageContaining(storage.location()).hasMessageContaining("'secret'")
                .hasMessageContaining("403 Forbidden");
        assertThat(retries.get()).isZero();
    }

    @Test
    void withoutACachePrefetchFetchesNothing() throws Exception {
        object("a", 1000);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeReader r = reader(storage, new RangeCache(0), RemoteReadSettings.DEFAULTS, RemoteReadListener.NONE);
        ObjectInfo a = r.stat("a");
        r.prefetch(List.of(new RangeReader.Range(a, 0, 10), new RangeReader.Range(a, 500, 10)));
        assertThat(storage.reads.get()).isZero();
        assertThat(r.read(a, 0, 10)).hasSize(10);
        assertThat(storage.reads.get()).isEqualTo(1);
    }

    @Test
    void statusesOfADirectoryComeFromOneListing() throws Exception {
        Files.createDirectories(dir.resolve("X"));
        for (int i = 0; i < 20; i++) {
            Files.write(dir.resolve("X").resolve(String.valueOf(i)), new byte[10 + i]);
        }
        object("top", 5);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeReader r = reader(storage, new RangeCache(1 << 20), RemoteReadSettings.DEFAULTS, RemoteReadListener.NONE);
        for (int i = 0; i < 20; i++) {
            assertThat(r.statListed("X/" + i).length()).isEqualTo(10 + i);
        }
        assertThat(r.statListed("X/99")).as("not in the listing: nothing there").isNull();
        assertThat(storage.stats.get()).as("one listing of X, no status per key").isEqualTo(1);
        assertThat(r.statListed("top").length()).isEqualTo(5);
        assertThat(r.statListed("X")).as("a directory is listed too").isNotNull();
        assertThat(storage.stats.get()).as("and one of the root").isEqualTo(2);
    }

    @Test
    void aListedObjectOfAnotherVersionFailsWhenItIsAskedForOnly() throws Exception {
        Files.createDirectories(dir.resolve("d"));
        Files.write(dir.resolve("d").resolve("old"), new byte[10]);
        Files.write(dir.resolve("d").resolve("late"), new byte[10]);
        Files.setLastModifiedTime(dir.resolve("d").resolve("old"), java.nio.file.attribute.FileTime.fromMillis(1_000));
        Files.setLastModifiedTime(dir.resolve("d").resolve("late"), java.nio.file.attribute.FileTime.fromMillis(10_000));
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeReader r = new RangeReader(storage, new RangeCache(1 << 20), null, RemoteReadSettings.DEFAULTS,
                RemoteReadListener.NONE, new ObjectVersions(5_000, 2_000));
        assertThat(r.statListed("d/old")).isNotNull();
        assertThatThrownBy(() -> r.statListed("d/late")).isInstanceOf(ObjectChangedException.class)
                .hasMessageContaining("'d/late' changed while the job reads it")
                .hasMessageContaining("after the job started reading");
    }

    @Test
    void aReadTheFileSystemVerifiedAsksNoStatusAfterIt() throws Exception {
        byte[] data = object("v", 1000);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeReader r = reader(storage, new RangeCache(0), RemoteReadSettings.DEFAULTS, RemoteReadListener.NONE);
        ObjectInfo v = r.stat("v");
        int stats = storage.stats.get();
        assertThat(r.read(v, 0, 100)).isEqualTo(Arrays.copyOf(data, 100));
        assertThat(storage.stats.get()).as("an unverified read is followed by a status").isEqualTo(stats + 1);
        storage.verifiedReads = true;
        assertThat(r.read(v, 100, 100)).isEqualTo(Arrays.copyOfRange(data, 100, 200));
        assertThat(storage.stats.get()).as("a verified read is not").isEqualTo(stats + 1);
    }

    @Test
    void readersSharingListingsListEachDirectoryOnce() throws Exception {
        Files.createDirectories(dir.resolve("X"));
        Files.write(dir.resolve("X").resolve("0"), new byte[10]);
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        Listings shared = new Listings();
        RangeReader one = new RangeReader(storage, new RangeCache(1 << 20), null, RemoteReadSettings.DEFAULTS,
                RemoteReadListener.NONE, ObjectVersions.firstSeenOnly(), shared);
        RangeReader two = new RangeReader(storage, new RangeCache(1 << 20), null, RemoteReadSettings.DEFAULTS,
                RemoteReadListener.NONE, ObjectVersions.firstSeenOnly(), shared);
        assertThat(one.statListed("X/0").length()).isEqualTo(10);
        assertThat(two.statListed("X/0").length()).isEqualTo(10);
        assertThat(two.statListed("X/1")).isNull();
        assertThat(storage.stats.get()).as("one listing for both readers").isEqualTo(1);
        RangeReader own = new RangeReader(storage, new RangeCache(1 << 20), null, RemoteReadSettings.DEFAULTS,
                RemoteReadListener.NONE, ObjectVersions.firstSeenOnly());
        assertThat(own.statListed("X/0")).isNotNull();
        assertThat(storage.stats.get()).as("a reader with listings of its own lists again").isEqualTo(2);
    }

    @Test
    void chunksBelowOneDirectoryComeFromOneRecursiveListingWhereTheFileSystemHasOne() throws Exception {
        for (String k : List.of("X/c/0/0", "X/c/1/0", "X/c/1/1")) {
            Files.createDirectories(dir.resolve(k).getParent());
            Files.write(dir.resolve(k), new byte[7]);
        }
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        RangeReader r = RangeReader.simple(storage, 1 << 20);
        assertThat(r.statListedBelow("X/c", "X/c/0/0").length()).isEqualTo(7);
        assertThat(r.statListedBelow("X/c", "X/c/1/1").length()).isEqualTo(7);
        assertThat(storage.stats.get()).as("without recursive listings: one listing per directory").isEqualTo(2);

        storage = new LocalObjectStorage(dir);
        storage.recursive = true;
        r = RangeReader.simple(storage, 1 << 20);
        assertThat(r.statListedBelow("X/c", "X/c/0/0").length()).isEqualTo(7);
        assertThat(r.statListedBelow("X/c", "X/c/1/1").length()).isEqualTo(7);
        assertThat(r.statListedBelow("X/c", "X/c/1/2")).as("not stored").isNull();
        assertThat(storage.stats.get()).as("one recursive listing").isEqualTo(1);
        assertThat(r.read(r.statListedBelow("X/c", "X/c/1/0"), 0, 7)).hasSize(7);
    }

    @Test
    void theStatusOfAStoreRootIsAskedOncePerSharedListings() throws Exception {
        LocalObjectStorage storage = new LocalObjectStorage(dir);
        Listings shared = new Listings();
        for (int i = 0; i < 3; i++) {
            RangeReader reader = new RangeReader(storage, new RangeCache(1 << 20), null, RemoteReadSettings.DEFAULTS,
                    RemoteReadListener.NONE, ObjectVersions.firstSeenOnly(), shared);
            assertThat(reader.stat("").isDirectory()).isTrue();
        }
        assertThat(storage.stats.get()).isEqualTo(1);
    }
}
