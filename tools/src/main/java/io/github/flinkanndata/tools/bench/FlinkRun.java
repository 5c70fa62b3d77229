package io.github.flinkanndata.tools.bench;

import org.apache.flink.api.connector.sink2.Sink;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.AnnDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs an unbounded source into {@link TouchSink} on an embedded MiniCluster: waits for the first
 * record, warms up, measures the records that arrive over a fixed wall time, then cancels.
 */
final class FlinkRun {
    static final class Result {
        long cells;
        long values;
        double seconds;
        double firstRecordSeconds;
        long peakHeap;
        long peakLiveHeap;
        long peakRss;
        long checkpointBytes = -1;
        double cpuSeconds;
        long liveAfterFullGc;
        /** CPU seconds of the measured phase by stage ({@link Probe#cpuByStage}). */
        final java.util.Map<String, Double> cpuByStage = new java.util.TreeMap<>();
    }

    private FlinkRun() {}

    static Result measure(AnnDataSource<CellRecord> source, int parallelism, double warmup, double seconds) throws Exception {
        return measure(source, new TouchSink(), parallelism, warmup, seconds, null);
    }

    /**
     * The source into {@code sink} (which counts into {@link TouchSink}'s counters). With {@code
     * checkpointDir}, checkpoints every 200 ms and reports the size of the last one.
     */
    static <T> Result measure(AnnDataSource<T> source, Sink<T> sink, int parallelism, double warmup, double seconds,
            @Nullable Path checkpointDir) throws Exception {
        Configuration conf = new Configuration();
        if (checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        if (checkpointDir != null) {
            env.enableCheckpointing(200);
        }
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "anndata").sinkTo(sink);
        TouchSink.reset();
        Result r = new Result();
        try (Probe probe = new Probe()) {
            long start = System.nanoTime();
            JobClient job = env.executeAsync("loader-benchmark");
            try {
                java.util.concurrent.CompletableFuture<?> result = job.getJobExecutionResult();
                while (TouchSink.CELLS.sum() == 0) {
                    if (result.isDone()) {
                        result.get(); // throws the failure
                        throw new IllegalStateException("job ended before the first record");
                    }
                    if (System.nanoTime() - start > 300e9) {
                        throw new IllegalStateException("no record within 300 s");
                    }
                    Thread.sleep(5);
                }
                r.firstRecordSeconds = (System.nanoTime() - start) / 1e9;
                Thread.sleep((long) (warmup * 1000));
                long c0 = TouchSink.CELLS.sum();
                long v0 = TouchSink.VALUES.sum();
                long t0 = System.nanoTime();
                long cpu0 = Probe.processCpuNanos();
                java.util.Map<String, Long> stages0 = Probe.cpuByStage();
                Thread.sleep((long) (seconds * 1000));
                r.cpuSeconds = (Probe.processCpuNanos() - cpu0) / 1e9;
                Probe.cpuByStage().forEach((k, v) -> r.cpuByStage.put(k, (v - stages0.getOrDefault(k, 0L)) / 1e9));
                long c1 = TouchSink.CELLS.sum();
                long v1 = TouchSink.VALUES.sum();
                r.seconds = (System.nanoTime() - t0) / 1e9;
                // the live set at the end of the measurement, while the job runs: what a full
                // collection leaves (the peak after collections also counts old-generation garbage
                // that G1 had not reclaimed yet)
                System.gc();
                r.liveAfterFullGc = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                r.cells = c1 - c0;
                r.values = v1 - v0;
                if (result.isDone()) {
                    result.get(); // an unbounded job only ends by failing: report why
                    throw new IllegalStateException("the job ended during the measurement");
                }
            } finally {
                r.peakHeap = probe.peakHeapBytes();
                r.peakLiveHeap = probe.peakLiveHeapBytes();
                r.peakRss = Probe.peakRssBytes();
                if (!job.getJobExecutionResult().isDone()) {
                    job.cancel().get();
                }
                try {
                    job.getJobExecutionResult().get();
                } catch (Exception expected) {
                    // cancelled
                }
            }
        }
        if (checkpointDir != null) {
            r.checkpointBytes = lastCheckpointBytes(checkpointDir);
        }
        return r;
    }

    /** Bytes of the newest retained checkpoint ({@code chk-N}) below {@code dir}. */
    private static long lastCheckpointBytes(Path dir) throws Exception {
        Path newest = null;
        int best = -1;
        try (Stream<Path> s = Files.walk(dir, 3)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (Files.isDirectory(p) && n.startsWith("chk-")) {
                    int k = Integer.parseInt(n.substring(4));
                    if (k > best) {
                        best = k;
                        newest = p;
                    }
                }
            }
        }
        if (newest == null) {
            return -1;
        }
        long total = 0;
        try (Stream<Path> s = Files.walk(newest)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
        }
        return total;
    }
}
