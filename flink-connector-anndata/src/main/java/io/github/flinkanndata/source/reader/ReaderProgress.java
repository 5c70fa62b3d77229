package io.github.flinkanndata.source.reader;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.annotation.Internal;

/**
 * Progress figures of one reader, updated on the task thread and read by metric reporters, and the
 * splits that started emitting (read by the reader, which asks for the next split then).
 */
@Internal
final class ReaderProgress {
    private final AtomicLong pending = new AtomicLong();
    private final AtomicInteger epoch = new AtomicInteger(-1);
    /** Splits whose first record was emitted since the reader last looked (task thread only). */
    private final List<String> started = new ArrayList<>();

    void splitStarted(String splitId) {
        started.add(splitId);
    }

    /** The splits started since the last call, in order. */
    List<String> drainStarted() {
        if (started.isEmpty()) {
            return List.of();
        }
        List<String> out = List.copyOf(started);
        started.clear();
        return out;
    }

    void added(long samples) {
        pending.addAndGet(samples);
    }

    void emitted(int recordEpoch, int samples) {
        pending.addAndGet(-samples);
        epoch.accumulateAndGet(recordEpoch, Math::max);
    }

    /** Samples of the splits assigned to this reader that are not emitted yet. */
    long pending() {
        return pending.get();
    }

    /** The highest epoch this reader has emitted a sample of, -1 before the first. */
    int epoch() {
        return epoch.get();
    }
}
