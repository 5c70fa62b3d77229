package io.github.flinkanndata.examples.training;

import io.github.flinkanndata.examples.common.JobRuntime;
import io.github.flinkanndata.source.record.CellRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.RpcOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine;

/**
 * The soak harness (issue 17, item 4): runs the training example ({@code anndata-cli train}'s
 * pipeline: block-shuffled, unbounded epochs, two readers, the softmax trainer) on a MiniCluster of
 * two TaskManagers in this JVM, injects a failure every {@code --fail-every} seconds (alternately
 * an exception in a task and a TaskManager killed and replaced), and every {@code --sample-every}
 * seconds records this JVM's heap after a full GC, RSS, open file descriptors, threads, the files
 * in the temp folder ({@code java.io.tmpdir}, recursively), the latest completed checkpoint's size
 * and the cells/s since the previous sample. Writes {@code soak.csv} and {@code soak-summary.txt}
 * to {@code --out}, then judges the series with {@link SoakVerdict} and exits 0 (flat) or 1.
 *
 * <p>Meant to run in a JVM of its own, with a temp folder of its own and a fixed, pre-touched heap
 * (so RSS measures native memory, not heap growth): {@link SoakITCase} and {@code scripts/soak.sh}
 * start it so.
 */
public final class SoakRun {
    /** Cells that reached the trainer (replays after a restore included). */
    static final AtomicLong CELLS = new AtomicLong();
    /** Armed by the driver; the next cell any subtask taps throws. */
    static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();
    static final AtomicLong THROWN = new AtomicLong();

    @CommandLine.Option(names = "--seconds", defaultValue = "300") long seconds;
    @CommandLine.Option(names = "--sample-every", defaultValue = "30") long sampleEvery;
    /** 0: duration / 20, between 30 s and 180 s. */
    @CommandLine.Option(names = "--fail-every", defaultValue = "0") long failEvery;
    @CommandLine.Option(names = "--out", required = true) Path out;
    @CommandLine.Option(names = "--copies", defaultValue = "4", description = "copies of the bundled store in the collection")
    int copies;

    public static void main(String[] args) throws Exception {
        SoakRun run = new SoakRun();
        new CommandLine(run).parseArgs(args);
        int code;
        try {
            code = run.run();
        } catch (Throwable t) {
            t.printStackTrace();
            code = 2;
        }
        System.out.flush();
        // exit rather than return: Flink may leave non-daemon threads behind; exit still runs the
        // shutdown hooks (temp files of native libraries are deleted on exit)
        System.exit(code);
    }

    private int run() throws Exception {
        long failEverySeconds = failEvery > 0 ? failEvery : Math.max(30, Math.min(180, seconds / 20));
        Files.createDirectories(out);
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
        List<String> args = new ArrayList<>(List.of("--sampling", "block-shuffled", "--epochs", "-1", "--parallelism", "2",
                "--report-every", "100000", "--paths"));
        String pbmc = ContinuousTrainingJob.bundledData();
        args.add(String.join(",", java.util.Collections.nCopies(copies, pbmc)));
        ContinuousTrainingJob job = new ContinuousTrainingJob();
        new CommandLine(job).parseArgs(args.toArray(new String[0]));
        ContinuousTrainingJob.Prepared prepared = job.prepare(JobRuntime.local());

        Configuration conf = new Configuration(prepared.conf());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10);
        conf.set(RpcOptions.ASK_TIMEOUT_DURATION, Duration.ofSeconds(60));
        Path uploads = Files.createDirectories(out.resolve("web-upload"));
        conf.set(WebOptions.UPLOAD_DIR, uploads.toString());
        conf.set(RestOptions.BIND_PORT, "0"); // any free port: never 8081, which a cluster of the machine may use
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(2).setNumSlotsPerTaskManager(1).build());
        cluster.start();
        List<Sample> samples = new ArrayList<>();
        List<String> events = new ArrayList<>();
        int failures = 0;
        try {
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
            env.setParallelism(2);
            prepared.pipeline(env, cells -> cells.map(new Tap()).name("soak-tap"))
                    .sinkTo(new DiscardingSink<>()).setParallelism(1);
            JobGraph graph = env.getStreamGraph().getJobGraph();
            JobID id = cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
            long start = System.nanoTime();
            // the last sample is taken at `seconds`; no failure is injected from then on
            long end = start + TimeUnit.SECONDS.toNanos(seconds) + TimeUnit.MILLISECONDS.toNanos(500);
            long nextSample = start + TimeUnit.SECONDS.toNanos(sampleEvery);
            // failures half a sample interval before a sample: every sample sees the job the same
            // time after its last failure (samples that coincided with failures caught restarts
            // half-way, making the thread count jump between two levels)
            long nextFailure = start + TimeUnit.MILLISECONDS.toNanos(Math.max(1000 * failEverySeconds - 500 * sampleEvery,
                    1000 * failEverySeconds / 2));
            long lastCells = CELLS.get();
            long lastAt = start;
            int nextVictim = 0;
            String lastFailure = null;
            System.out.printf(Locale.ROOT, "soak: %d s, a sample every %d s, a failure every %d s, %d copies of %s%n",
                    seconds, sampleEvery, failEverySeconds, copies, Paths.get(pbmc).getFileName());
            System.out.println(Sample.HEADER);
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                long wake = Math.min(Math.min(nextSample, nextFailure), end);
                if (wake > now) {
                    Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wake - now)));
                    continue;
                }
                JobStatus status = cluster.getJobStatus(id).get(60, TimeUnit.SECONDS);
                if (status.isGloballyTerminalState()) {
                    throw new IllegalStateException("the training job ended: " + status);
                }
                if (now >= nextFailure && nextFailure >= start + TimeUnit.SECONDS.toNanos(seconds)) {
                    nextFailure = Long.MAX_VALUE; // the run is over: only the last sample is left
                }
                if (now >= nextFailure) {
                    failures++;
                    if (failures % 2 == 1) {
                        FAIL_NEXT.set(true);
                        events.add(String.format(Locale.ROOT, "%.0f s: failure %d, task exception", secondsSince(start), failures));
                    } else {
                        // TaskManagers are numbered in start order; the two live ones are the last two started
                        int victim = nextVictim;
                        cluster.terminateTaskManager(victim).get(60, TimeUnit.SECONDS);
                        cluster.startTaskManager();
                        nextVictim = victim + 1;
                        events.add(String.format(Locale.ROOT, "%.0f s: failure %d, TaskManager %d replaced",
                                secondsSince(start), failures, victim));
                    }
                    nextFailure += TimeUnit.SECONDS.toNanos(failEverySeconds);
                }
                if (now >= nextSample) {
                    String failure = latestFailure(cluster, id);
                    if (failure != null && !failure.equals(lastFailure)) {
                        lastFailure = failure;
                        events.add(String.format(Locale.ROOT, "%.0f s: latest job failure: %s", secondsSince(start), failure));
                    }
                    long cells = CELLS.get();
                    double cellsPerSecond = (cells - lastCells) / ((now - lastAt) / 1e9);
                    lastCells = cells;
                    lastAt = now;
                    Sample s = Sample.take(secondsSince(start), tmp, checkpointSize(cluster, id), cellsPerSecond,
                            failures);
                    samples.add(s);
                    System.out.println(s.csv());
                    System.out.flush();
                    nextSample += TimeUnit.SECONDS.toNanos(sampleEvery);
                }
            }
            cluster.cancelJob(id).get(60, TimeUnit.SECONDS);
        } finally {
            cluster.closeAsync().get(60, TimeUnit.SECONDS);
        }
        SoakVerdict verdict = SoakVerdict.judge(samples);
        StringBuilder csv = new StringBuilder(Sample.HEADER).append('\n');
        samples.forEach(s -> csv.append(s.csv()).append('\n'));
        Files.writeString(out.resolve("soak.csv"), csv, StandardCharsets.UTF_8);
        StringWriter summary = new StringWriter();
        PrintWriter w = new PrintWriter(summary);
        w.printf(Locale.ROOT, "soak of %d s ending %s: %d samples, %d failures (%d task exceptions thrown), %d cells%n",
                seconds, Instant.now(), samples.size(), failures, THROWN.get(), CELLS.get());
        events.forEach(e -> w.println("  " + e));
        w.print(verdict.report());
        w.flush();
        Files.writeString(out.resolve("soak-summary.txt"), summary.toString(), StandardCharsets.UTF_8);
        System.out.print(summary);
        return verdict.flat() && failures > 0 ? 0 : 1;
    }

    private static double secondsSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** The job's latest failure, the first line of its stack trace, or null. */
    private static String latestFailure(MiniCluster cluster, JobID id) {
        try {
            var info = cluster.getExecutionGraph(id).get(60, TimeUnit.SECONDS).getFailureInfo();
            return info == null ? null : info.getExceptionAsString().lines().limit(3).reduce((a, b) -> a + " | " + b).orElse("");
        } catch (Exception e) {
            return null;
        }
    }

    /** The latest completed checkpoint's full state size in bytes, or -1 before the first. */
    private static long checkpointSize(MiniCluster cluster, JobID id) {
        try {
            AccessExecutionGraph graph = cluster.getExecutionGraph(id).get(60, TimeUnit.SECONDS);
            CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
            CompletedCheckpointStats latest = stats == null ? null : stats.getHistory().getLatestCompletedCheckpoint();
            return latest == null ? -1 : latest.getStateSize();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Counts the cells and throws once when armed. */
    static final class Tap implements MapFunction<CellRecord, CellRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public CellRecord map(CellRecord cell) {
            if (FAIL_NEXT.compareAndSet(true, false)) {
                THROWN.incrementAndGet();
                throw new IllegalStateException("soak: injected failure");
            }
            CELLS.incrementAndGet();
            return cell;
        }
    }

    /** One sample of every series. */
    record Sample(double seconds, long heapAfterGc, long rss, long fds, int threads, long tempFiles, long tempBytes,
            long tempDirs, long checkpointBytes, double cellsPerSecond, int failures, double load) {
        static final String HEADER = "seconds,heap_after_gc_bytes,rss_bytes,open_fds,threads,temp_files,temp_bytes,temp_dirs,"
                + "checkpoint_bytes,cells_per_second,failures,load_1min";

        static Sample take(double seconds, Path tmp, long checkpointBytes, double cellsPerSecond, int failures)
                throws IOException {
            System.gc();
            // what each heap pool held after the last collection, i.e. after the full GC just run
            long heap = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                    heap += pool.getCollectionUsage().getUsed();
                }
            }
            long[] temp = countFiles(tmp);
            return new Sample(seconds, heap, readRss(), openFds(), ManagementFactory.getThreadMXBean().getThreadCount(),
                    temp[0], temp[1], temp[2], checkpointBytes, cellsPerSecond, failures,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }

        String csv() {
            return String.format(Locale.ROOT, "%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%.1f,%d,%.2f", seconds, heapAfterGc, rss, fds,
                    threads, tempFiles, tempBytes, tempDirs, checkpointBytes, cellsPerSecond, failures, load);
        }

        private static long readRss() throws IOException {
            Path status = Paths.get("/proc/self/status");
            if (!Files.isReadable(status)) {
                return -1;
            }
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        }

        private static long openFds() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean) {
                return ((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getOpenFileDescriptorCount();
            }
            return -1;
        }

        /** Regular files, their bytes and folders under {@code dir}, recursively. */
        private static long[] countFiles(Path dir) throws IOException {
            for (int attempt = 0; ; attempt++) {
                long[] counts = new long[3];
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.skip(1).forEach(p -> {
                        try {
                            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                            if (a.isDirectory()) {
                                counts[2]++;
                            } else {
                                counts[0]++;
                                counts[1] += a.size();
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    return counts;
                } catch (UncheckedIOException e) {
                    if (attempt == 10) {
                        throw e.getCause();
                    }
                    // a file vanished while walking: count again
                }
            }
        }
    }
}
