package io.github.flinkanndata.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/**
 * Measures how soon a store that joins a growing collection reaches the consumer of a running job,
 * in the consumer's epochs: when the consumer has received epoch 2, the joining store is moved into
 * the watched directory under a hidden name and renamed; a watcher thread notes the highest epoch
 * the consumer had received when the enumerator's {@code plannedStores} metric grew (the moment it
 * logs "sampled from the next epoch on"); the consumer reads on until the first epoch holding a
 * sample of the joined store is complete. The consumer takes about 4,000 samples a second, so an
 * epoch lasts a few hundred milliseconds and the 5 ms polling of the metric blurs nothing.
 */
public final class JoinLatency {
    /** One sample as the consumer saw it. */
    public static final class Seen {
        public final int epoch;
        public final int store;
        public final long global;
        public final Object code;
        public final float[] x;

        public Seen(int epoch, int store, long global, Object code, float[] x) {
            this.epoch = epoch;
            this.store = store;
            this.global = global;
            this.code = code;
            this.x = x;
        }
    }

    /** The measurement and the samples of the first epoch holding the joined store. */
    public static final class Result {
        public final int consumerEpochAtJoin;
        public final int firstJoinedEpoch;
        public final long millisToFirstJoined;
        public final List<Seen> firstJoinedEpochSamples;

        Result(int consumerEpochAtJoin, int firstJoinedEpoch, long millisToFirstJoined, List<Seen> samples) {
            this.consumerEpochAtJoin = consumerEpochAtJoin;
            this.firstJoinedEpoch = firstJoinedEpoch;
            this.millisToFirstJoined = millisToFirstJoined;
            this.firstJoinedEpochSamples = samples;
        }

        public int epochs() {
            return firstJoinedEpoch - consumerEpochAtJoin;
        }

        @Override
        public String toString() {
            return "consumer at epoch " + consumerEpochAtJoin + " at the join, first joined sample in epoch "
                    + firstJoinedEpoch + " (" + epochs() + " epochs, " + millisToFirstJoined + " ms after the join)";
        }
    }

    private JoinLatency() {}

    public static Result run(Iterator<Seen> records, InMemoryReporter reporter, JobID job, Path staged,
            Path watched, int epochSamplesAfterJoin) throws Exception {
        long deadline = System.nanoTime() + 50_000_000_000L;
        int[] maxEpoch = {-1};
        long[] joinAt = {0};
        int[] epochAtJoin = {-1};
        Thread watcher = new Thread(() -> {
            while (epochAtJoin[0] < 0 && System.nanoTime() < deadline) {
                if (plannedStores(reporter, job) >= 2) {
                    synchronized (maxEpoch) {
                        epochAtJoin[0] = maxEpoch[0];
                        joinAt[0] = System.nanoTime();
                    }
                    return;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "join-watcher");
        List<Seen> seen = new ArrayList<>();
        boolean moved = false;
        int firstJoined = -1;
        long firstJoinedAt = 0;
        Map<Integer, Integer> perEpoch = new java.util.HashMap<>();
        int n = 0;
        while (records.hasNext()) {
            Seen s = records.next();
            synchronized (maxEpoch) {
                maxEpoch[0] = Math.max(maxEpoch[0], s.epoch);
            }
            if (!moved && s.epoch >= 2) {
                Path hidden = watched.resolve(".second.zarr");
                Files.move(staged, hidden);
                Files.move(hidden, watched.resolve("second.zarr"));
                moved = true;
                watcher.start();
            }
            if (s.store == 1 && firstJoined < 0) {
                firstJoined = s.epoch;
                firstJoinedAt = System.nanoTime();
            }
            seen.add(s);
            perEpoch.merge(s.epoch, 1, Integer::sum);
            if (firstJoined >= 0 && perEpoch.get(firstJoined) == epochSamplesAfterJoin) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no complete epoch with the joined store after " + seen.size()
                        + " samples (consumer at epoch " + maxEpoch[0] + "; enumerator " + enumerator(reporter, job) + ")");
            }
            if (++n % 5 == 0) {
                Thread.sleep(1); // a consumer slower than the source, as a training step is
            }
        }
        watcher.join(1000);
        if (epochAtJoin[0] < 0) {
            throw new AssertionError("the enumerator's plannedStores never reached 2");
        }
        List<Seen> first = new ArrayList<>();
        for (Seen s : seen) {
            if (s.epoch == firstJoined) {
                first.add(s);
            }
        }
        return new Result(epochAtJoin[0], firstJoined, (firstJoinedAt - joinAt[0]) / 1_000_000, first);
    }

    /** The enumerator's metrics, for failure messages. */
    private static String enumerator(InMemoryReporter reporter, JobID job) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<MetricGroup, Map<String, Metric>> e : reporter.getMetricsByGroup().entrySet()) {
            if (job.toString().equals(e.getKey().getAllVariables().get("<job_id>"))) {
                for (String name : new String[] {"plannedStores", "currentEpoch", "epochsAhead", "splitsInFlight"}) {
                    Metric m = e.getValue().get(name);
                    if (m instanceof Gauge) {
                        sb.append(name).append('=').append(((Gauge<?>) m).getValue()).append(' ');
                    }
                }
            }
        }
        return sb.toString().trim();
    }

    /** The enumerator's plannedStores: the group that also has epochsAhead (readers have plannedStores only). */
    private static long plannedStores(InMemoryReporter reporter, JobID job) {
        for (Map.Entry<MetricGroup, Map<String, Metric>> e : reporter.getMetricsByGroup().entrySet()) {
            Map<String, Metric> metrics = e.getValue();
            Metric planned = metrics.get("plannedStores");
            if (metrics.containsKey("epochsAhead") && planned instanceof Gauge
                    && job.toString().equals(e.getKey().getAllVariables().get("<job_id>"))) {
                return ((Number) ((Gauge<?>) planned).getValue()).longValue();
            }
        }
        return -1;
    }
}
