package io.github.flinkanndata.format.tree;

import io.github.flinkanndata.annotation.Internal;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded least-recently-used cache of decoded chunks, weighed in bytes, shared by all arrays of
 * one container. Neither jhdf nor our zarr reader caches decoded chunks, and without a cache
 * neighbouring row reads decode the same compressed chunk again (a gzip CSR row costs ~0.8 ms
 * uncached against ~40 us inside a cached range).
 *
 * <p>All caches of a JVM together also stay below a global budget ({@link #globalCapacityBytes()}:
 * a sixteenth of the maximum heap, or the system property {@code anndata.chunk-cache.global-bytes}):
 * a reader with many open stores would otherwise hold up to 64 MiB per store and outgrow a 1 GiB
 * TaskManager. The budget is shared least-recently-used across caches: a cache whose put finds it
 * spent evicts the entries used longest ago in any live cache, its own or another's, so a store read
 * for hours cannot keep the budget from a store opened later (which, when a cache could only evict
 * its own entries, cached nothing at all). A cache's bytes go back to the budget when it is
 * {@linkplain #clear() cleared} (its container closes), when they are evicted, and, for a cache
 * dropped without being cleared, once the cache has been garbage collected (on the next put or
 * cache opened).
 *
 * <p>Thread-safe. Values must be treated as immutable by callers: they are shared.
 */
@Internal
public final class ChunkCache {
    private static final long GLOBAL_CAPACITY = Long.getLong("anndata.chunk-cache.global-bytes",
            Runtime.getRuntime().maxMemory() / 16);
    /** Global eviction goes this far below the budget, so that it does not run on every put. */
    private static final long GLOBAL_SLACK = GLOBAL_CAPACITY / 32;
    private static final AtomicLong GLOBAL_USED = new AtomicLong();
    /** Every cache not yet collected, with its contents, for eviction across caches. */
    private static final Set<Tracker> LIVE = ConcurrentHashMap.newKeySet();
    /**
     * Caches collected without being cleared, whose bytes go back on the next put, open or look at
     * the budget. A queue polled by callers rather than a {@code Cleaner}: a cleaner's thread would
     * hold the class loader that created it (its context class loader, a job's user-code class
     * loader on a session cluster), and with it this class, forever.
     */
    private static final ReferenceQueue<ChunkCache> COLLECTED = new ReferenceQueue<>();

    /** Identity of one decoded chunk: the array's path and the chunk's linear index in its grid. */
    public static final class Key {
        private final String array;
        private final long chunk;
        private final int hash; // computed once: a key is built and hashed on every chunk lookup

        public Key(String array, long chunk) {
            this.array = array;
            this.chunk = chunk;
            this.hash = 31 * array.hashCode() + Long.hashCode(chunk);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return chunk == k.chunk && hash == k.hash && array.equals(k.array);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return array + "#" + chunk;
        }
    }

    private static final class Entry {
        final Object value;
        final long weight;
        /** When it was put or last read ({@link System#nanoTime()}), for eviction across caches. */
        long used;

        Entry(Object value, long weight) {
            this.value = value;
            this.weight = weight;
            this.used = System.nanoTime();
        }
    }

    /**
     * A cache's entries and accounting, apart from the {@link ChunkCache} that users hold: the
     * global registry references this (through the cache's tracker), so the cache itself can still be
     * collected.
     * Guarded by its own monitor; a thread holds at most one such monitor at a time.
     */
    private static final class Contents {
        final LinkedHashMap<Key, Entry> map = new LinkedHashMap<>(64, 0.75f, true);
        long usedBytes;
        long hits;
        long misses;

        /** When the least recently used entry was used; {@link Long#MAX_VALUE} when empty. */
        synchronized long eldestUse() {
            Iterator<Entry> it = map.values().iterator();
            return it.hasNext() ? it.next().used : Long.MAX_VALUE;
        }

        /** Evicts the least recently used entry; false when empty. */
        synchronized boolean evictEldest() {
            Iterator<Map.Entry<Key, Entry>> it = map.entrySet().iterator();
            if (!it.hasNext()) {
                return false;
            }
            long w = it.next().getValue().weight;
            it.remove();
            usedBytes -= w;
            GLOBAL_USED.addAndGet(-w);
            return true;
        }

        synchronized void clear() {
            map.clear();
            GLOBAL_USED.addAndGet(-usedBytes);
            usedBytes = 0;
        }
    }

    /** Tracks one cache until it is collected; holds its contents, never the cache itself. */
    private static final class Tracker extends PhantomReference<ChunkCache> {
        final Contents contents;

        Tracker(ChunkCache cache, Contents contents) {
            super(cache, COLLECTED);
            this.contents = contents;
        }
    }

    /** Returns the bytes of every cache collected since the last call (cheap when there is none). */
    private static void releaseCollected() {
        for (Reference<? extends ChunkCache> r = COLLECTED.poll(); r != null; r = COLLECTED.poll()) {
            Tracker t = (Tracker) r;
            t.contents.clear();
            LIVE.remove(t);
        }
    }

    private final long capacityBytes;
    private final Contents contents = new Contents();

    public ChunkCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
        releaseCollected();
        LIVE.add(new Tracker(this, contents));
    }

    /** The cached value, or null. */
    public Object get(Key key) {
        Contents c = contents;
        synchronized (c) {
            Entry e = c.map.get(key);
            if (e == null) {
                c.misses++;
                return null;
            }
            c.hits++;
            e.used = System.nanoTime();
            return e.value;
        }
    }

    /**
     * Caches a decoded chunk of the given weight (bytes). A value heavier than the whole capacity
     * (or the global budget) is not cached.
     */
    public void put(Key key, Object value, long weightBytes) {
        if (weightBytes > capacityBytes || weightBytes > GLOBAL_CAPACITY) {
            return;
        }
        Contents c = contents;
        synchronized (c) {
            Entry old = c.map.put(key, new Entry(value, weightBytes));
            long delta = weightBytes - (old != null ? old.weight : 0);
            c.usedBytes += delta;
            GLOBAL_USED.addAndGet(delta);
            Iterator<Map.Entry<Key, Entry>> it = c.map.entrySet().iterator();
            while (c.usedBytes > capacityBytes && it.hasNext()) {
                long w = it.next().getValue().weight;
                it.remove();
                c.usedBytes -= w;
                GLOBAL_USED.addAndGet(-w);
            }
        }
        releaseCollected();
        if (GLOBAL_USED.get() > GLOBAL_CAPACITY) {
            evictAcrossCaches();
        }
    }

    /**
     * Evicts the least recently used entries of all live caches until the global budget has room
     * again. Locks one cache at a time (never while holding another), so caches evicting each
     * other cannot deadlock; concurrent evictions may evict a little more than needed.
     */
    private static void evictAcrossCaches() {
        while (GLOBAL_USED.get() > GLOBAL_CAPACITY - GLOBAL_SLACK) {
            Contents victim = null;
            long eldest = Long.MAX_VALUE;
            for (Tracker t : LIVE) {
                long use = t.contents.eldestUse();
                if (use != Long.MAX_VALUE && (victim == null || use < eldest)) {
                    eldest = use;
                    victim = t.contents;
                }
            }
            if (victim == null) {
                return; // every cache is empty
            }
            victim.evictEldest(); // false if another thread emptied it meanwhile: look again
        }
    }

    /** The budget of all caches of this JVM together, in bytes. */
    public static long globalCapacityBytes() {
        return GLOBAL_CAPACITY;
    }

    /** Bytes held by all caches of this JVM (caches collected meanwhile have returned theirs). */
    public static long globalUsedBytes() {
        releaseCollected();
        return GLOBAL_USED.get();
    }

    /** Approximate heap weight of a decoded primitive or string array. */
    public static long weightOf(Object array) {
        if (array instanceof byte[] || array instanceof boolean[]) {
            return java.lang.reflect.Array.getLength(array);
        }
        if (array instanceof short[]) {
            return 2L * ((short[]) array).length;
        }
        if (array instanceof int[] || array instanceof float[]) {
            return 4L * java.lang.reflect.Array.getLength(array);
        }
        if (array instanceof long[] || array instanceof double[]) {
            return 8L * java.lang.reflect.Array.getLength(array);
        }
        if (array instanceof String[]) {
            long w = 16L * ((String[]) array).length;
            for (String s : (String[]) array) {
                w += s == null ? 0 : 2L * s.length();
            }
            return w;
        }
        return 64;
    }

    public long usedBytes() {
        synchronized (contents) {
            return contents.usedBytes;
        }
    }

    public long hits() {
        synchronized (contents) {
            return contents.hits;
        }
    }

    public long misses() {
        synchronized (contents) {
            return contents.misses;
        }
    }

    /** Drops every entry and returns their bytes to the global budget (the container closes). */
    public void clear() {
        contents.clear();
    }
}
