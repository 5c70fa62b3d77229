package io.github.flinkanndata.source.it;

import io.github.flinkanndata.source.record.CellRecord;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Chained behind a source, lets {@code limit} records through and then parks each subtask on its
 * next record until {@link #release()}: the source's task thread is stuck inside that emit, so its
 * counters stop at a known value while the job stays RUNNING (metrics of a finished job are gone).
 * Static state: one test at a time per JVM.
 */
final class MetricsGate implements MapFunction<CellRecord, CellRecord> {
    private static final long serialVersionUID = 1L;

    private static final AtomicLong ENTERED = new AtomicLong();
    private static final AtomicInteger PARKED = new AtomicInteger();
    private static volatile long limit;
    private static volatile boolean released;

    static void reset(long newLimit) {
        ENTERED.set(0);
        PARKED.set(0);
        limit = newLimit;
        released = false;
    }

    static void release() {
        released = true;
    }

    /** Records that reached the gate (forwarded or parked). */
    static long entered() {
        return ENTERED.get();
    }

    static int parked() {
        return PARKED.get();
    }

    @Override
    public CellRecord map(CellRecord record) throws InterruptedException {
        if (ENTERED.incrementAndGet() > limit && !released) {
            PARKED.incrementAndGet();
            while (!released) {
                Thread.sleep(5); // interrupted on cancel
            }
        }
        return record;
    }
}
