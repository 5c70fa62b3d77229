package io.github.flinkanndata.format.tree;

import java.lang.ref.Cleaner;
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
 * dropped without being cleared, when the cache is garbage collected.
 *
 * <p>Thread-safe. Values must be treated as immutable by callers: they are shared.
 */
public final class ChunkCache {
    private static final long GLOBAL_CAPACITY = Long.getLong("anndata.chunk-cache.global-bytes",
            Runtime.getRuntime().maxMemory() / 16);
    /** Global eviction goes this far below the budget, so that it does not run on every put. */
    private static final long GLOBAL_SLACK = GLOBAL_CAPACITY / 32;
    private static final AtomicLong GLOBAL_USED = new AtomicLong();
    /** The contents of every cache not yet collected, for eviction across caches. */
    private static final Set<Contents> LIVE = ConcurrentHashMap.newKeySet();
    /** Returns the bytes of a cache collected without being cleared. */
    private static final Cleaner CLEANER = Cleaner.create();

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
     * global registry and the cleaner reference this, so the cache itself can still be collected.
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

    /** The cleaner's action: never references the cache. */
    private static final class Release implements Runnable {
        private final Contents contents;

        Release(Contents contents) {
            this.contents = contents;
        }

        @Override
        public void run() {
            contents.clear();
            LIVE.remove(contents);
        }
    }

    private final long capacityBytes;
    private final Contents contents = new Contents();

    public ChunkCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
        LIVE.add(contents);
        CLEANER.register(this, new Release(contents));
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
            for (Contents c : LIVE) {
                long use = c.eldestUse();
                if (use != Long.MAX_VALUE && (victim == null || use < eldest)) {
                    eldest = use;
                    victim = c;
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

    /** Bytes held by all caches of this JVM. */
    public static long globalUsedBytes() {
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
