package io.github.flinkanndata.source.it;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Watches a running job's checkpoint statistics (polling its execution graph) and remembers every
 * failed checkpoint with its failure message, so a test can tell checkpoints that failed because a
 * task was down (expected under chaos) from ones that expired — a checkpoint that waited until its
 * timeout, which the chaos test never tolerates.
 */
final class CheckpointWatch implements AutoCloseable {
    private final MiniCluster cluster;
    private final JobID job;
    private final Map<Long, String> failed = new TreeMap<>();
    private final Thread thread;
    private volatile boolean stop;
    private long completed;
    private long longestCompletedMillis;
    private long longestFailedMillis;

    CheckpointWatch(MiniCluster cluster, JobID job) {
        this.cluster = cluster;
        this.job = job;
        this.thread = new Thread(this::poll, "checkpoint-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        while (!stop) {
            try {
                AccessExecutionGraph graph = cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS);
                CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
                if (stats != null) {
                    synchronized (this) {
                        completed = stats.getCounts().getNumberOfCompletedCheckpoints();
                        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
                            if (c instanceof FailedCheckpointStats) {
                                failed.put(c.getCheckpointId(), String.valueOf(((FailedCheckpointStats) c)
                                        .getFailureMessage()));
                                longestFailedMillis = Math.max(longestFailedMillis, c.getEndToEndDuration());
                            } else if (c.getStatus().isCompleted()) {
                                longestCompletedMillis = Math.max(longestCompletedMillis, c.getEndToEndDuration());
                            }
                        }
                    }
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the job is restarting or gone: try again
            }
        }
    }

    /** Failed checkpoints whose message says they expired (waited until the checkpoint timeout). */
    synchronized Map<Long, String> expired() {
        Map<Long, String> out = new TreeMap<>();
        failed.forEach((id, message) -> {
            if (message.toLowerCase(java.util.Locale.ROOT).contains("expired")) {
                out.put(id, message);
            }
        });
        return out;
    }

    synchronized int failedCount() {
        return failed.size();
    }

    synchronized long completedCount() {
        return completed;
    }

    synchronized long longestCompletedMillis() {
        return longestCompletedMillis;
    }

    /** The longest time from trigger to failure of a failed checkpoint. */
    synchronized long longestFailedMillis() {
        return longestFailedMillis;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
