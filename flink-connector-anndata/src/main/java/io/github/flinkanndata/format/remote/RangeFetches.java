package io.github.flinkanndata.format.remote;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import javax.annotation.Nullable;

/**
 * The ranges of one {@link RangeReader} on their way from the file system: the range cache first,
 * then the registry of ranges being fetched now (a read of a range another read or a prefetch is
 * fetching waits for that fetch instead of fetching it again), and batches of ranges ({@link
 * #prefetch}) coalesced into as few requests as the settings allow and fetched concurrently on a
 * bounded pool. The requests themselves (retries, version checks) are the reader's ({@link
 * Fetcher}). Thread-safe.
 */
final class RangeFetches {
    /** One range from the file system, retried and checked (the reader's {@code fetch}). */
    interface Fetcher {
        byte[] fetch(ObjectInfo object, long offset, int length) throws IOException;
    }

    private final String location;
    private final RangeCache cache;
    @Nullable private final Executor pool;
    private final RemoteReadSettings settings;
    private final RemoteReadListener listener;
    private final Fetcher fetcher;
    /** Ranges being fetched now, by {@link #flightKey}: another read of one waits for that fetch. */
    private final ConcurrentMap<String, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();

    RangeFetches(String location, RangeCache cache, @Nullable Executor pool, RemoteReadSettings settings,
            RemoteReadListener listener, Fetcher fetcher) {
        this.location = location;
        this.cache = cache;
        this.pool = pool;
        this.settings = settings;
        this.listener = listener;
        this.fetcher = fetcher;
    }

    /** The result of {@code f}, its failure unwrapped (an I/O failure as itself). */
    static <T> T await(Future<T> f, String location) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("store " + location + ": interrupted while fetching");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            throw new IOException("store " + location + ": fetch failed: " + cause, cause);
        }
    }

    /** Exactly the bytes of a range (bounds checked by the caller): cached, being fetched, or fetched. */
    byte[] read(ObjectInfo object, long offset, int length) throws IOException {
        byte[] cached = cache.get(object, offset, length);
        if (cached != null) {
            listener.cacheHit(length);
            return cached;
        }
        String key = flightKey(object, offset, length);
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> pending = inFlight.putIfAbsent(key, mine);
        if (pending != null) {
            try {
                byte[] b = await(pending, location); // another read or a prefetch is fetching exactly this range
                listener.cacheHit(length);
                return b;
            } catch (IOException e) {
                mine = null; // fetch it here: the failure is then reported for this read, with its own retries
            }
        }
        listener.cacheMiss(length);
        try {
            byte[] b = fetcher.fetch(object, offset, length);
            cache.put(object, offset, b);
            if (mine != null) {
                mine.complete(b);
            }
            return b;
        } catch (IOException | RuntimeException e) {
            if (mine != null) {
                mine.completeExceptionally(e);
            }
            throw e;
        } finally {
            if (mine != null) {
                inFlight.remove(key, mine);
            }
        }
    }

    private static String flightKey(ObjectInfo object, long offset, int length) {
        return object.uri() + '\0' + object.length() + '\0' + object.modified() + '\0' + offset + '\0' + length;
    }

    /**
     * See {@link RangeReader#prefetch}; bounds checked by the caller. Every coalesced group is
     * registered as in flight before any is fetched, so that a read of one of its ranges waits
     * for it instead of fetching it again.
     */
    void prefetch(List<RangeReader.Range> ranges) throws IOException {
        if (cache.maxBytes() == 0) {
            return; // nothing would be kept: the reads that follow fetch for themselves
        }
        List<RangeReader.Range> missing = new ArrayList<>();
        for (RangeReader.Range r : ranges) {
            if (!cache.contains(r.object, r.offset, r.length)
                    && !inFlight.containsKey(flightKey(r.object, r.offset, r.length))) {
                missing.add(r);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        List<Claim> claims = new ArrayList<>();
        for (List<RangeReader.Range> g : coalesce(missing)) {
            Claim c = claim(g);
            if (c != null) {
                claims.add(c);
            }
        }
        if (pool == null || claims.size() == 1) {
            IOException first = null;
            for (Claim c : claims) {
                try {
                    c.fetch(); // every claim is fetched (or failed), so that no read waits for nothing
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
            return;
        }
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (Claim c : claims) {
            try {
                futures.add(CompletableFuture.runAsync(() -> {
                    try {
                        c.fetch();
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, pool));
            } catch (RejectedExecutionException e) {
                c.fetch(); // pool shut down (the job ends): fetch here
            }
        }
        for (CompletableFuture<Void> f : futures) {
            await(f, location); // the first failure in submission order
        }
    }

    /**
     * A coalesced request fetches at most this fraction (1/8) of the bytes it was asked for in the
     * gaps between them: the bytes of a gap are not kept (they are no range anyone asked for), and
     * a block-shuffled epoch over a sharded store, whose blocks need inner chunks of one shard with
     * other inner chunks between them, must not fetch much more than it decodes.
     */
    static final int MAX_WASTE_FRACTION = 8;

    /**
     * Groups sorted ranges of one object whose gaps are at most the coalescing gap ({@link
     * RemoteReadSettings#coalesceGapBytes()}, 64 KiB by default) into requests of at most {@link
     * RemoteReadSettings#maxRequestBytes()} that spend at most {@link #MAX_WASTE_FRACTION} of their
     * bytes on gaps; the groups in the order of their first range in {@code ranges} (callers list
     * the ranges in the order the decode needs them: the first needed are requested first).
     */
    private List<List<RangeReader.Range>> coalesce(List<RangeReader.Range> ranges) {
        java.util.Map<RangeReader.Range, Integer> asked = new java.util.IdentityHashMap<>();
        for (int i = 0; i < ranges.size(); i++) {
            asked.putIfAbsent(ranges.get(i), i);
        }
        List<RangeReader.Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing((RangeReader.Range r) -> r.object.uri()).thenComparingLong(r -> r.offset));
        List<List<RangeReader.Range>> groups = new ArrayList<>();
        List<Integer> firstAsked = new ArrayList<>();
        List<RangeReader.Range> current = null;
        long start = 0;
        long end = 0;
        long wanted = 0; // bytes of the group's ranges
        for (RangeReader.Range r : sorted) {
            long gap = r.offset - end;
            long span = Math.max(end, r.offset + r.length) - start;
            boolean joins = current != null && current.get(0).object.sameVersion(r.object)
                    && gap <= settings.coalesceGapBytes() && span <= settings.maxRequestBytes()
                    && span - (wanted + r.length) <= (wanted + r.length) / MAX_WASTE_FRACTION;
            if (!joins) {
                current = new ArrayList<>();
                groups.add(current);
                firstAsked.add(Integer.MAX_VALUE);
                start = r.offset;
                end = r.offset;
                wanted = 0;
            }
            wanted += r.length;
            current.add(r);
            int g = groups.size() - 1;
            firstAsked.set(g, Math.min(firstAsked.get(g), asked.get(r)));
            end = Math.max(end, r.offset + r.length);
        }
        Integer[] order = new Integer[groups.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(firstAsked::get));
        List<List<RangeReader.Range>> inOrder = new ArrayList<>(groups.size());
        for (Integer i : order) {
            inOrder.add(groups.get(i));
        }
        return inOrder;
    }

    /**
     * Registers as in flight the ranges of a coalesced group that are neither cached nor being
     * fetched (those are left to their fetch); null if none is left.
     */
    @Nullable
    private Claim claim(List<RangeReader.Range> candidates) {
        ObjectInfo object = candidates.get(0).object;
        Claim c = new Claim(object, candidates.size());
        for (RangeReader.Range r : candidates) {
            // reads of these ranges wait for this fetch instead of fetching them again; a range another
            // prefetch is fetching already is left to it
            String key = flightKey(object, r.offset, r.length);
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            if (inFlight.putIfAbsent(key, f) != null || cache.contains(object, r.offset, r.length)) {
                inFlight.remove(key, f);
                continue;
            }
            c.ranges.add(r);
            c.keys.add(key);
            c.owned.add(f);
            c.start = Math.min(c.start, r.offset);
            c.end = Math.max(c.end, r.offset + r.length);
        }
        return c.ranges.isEmpty() ? null : c;
    }

    /** Ranges of one object registered as in flight, to be fetched in one request. */
    private final class Claim {
        final ObjectInfo object;
        final List<RangeReader.Range> ranges;
        final List<String> keys;
        final List<CompletableFuture<byte[]>> owned;
        long start = Long.MAX_VALUE;
        long end;

        Claim(ObjectInfo object, int size) {
            this.object = object;
            this.ranges = new ArrayList<>(size);
            this.keys = new ArrayList<>(size);
            this.owned = new ArrayList<>(size);
        }

        void fetch() throws IOException {
            try {
                byte[] all = fetcher.fetch(object, start, (int) (end - start));
                for (int i = 0; i < ranges.size(); i++) {
                    RangeReader.Range r = ranges.get(i);
                    listener.cacheMiss(r.length);
                    byte[] b = all.length == r.length ? all
                            : Arrays.copyOfRange(all, (int) (r.offset - start), (int) (r.offset - start) + r.length);
                    cache.put(object, r.offset, b);
                    owned.get(i).complete(b);
                }
            } catch (IOException | RuntimeException e) {
                for (CompletableFuture<byte[]> f : owned) {
                    f.completeExceptionally(e);
                }
                throw e;
            } finally {
                for (int i = 0; i < keys.size(); i++) {
                    inFlight.remove(keys.get(i), owned.get(i));
                }
            }
        }
    }
}
