package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.collection.SampleDecoder;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.SlabPool;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import io.github.flinkanndata.source.split.SplitOrder;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Walks one split in emission order, from its {@code skip} position on, handing out batches of
 * decoded samples.
 *
 * <p>A plain split (one ascending run, no draws, no permutation) is decoded fetch by fetch, so
 * memory stays at one fetch. A shuffled or weighted split is decoded whole — its segments at once,
 * on the {@link DecodePool} — then put into emission order: draws picked, rows permuted
 * by the split's seed. The order depends only on the split, so a restored split resumes at
 * exactly the sample after the last one emitted.
 *
 * <p>Decoding can start before it is needed ({@link #decodeAhead}): the next fetch of a plain
 * split, or the whole of a shuffled one, runs on the pool while the fetcher converts what it
 * decoded before and the task thread emits it; {@link #next} then only waits for it. At most one
 * such piece of work is in flight per cursor.
 *
 * <p>With a {@link SlabPool}, the blocks a piece of work decodes go into arrays of a lease of the
 * pool (one per fetch of a plain split, one for a whole shuffled split), which the reader releases
 * through {@link #consumed} once the samples handed out last are converted: the next splits decode
 * into the same arrays. A lease whose samples may still be read (decoding cancelled, a failure) is
 * never released; its arrays are left to the garbage collector.
 */
@Internal
final class SplitCursor {
    private final AnnDataSplit split;
    private final boolean sparse;
    /** Fewest rows worth handing to another thread. */
    static final int MIN_PART_ROWS = 256;

    /** Rows per part of a long segment of a shuffled or weighted split. */
    static final int SEGMENT_PART_ROWS = 4096;

    @Nullable private final SlabPool slabs;
    private int position;
    @Nullable private List<Sample> ordered;
    /** The lease of {@link #ordered} (a shuffled split's), or null. */
    @Nullable private SlabPool.Lease orderedLease;
    /** The lease whose samples {@link #next} handed out last, once no later sample needs it. */
    @Nullable private SlabPool.Lease handedOut;
    @Nullable private Ahead ahead;

    /**
     * Decoding started ahead: the samples from {@code position} on ({@code count} of them, or the
     * whole split for a shuffled one), in pieces on the pool, put together by {@code assembly}.
     */
    private record Ahead(int position, int count, List<Future<List<Sample>>> parts,
            Function<List<List<Sample>>, List<Sample>> assembly, @Nullable SlabPool.Lease lease) {
        List<Sample> finish() throws AnnDataFormatException, InterruptedIOException {
            return assembly.apply(DecodePool.gather(parts));
        }

        void cancel() {
            parts.forEach(f -> f.cancel(true));
        }
    }

    SplitCursor(AnnDataSplit split, boolean sparse) {
        this(split, sparse, null);
    }

    /** A cursor decoding into arrays of {@code slabs}, or into new arrays if it is null. */
    SplitCursor(AnnDataSplit split, boolean sparse, @Nullable SlabPool slabs) {
        this.split = split;
        this.sparse = sparse;
        this.slabs = slabs;
        this.position = split.skip();
    }

    @Nullable
    private SlabPool.Lease newLease() {
        return slabs == null ? null : slabs.lease();
    }

    /**
     * Says that the samples {@link #next} returned last have been converted and are not kept:
     * arrays that no sample still to be handed out reads go back to the pool.
     */
    void consumed() {
        if (handedOut != null) {
            handedOut.release();
            handedOut = null;
        }
    }

    AnnDataSplit split() {
        return split;
    }

    /** Samples of the split's emission order emitted (or skipped) before the next {@link #next} call. */
    int position() {
        return position;
    }

    boolean done() {
        return position >= split.size();
    }

    /** The next at most {@code max} samples in emission order, decoded on {@code pool}. */
    List<Sample> next(int max, CollectionPlan plan, StoreHandles stores, ThreadPoolExecutor pool)
            throws AnnDataFormatException, InterruptedIOException {
        int n = Math.min(max, split.size() - position);
        List<Sample> out;
        if (isPlain()) {
            Ahead a = ahead;
            ahead = null;
            if (a != null && a.position() == position && a.count() == n) {
                out = a.finish();
                handedOut = a.lease();
            } else {
                if (a != null) {
                    a.cancel(); // another fetch size: not what is asked
                }
                SlabPool.Lease lease = newLease();
                out = concat(DecodePool.runAll(pool, plainFetch(n, plan, stores, pool, lease)), n);
                handedOut = lease;
            }
        } else {
            if (ordered == null) {
                Ahead a = ahead != null ? ahead : startWhole(plan, stores, pool);
                ahead = null;
                ordered = a.finish();
                orderedLease = a.lease();
            }
            out = new ArrayList<>(ordered.subList(position, position + n));
            handedOut = null; // later samples of the split read the same arrays
        }
        position += n;
        if (done() && ordered != null) {
            ordered = null;
            handedOut = orderedLease;
            orderedLease = null;
        }
        return out;
    }

    /**
     * Starts decoding what the next {@link #next}{@code (max, ...)} call returns, unless it is
     * decoded or being decoded already: the next fetch of a plain split, the whole of a shuffled
     * or weighted one. Returns at once.
     */
    void decodeAhead(int max, CollectionPlan plan, StoreHandles stores, ThreadPoolExecutor pool)
            throws AnnDataFormatException {
        if (ahead != null || done() || ordered != null) {
            return;
        }
        if (isPlain()) {
            int n = Math.min(max, split.size() - position);
            SlabPool.Lease lease = newLease();
            ahead = new Ahead(position, n, DecodePool.submitAll(pool, plainFetch(n, plan, stores, pool, lease)),
                    parts -> concat(parts, n), lease);
        } else {
            ahead = startWhole(plan, stores, pool);
        }
    }

    /** True when everything left to hand out is decoded or being decoded. */
    boolean decodedToEnd() {
        if (done() || ordered != null) {
            return true;
        }
        return ahead != null && (!isPlain() || ahead.position() + ahead.count() >= split.size());
    }

    /** Stops decoding started ahead (the reader closes, or the split is dropped). */
    void cancel() {
        if (ahead != null) {
            ahead.cancel();
            ahead = null;
        }
    }

    /** The work decoding the next {@code n} rows of a plain split: as many parts as threads, none below MIN_PART_ROWS. */
    private List<DecodePool.Work<List<Sample>>> plainFetch(int n, CollectionPlan plan, StoreHandles stores,
            ThreadPoolExecutor pool, @Nullable SlabPool.Lease lease) throws AnnDataFormatException {
        Segment s = split.segments().get(0);
        SampleDecoder decoder = stores.decoder(plan, s.store());
        List<DecodePool.Work<List<Sample>>> work = new ArrayList<>();
        parts(decoder, s.from() + position, s.from() + position + n,
                Math.min(pool.getMaximumPoolSize(), n / MIN_PART_ROWS), lease, work);
        return work;
    }

    private boolean isPlain() {
        List<Segment> segments = split.segments();
        return !split.permuted() && segments.size() == 1 && segments.get(0).draws() == null;
    }

    /** Work that decodes positions {@code [from, to)} in {@code count} (at least 1) parts of equal size. */
    private void parts(SampleDecoder decoder, long from, long to, int count, @Nullable SlabPool.Lease lease,
            List<DecodePool.Work<List<Sample>>> out) {
        long n = to - from;
        count = Math.max(1, count);
        for (int i = 0; i < count; i++) {
            long a = from + n * i / count;
            long b = from + n * (i + 1) / count;
            out.add(() -> decoder.decode(a, b, sparse, lease));
        }
    }

    /**
     * For segments of remote stores: fetches their chunks ahead of the decode threads, segment after
     * segment in the order the threads take them, on one prefetch thread; each segment's chunks are
     * requested at once (concurrently on the fetch pool, neighbours coalesced). A decode thread that
     * reaches a segment whose chunks are being fetched waits for that fetch, one that is ahead
     * fetches for itself (the prefetch then finds them cached). Only a hint: failures are left to
     * the decode, which reports them. Returns at once.
     */
    private static void prefetchAhead(List<Segment> segments, List<SampleDecoder> decoders) {
        if (segments.size() < 2) {
            return;
        }
        boolean remote = false;
        for (SampleDecoder d : decoders) {
            remote |= d.prefetches();
        }
        if (!remote) {
            return;
        }
        try {
            PREFETCH.execute(() -> {
                for (int i = 0; i < segments.size(); i++) {
                    Segment s = segments.get(i);
                    if (decoders.get(i).prefetches()) {
                        decoders.get(i).prefetch(s.from(), s.to());
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // no prefetch: the decode threads fetch as they go
        }
    }

    /** Runs the prefetches of splits being decoded (one task per split); idle threads end after 30 s. */
    private static final java.util.concurrent.ExecutorService PREFETCH = new ThreadPoolExecutor(0, Integer.MAX_VALUE,
            30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "anndata-split-prefetch");
                t.setDaemon(true);
                return t;
            });

    private static List<Sample> concat(List<List<Sample>> parts, int size) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        List<Sample> all = new ArrayList<>(size);
        parts.forEach(all::addAll);
        return all;
    }

    /**
     * Starts decoding the whole split: every segment on the pool at once (a long one in parts),
     * then draws picked and rows permuted when the result is assembled.
     */
    private Ahead startWhole(CollectionPlan plan, StoreHandles stores, ThreadPoolExecutor pool)
            throws AnnDataFormatException {
        // the decoders are opened here, on the fetcher thread: the store handles are not thread-safe
        List<Segment> segments = split.segments();
        List<DecodePool.Work<List<Sample>>> work = new ArrayList<>();
        int[] partsOf = new int[segments.size()];
        List<SampleDecoder> decoders = new ArrayList<>(segments.size());
        SlabPool.Lease lease = newLease();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            int before = work.size();
            SampleDecoder decoder = stores.decoder(plan, s.store());
            decoders.add(decoder);
            // the segments keep the threads busy; only a long one is cut, into parts of SEGMENT_PART_ROWS
            parts(decoder, s.from(), s.to(), (int) ((s.to() - s.from()) / SEGMENT_PART_ROWS), lease, work);
            partsOf[i] = work.size() - before;
        }
        prefetchAhead(segments, decoders);
        return new Ahead(0, split.size(), DecodePool.submitAll(pool, work), decoded -> assemble(decoded, partsOf),
                lease);
    }

    /** The decoded segments in emission order: draws picked, rows permuted by the split's seed. */
    private List<Sample> assemble(List<List<Sample>> decoded, int[] partsOf) {
        List<Segment> segments = split.segments();
        List<Sample> all = new ArrayList<>(split.size());
        int next = 0;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            List<Sample> run = concat(decoded.subList(next, next + partsOf[i]), Math.toIntExact(s.to() - s.from()));
            next += partsOf[i];
            int[] draws = s.draws();
            if (draws == null) {
                all.addAll(run);
            } else {
                for (int d : draws) {
                    all.add(run.get(d));
                }
            }
        }
        int[] perm = SplitOrder.permutation(split);
        if (perm == null) {
            return all;
        }
        List<Sample> out = new ArrayList<>(all.size());
        for (int p : perm) {
            out.add(all.get(p));
        }
        return out;
    }
}
