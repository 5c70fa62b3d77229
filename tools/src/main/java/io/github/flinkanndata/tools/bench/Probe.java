package io.github.flinkanndata.tools.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Memory probes of one benchmark case inside this JVM: the peak of used heap (sampled every 20 ms
 * on a daemon thread; garbage included), the peak heap occupancy after a collection (the live set) and the peak resident set (the kernel's {@code VmHWM}, reset per case by
 * writing 5 to {@code /proc/self/clear_refs}). The JVM hosts the whole MiniCluster, so the heap
 * is the TaskManagers' plus the JobManager's.
 */
final class Probe implements AutoCloseable {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peakHeap;
    private volatile long peakLive;

    Probe() {
        resetRss();
        sampler = new Thread(() -> {
            while (running) {
                long used = MEMORY.getHeapMemoryUsage().getUsed();
                if (used > peakHeap) {
                    peakHeap = used;
                }
                long live = 0;
                for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    java.lang.management.MemoryUsage after = pool.getType() == java.lang.management.MemoryType.HEAP
                            ? pool.getCollectionUsage() : null;
                    live += after == null ? 0 : after.getUsed();
                }
                if (live > peakLive) {
                    peakLive = live;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-probe");
        sampler.setDaemon(true);
        sampler.start();
    }

    long peakHeapBytes() {
        return peakHeap;
    }

    /** The largest heap occupancy right after a collection: the peak of what was really live. */
    long peakLiveHeapBytes() {
        return peakLive;
    }

    /** CPU time of the whole process (all threads), in nanoseconds. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : -1;
    }

    static long maxHeapBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    /** Peak resident set since the last reset, in bytes; -1 where /proc is missing. */
    static long peakRssBytes() {
        return procStatus("VmHWM:");
    }

    private static void resetRss() {
        try {
            Files.writeString(Paths.get("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the peak then covers the JVM's whole life
        }
    }

    private static long procStatus(String field) {
        Path p = Paths.get("/proc/self/status");
        try {
            for (String line : Files.readAllLines(p)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    /**
     * CPU time by stage, in nanoseconds, from the kernel's per-thread accounting ({@code
     * /proc/self/task}): {@code decode} (the decode pool), {@code fetch} (the split fetchers),
     * {@code task} (the source tasks: emitting, the chained sink), {@code gc} (the collector's
     * threads), {@code jit} (the compilers) and {@code other}. Threads that ended in between are
     * not counted, so take a difference of two snapshots over a steady phase. Empty where /proc
     * is missing.
     */
    static java.util.Map<String, Long> cpuByStage() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        long tick = 10_000_000L; // USER_HZ is 100 on Linux: one tick is 10 ms
        try (java.util.stream.Stream<Path> tasks = Files.list(Paths.get("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(stat.indexOf('(') + 1, close);
                    String[] f = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    out.merge(stage(name), ticks * tick, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while listed
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /** The stage of a thread by its kernel name (the first 15 characters of the Java name). */
    private static String stage(String name) {
        if (name.startsWith("anndata-decode")) {
            return "decode";
        }
        if (name.startsWith("Source Data Fet")) {
            return "fetch";
        }
        if (name.startsWith("Source: ")) {
            return "task";
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM Thread")) {
            return "gc";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "jit";
        }
        return "other";
    }
}
