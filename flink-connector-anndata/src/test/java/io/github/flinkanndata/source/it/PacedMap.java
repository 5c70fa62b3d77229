package io.github.flinkanndata.source.it;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Forwards records, sleeping {@link #pauseMillis} per record and counting them: keeps an unbounded
 * job from running far ahead of a test that wants to stop it, and tells the test how many records
 * a stopped job handed on. Static state: one test at a time per JVM.
 */
final class PacedMap<T> implements MapFunction<T, T> {
    private static final long serialVersionUID = 1L;

    private static final AtomicLong PASSED = new AtomicLong();
    static volatile long pauseMillis;

    static void reset(long millis) {
        PASSED.set(0);
        pauseMillis = millis;
    }

    static long passed() {
        return PASSED.get();
    }

    @Override
    public T map(T record) throws InterruptedException {
        long millis = pauseMillis;
        if (millis > 0) {
            Thread.sleep(millis);
        }
        PASSED.incrementAndGet();
        return record;
    }
}
