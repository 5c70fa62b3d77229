package io.github.flinkanndata.format.tree;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Large {@code int[]} and {@code float[]} arrays for range reads (the CSR parts of a block of
 * rows), handed out by {@link Lease}s and used again once a lease is released.
 *
 * <p>Why: a reader decodes a split into arrays of megabytes that live until the split has been
 * emitted, a second or so. Fresh arrays for every split were each zeroed by the JVM, outlived a
 * young collection or two and were copied into the old generation, which then filled and was
 * compacted: in a serving job (one rank, block-shuffled zarr stores) the parallel collector's
 * pauses stopped every thread for 5.4 s of 69 s. Arrays used again stay where they are.
 *
 * <p>An array handed out may be longer than asked for and holds arbitrary values: the reader
 * writes every element it uses. The pool keeps at most {@code maxBytes} of free arrays (more are
 * left to the garbage collector) and prefers the shortest free array that is long enough, and not
 * more than twice as long. Thread-safe.
 */
public final class SlabPool {
    /** Arrays are allocated this much longer than asked for (an eighth), so that they fit again. */
    private static final int SLACK_SHIFT = 3;

    private final long maxBytes;
    private final Map<Class<?>, TreeMap<Integer, ArrayDeque<Object>>> free = Map.of(
            int[].class, new TreeMap<>(), float[].class, new TreeMap<>());
    private long freeBytes;

    /** A pool that keeps up to {@code maxBytes} of free arrays. */
    public SlabPool(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A new lease: the arrays it hands out return to the pool when it is released. */
    public Lease lease() {
        return new Lease();
    }

    /** Drops the free arrays (leased ones return as usual). */
    public synchronized void clear() {
        free.values().forEach(TreeMap::clear);
        freeBytes = 0;
    }

    /** Bytes of free arrays the pool holds. */
    public synchronized long freeBytes() {
        return freeBytes;
    }

    private synchronized Object take(Class<?> type, int n) {
        TreeMap<Integer, ArrayDeque<Object>> shelf = free.get(type);
        Map.Entry<Integer, ArrayDeque<Object>> e = shelf.ceilingEntry(n);
        if (e != null && e.getKey() / 2 <= n) {
            Object a = e.getValue().poll();
            if (e.getValue().isEmpty()) {
                shelf.remove(e.getKey());
            }
            freeBytes -= 4L * e.getKey();
            return a;
        }
        return null;
    }

    private synchronized void put(Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        if (freeBytes + 4L * n > maxBytes) {
            return; // the garbage collector takes it
        }
        free.get(array.getClass()).computeIfAbsent(n, k -> new ArrayDeque<>()).push(array);
        freeBytes += 4L * n;
    }

    private static int allocated(int n) {
        return (int) Math.min(Integer.MAX_VALUE - 16, (long) n + (n >> SLACK_SHIFT));
    }

    /**
     * The arrays of one piece of work (a split being decoded). Hands out arrays from the pool, or
     * new ones, and returns them all on {@link #release}, which its owner calls once nothing reads
     * them any more. A lease that is never released leaves its arrays to the garbage collector.
     */
    public final class Lease {
        private List<Object> held = new ArrayList<>();

        private Lease() {}

        /** An {@code int[]} of at least {@code n} elements, of arbitrary content. */
        public int[] ints(int n) {
            int[] a = (int[]) take(int[].class, n);
            return hold(a != null ? a : new int[allocated(n)]);
        }

        /** A {@code float[]} of at least {@code n} elements, of arbitrary content. */
        public float[] floats(int n) {
            float[] a = (float[]) take(float[].class, n);
            return hold(a != null ? a : new float[allocated(n)]);
        }

        private synchronized <A> A hold(A array) {
            if (held != null) {
                held.add(array);
            }
            return array;
        }

        /** Returns the arrays to the pool: the caller guarantees that none of them is read again. */
        public void release() {
            List<Object> arrays;
            synchronized (this) {
                arrays = held;
                held = null; // released once; arrays handed out after this are not kept
            }
            if (arrays != null) {
                arrays.forEach(SlabPool.this::put);
            }
        }
    }
}
