package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.collection.SampleDecoder;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import io.github.flinkanndata.source.split.SplitOrder;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
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
 */
@Internal
final class SplitCursor {
    private final AnnDataSplit split;
    private final boolean sparse;
    /** Fewest rows worth handing to another thread. */
    static final int MIN_PART_ROWS = 256;

    /** Rows per part of a long segment of a shuffled or weighted split. */
    static final int SEGMENT_PART_ROWS = 4096;

    private int position;
    @Nullable private List<Sample> ordered;

    SplitCursor(AnnDataSplit split, boolean sparse) {
        this.split = split;
        this.sparse = sparse;
        this.position = split.skip();
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
            Segment s = split.segments().get(0);
            SampleDecoder decoder = stores.decoder(plan, s.store());
            List<DecodePool.Work<List<Sample>>> work = new ArrayList<>();
            // a sequential fetch: in as many parts as there are threads, none below MIN_PART_ROWS
            parts(decoder, s.from() + position, s.from() + position + n,
                    Math.min(pool.getMaximumPoolSize(), n / MIN_PART_ROWS), work);
            out = concat(DecodePool.runAll(pool, work), n);
        } else {
            if (ordered == null) {
                ordered = materialise(plan, stores, pool);
            }
            out = new ArrayList<>(ordered.subList(position, position + n));
        }
        position += n;
        if (done()) {
            ordered = null;
        }
        return out;
    }

    private boolean isPlain() {
        List<Segment> segments = split.segments();
        return !split.permuted() && segments.size() == 1 && segments.get(0).draws() == null;
    }

    /** Work that decodes positions {@code [from, to)} in {@code count} (at least 1) parts of equal size. */
    private void parts(SampleDecoder decoder, long from, long to, int count, List<DecodePool.Work<List<Sample>>> out) {
        long n = to - from;
        count = Math.max(1, count);
        for (int i = 0; i < count; i++) {
            long a = from + n * i / count;
            long b = from + n * (i + 1) / count;
            out.add(() -> decoder.decode(a, b, sparse));
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

    private List<Sample> materialise(CollectionPlan plan, StoreHandles stores, ThreadPoolExecutor pool)
            throws AnnDataFormatException, InterruptedIOException {
        // every segment decoded on the pool at once (the decoders are opened here, on the fetcher
        // thread: the store handles are not thread-safe); a long segment in parts
        List<Segment> segments = split.segments();
        List<DecodePool.Work<List<Sample>>> work = new ArrayList<>();
        int[] partsOf = new int[segments.size()];
        List<SampleDecoder> decoders = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            int before = work.size();
            SampleDecoder decoder = stores.decoder(plan, s.store());
            decoders.add(decoder);
            // the segments keep the threads busy; only a long one is cut, into parts of SEGMENT_PART_ROWS
            parts(decoder, s.from(), s.to(), (int) ((s.to() - s.from()) / SEGMENT_PART_ROWS), work);
            partsOf[i] = work.size() - before;
        }
        prefetchAhead(segments, decoders);
        List<List<Sample>> decoded = DecodePool.runAll(pool, work);
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
