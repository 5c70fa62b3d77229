package io.github.flinkanndata.format.fuzz;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one fuzz case on a watched worker thread and judges it: a clean result or an {@link
 * AnnDataFormatException} pass; any other throwable, a run past the time bound or an allocation
 * past the byte bound is a finding.
 *
 * <p>Time is bounded on the worker's CPU time (so a loaded CI machine does not turn slow cases
 * into false hangs) and, far more loosely, on wall-clock time (a case blocked without using CPU).
 * Allocation is the worker thread's cumulative allocated bytes, as counted by HotSpot
 * (com.sun.management.ThreadMXBean): it catches an allocation bomb even when the garbage collector
 * keeps up with it. Each case gets a fresh thread; a hung one cannot be stopped safely, so it is
 * interrupted and abandoned (it is a daemon); callers stop a run after a few hangs.
 *
 * <p>Not thread-safe: one caller at a time.
 */
final class Oracle implements AutoCloseable {
    /** A case evaluated on the worker. */
    interface Case {
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final long cpuBoundNanos;
    private final long wallBoundNanos;
    private int caseNumber;

    Oracle(long cpuBoundMillis, long wallBoundMillis) {
        if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread allocation or CPU time");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
        this.cpuBoundNanos = TimeUnit.MILLISECONDS.toNanos(cpuBoundMillis);
        this.wallBoundNanos = TimeUnit.MILLISECONDS.toNanos(wallBoundMillis);
    }

    /**
     * Runs {@code c} on a fresh thread (so its CPU time and allocation are the case's own) and
     * judges it against {@code allocationBound} bytes.
     */
    Verdict judge(Case c, long allocationBound) throws InterruptedException {
        CompletableFuture<Verdict> f = new CompletableFuture<>();
        Thread t = new Thread(() -> f.complete(runMeasured(c, allocationBound)), "fuzz-case-" + ++caseNumber);
        t.setDaemon(true);
        long start = System.nanoTime();
        t.start();
        while (true) {
            try {
                return f.get(10, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                long cpu = Math.max(0, THREADS.getThreadCpuTime(t.getId()));
                long wall = System.nanoTime() - start;
                if (cpu > cpuBoundNanos || wall > wallBoundNanos) {
                    RuntimeException where = new RuntimeException("worker stack when abandoned");
                    where.setStackTrace(t.getStackTrace());
                    t.interrupt();
                    return new Verdict(Verdict.Kind.HUNG, -1, cpu, where,
                            "still running after " + cpu / 1_000_000 + " ms cpu, " + wall / 1_000_000
                                    + " ms wall");
                }
            } catch (ExecutionException e) {
                // runMeasured catches every throwable; reaching here is a harness bug
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private static Verdict runMeasured(Case c, long allocationBound) {
        long tid = Thread.currentThread().getId();
        long alloc0 = THREADS.getThreadAllocatedBytes(tid);
        long cpu0 = THREADS.getThreadCpuTime(tid);
        Throwable failure = null;
        try {
            c.run();
        } catch (Throwable t) {
            failure = t;
        }
        long allocated = THREADS.getThreadAllocatedBytes(tid) - alloc0;
        long cpu = THREADS.getThreadCpuTime(tid) - cpu0;
        if (failure != null && !(failure instanceof AnnDataFormatException)) {
            return new Verdict(Verdict.Kind.ESCAPED, allocated, cpu, failure, String.valueOf(failure));
        }
        if (allocated > allocationBound) {
            return new Verdict(Verdict.Kind.ALLOCATED, allocated, cpu, failure,
                    "allocated " + allocated + " bytes, bound " + allocationBound);
        }
        return failure == null
                ? new Verdict(Verdict.Kind.CLEAN, allocated, cpu, null, "")
                : new Verdict(Verdict.Kind.REJECTED, allocated, cpu, failure, failure.getMessage());
    }

    /** Nothing to release: abandoned workers are daemons. */
    @Override
    public void close() {}
}
