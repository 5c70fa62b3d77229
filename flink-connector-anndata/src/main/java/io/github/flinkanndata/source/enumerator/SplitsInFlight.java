package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The splits readers are reading: assigned by this enumerator and not finished yet. A reader
 * reports each split that ends ({@link SplitFinishedEvent}) and asks for its next split when it
 * starts emitting one (or when one ends without a record, or at start); it emits its splits one
 * after another, so when it asks, every split it was given before the latest one has ended too (a
 * request drops them, should a report have been lost). A failed reader's splits come back through
 * {@code addSplitsBack}.
 * Splits a reader restored from its own checkpoint are not known here; they count once the reader
 * asks again.
 *
 * <p>What the enumerator's epoch is ahead of: the oldest epoch a reader is still emitting. A
 * growing collection never lets that lead exceed one epoch, so "sampled from the next epoch on"
 * means at most one epoch after what readers are emitting.
 *
 * <p>Used on the coordinator thread only; the metric gauges read the volatile summary.
 */
@Internal
final class SplitsInFlight {
    /** The latest split given to each reader and, when it asked ahead, the one before (finished or not). */
    private final Map<Integer, Deque<AnnDataSplit>> bySubtask = new HashMap<>();
    private volatile int count;
    private volatile int oldestEpoch = -1;

    void assigned(int subtask, AnnDataSplit split) {
        bySubtask.computeIfAbsent(subtask, k -> new ArrayDeque<>(2)).addLast(split);
        update();
    }

    /** The reader asked for a split: the splits it was given before the latest one are finished. */
    void requested(int subtask) {
        Deque<AnnDataSplit> held = bySubtask.get(subtask);
        if (held == null || held.size() <= 1) {
            return;
        }
        while (held.size() > 1) {
            held.removeFirst();
        }
        update();
    }

    /** The reader reports that {@code splitId} ended; true if it was in flight. */
    boolean finished(int subtask, String splitId) {
        Deque<AnnDataSplit> held = bySubtask.get(subtask);
        if (held != null && held.removeIf(s -> s.splitId().equals(splitId))) {
            update();
            return true;
        }
        return false;
    }

    /** The reader failed: its splits are handed back (or were never read). */
    void returned(int subtask) {
        if (bySubtask.remove(subtask) != null) {
            update();
        }
    }

    /** Splits readers are reading. */
    int count() {
        return count;
    }

    /** The oldest epoch a reader is reading, -1 when none is reading a split of this enumerator. */
    int oldestEpoch() {
        return oldestEpoch;
    }

    /** True if a reader still reads a split more than {@code maxLead} epochs before {@code epoch}. */
    boolean behind(int epoch, int maxLead) {
        int oldest = oldestEpoch;
        return oldest >= 0 && epoch - oldest > maxLead;
    }

    private void update() {
        int oldest = -1;
        int n = 0;
        for (Deque<AnnDataSplit> held : bySubtask.values()) {
            for (AnnDataSplit s : held) {
                oldest = oldest < 0 ? s.epoch() : Math.min(oldest, s.epoch());
                n++;
            }
        }
        oldestEpoch = oldest;
        count = n;
    }
}
