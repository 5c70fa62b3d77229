package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The splits readers are reading: assigned by this enumerator and not finished yet. A reader
 * holds one split at a time — it asks for the next one when its split finished (or at start) —
 * so a split request finishes the split the reader held, and a failed reader's splits come back
 * through {@code addSplitsBack}. Splits a reader restored from its own checkpoint are not known
 * here; they count once the reader asks again.
 *
 * <p>What the enumerator's epoch is ahead of: the oldest epoch a reader is still emitting. A
 * growing collection never lets that lead exceed one epoch, so "sampled from the next epoch on"
 * means at most one epoch after what readers are emitting.
 *
 * <p>Used on the coordinator thread only; the metric gauges read the volatile summary.
 */
@Internal
final class SplitsInFlight {
    private final Map<Integer, AnnDataSplit> bySubtask = new HashMap<>();
    private volatile int count;
    private volatile int oldestEpoch = -1;

    void assigned(int subtask, AnnDataSplit split) {
        bySubtask.put(subtask, split);
        update();
    }

    /** The reader asked for a split: the one it held (if any) is finished. */
    void finished(int subtask) {
        if (bySubtask.remove(subtask) != null) {
            update();
        }
    }

    /** The reader failed: its split is handed back (or was never read). */
    void returned(int subtask) {
        finished(subtask);
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
        for (AnnDataSplit s : bySubtask.values()) {
            oldest = oldest < 0 ? s.epoch() : Math.min(oldest, s.epoch());
        }
        oldestEpoch = oldest;
        count = bySubtask.size();
    }
}
