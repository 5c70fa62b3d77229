package io.github.flinkanndata.testutil;

import java.lang.management.ManagementFactory;

/** Measures the bytes a piece of code allocates on the calling thread (HotSpot's counter). */
public final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Code whose allocation is measured; it may throw, the throwable is returned by the meter. */
    public interface Body {
        void run() throws Throwable;
    }

    /** What the body allocated and what it threw (null if it returned). */
    public static final class Measured {
        public final long bytes;
        public final Throwable thrown;

        Measured(long bytes, Throwable thrown) {
            this.bytes = bytes;
            this.thrown = thrown;
        }
    }

    private Allocation() {}

    public static Measured measure(Body body) {
        THREADS.setThreadAllocatedMemoryEnabled(true);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Throwable thrown = null;
        try {
            body.run();
        } catch (Throwable t) {
            thrown = t;
        }
        return new Measured(THREADS.getCurrentThreadAllocatedBytes() - before, thrown);
    }
}
