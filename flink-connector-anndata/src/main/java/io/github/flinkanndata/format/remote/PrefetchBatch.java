package io.github.flinkanndata.format.remote;

import io.github.flinkanndata.annotation.Internal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Prefetches of one thread collected into one batch, so that ranges that several reads ask for
 * separately are coalesced together: while a batch is open on a thread, {@link
 * RangeReader#prefetch} there only queues its ranges, and closing the batch starts fetching them,
 * per reader in as few requests as coalescing allows ({@link RemoteReadSettings#coalesceGapBytes()},
 * 64 KiB by default, and {@link RemoteReadSettings#maxRequestBytes()}), concurrently on the
 * reader's pool, and returns once every range is registered as in flight (a read of one waits for
 * its fetch instead of fetching it again). The source opens one around the prefetch of a split's
 * blocks: with a sharded zarr v3 array, the inner chunks of one shard that different blocks of the
 * split need are then one request instead of one each. The groups are requested in the order
 * their first range was asked for, so the blocks the decode threads take first come first.
 *
 * <p>A batch flushes early once it holds an eighth of a reader's range cache or {@link
 * #MAX_RANGES} ranges (fetched ranges must stay in the cache until they are read). Like a
 * prefetch, only a hint: a failure is left for the read of the range to report. Not thread-safe:
 * one batch per thread.
 */
@Internal
public final class PrefetchBatch implements AutoCloseable {
    /** Ranges queued at most before the batch is flushed. */
    static final int MAX_RANGES = 1024;

    private static final ThreadLocal<PrefetchBatch> CURRENT = new ThreadLocal<>();

    private final Map<RangeReader, List<RangeReader.Range>> queued = new LinkedHashMap<>();
    private final boolean nested;
    private int ranges;
    private long bytes;

    private PrefetchBatch(boolean nested) {
        this.nested = nested;
    }

    /** Opens a batch on this thread (inside an open one: that one, closing this does nothing). */
    public static PrefetchBatch begin() {
        if (CURRENT.get() != null) {
            return new PrefetchBatch(true);
        }
        PrefetchBatch b = new PrefetchBatch(false);
        CURRENT.set(b);
        return b;
    }

    /** The batch open on this thread, or null. */
    @Nullable
    static PrefetchBatch open() {
        return CURRENT.get();
    }

    /** Queues the ranges of {@code reader}; false if they are not worth queuing (nothing is cached). */
    boolean add(RangeReader reader, List<RangeReader.Range> more) {
        long bound = reader.cacheBound();
        if (bound == 0) {
            return false;
        }
        queued.computeIfAbsent(reader, r -> new ArrayList<>()).addAll(more);
        ranges += more.size();
        for (RangeReader.Range r : more) {
            bytes += r.length;
        }
        if (ranges >= MAX_RANGES || bytes > bound / 8) {
            flush();
        }
        return true;
    }

    /** Starts fetching what is queued (failures are left to the reads of the ranges). */
    public void flush() {
        for (Map.Entry<RangeReader, List<RangeReader.Range>> e : queued.entrySet()) {
            try {
                e.getKey().prefetchStart(e.getValue());
            } catch (IOException | RuntimeException ex) {
                // only a hint: the read of a range that failed here fetches it again and reports
            }
        }
        queued.clear();
        ranges = 0;
        bytes = 0;
    }

    /** Flushes and closes the batch (a nested one: nothing). */
    @Override
    public void close() {
        if (nested) {
            return;
        }
        try {
            flush();
        } finally {
            CURRENT.remove();
        }
    }
}
