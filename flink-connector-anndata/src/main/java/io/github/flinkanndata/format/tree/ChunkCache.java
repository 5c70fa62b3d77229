package io.github.flinkanndata.format.tree;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * TaskManager. A cache that finds the budget spent evicts its own eldest entries first.
 *
 * <p>Thread-safe. Values must be treated as immutable by callers: they are shared.
 */
public final class ChunkCache {
    private static final long GLOBAL_CAPACITY = Long.getLong("anndata.chunk-cache.global-bytes",
            Runtime.getRuntime().maxMemory() / 16);
    private static final AtomicLong GLOBAL_USED = new AtomicLong();

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

        Entry(Object value, long weight) {
            this.value = value;
            this.weight = weight;
        }
    }

    private final long capacityBytes;
    private final LinkedHashMap<Key, Entry> map = new LinkedHashMap<>(64, 0.75f, true);
    private long usedBytes;
    private long hits;
    private long misses;

    public ChunkCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** The cached value, or null. */
    public synchronized Object get(Key key) {
        Entry e = map.get(key);
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        return e.value;
    }

    /**
     * Caches a decoded chunk of the given weight (bytes). A value heavier than the whole capacity
     * is not cached.
     */
    public synchronized void put(Key key, Object value, long weightBytes) {
        if (weightBytes > capacityBytes) {
            return;
        }
        Entry old = map.put(key, new Entry(value, weightBytes));
        long delta = weightBytes - (old != null ? old.weight : 0);
        usedBytes += delta;
        GLOBAL_USED.addAndGet(delta);
        Iterator<Map.Entry<Key, Entry>> it = map.entrySet().iterator();
        while ((usedBytes > capacityBytes || GLOBAL_USED.get() > GLOBAL_CAPACITY) && it.hasNext()) {
            Map.Entry<Key, Entry> eldest = it.next();
            long w = eldest.getValue().weight;
            usedBytes -= w;
            GLOBAL_USED.addAndGet(-w);
            it.remove();
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

    public synchronized long usedBytes() {
        return usedBytes;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public synchronized void clear() {
        map.clear();
        GLOBAL_USED.addAndGet(-usedBytes);
        usedBytes = 0;
    }
}
