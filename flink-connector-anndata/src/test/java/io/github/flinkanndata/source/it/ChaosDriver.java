package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Injects a seeded schedule of failures into a running job: task failures (an exception thrown by
 * {@link ChaosMap}) and TaskManager restarts (one TaskManager terminated, a fresh one started in
 * its place). Failure {@code i} fires once the committed output has reached a random point of the
 * run and has grown since failure {@code i-1} (so every failure restores from a newer checkpoint),
 * after a further random delay inside a checkpoint interval, so the failure hits the pipeline at a
 * random position between checkpoints, not on a checkpoint boundary.
 *
 * <p>The job must outlive the schedule: points are drawn in {@code [0, records)}, and the chaos job
 * reads unbounded epochs, checking only the first ones.
 */
final class ChaosDriver {
    enum Kind {
        TASK_FAILURE,
        TASKMANAGER_RESTART
    }

    private static final long WAIT_SECONDS = 120;

    private final MiniCluster cluster;
    private final LongSupplier committed;
    private final Random random;
    private final List<Kind> schedule;
    private final long[] points;
    private final List<Integer> liveTaskManagers = new ArrayList<>();
    private int nextTaskManager;
    private final long maxDelayMillis;

    /**
     * @param taskManagers the TaskManagers now running, numbered {@code 0..taskManagers-1} in the
     *     cluster (a fresh cluster); replacements get the following numbers
     */
    ChaosDriver(MiniCluster cluster, int taskManagers, LongSupplier committed, long totalRecords, int failures,
            long seed, long maxDelayMillis) {
        this.cluster = cluster;
        this.committed = committed;
        this.random = new Random(seed);
        this.maxDelayMillis = maxDelayMillis;
        for (int i = 0; i < taskManagers; i++) {
            liveTaskManagers.add(i);
        }
        nextTaskManager = taskManagers;
        schedule = new ArrayList<>();
        for (int i = 0; i < failures; i++) {
            // a third TaskManager restarts (slower: a new TaskManager registers), the rest task failures
            schedule.add(i % 3 == 2 ? Kind.TASKMANAGER_RESTART : Kind.TASK_FAILURE);
        }
        Collections.shuffle(schedule, random);
        points = new long[failures];
        for (int i = 0; i < failures; i++) {
            points[i] = (long) (random.nextDouble() * totalRecords);
        }
        Arrays.sort(points);
    }

    List<Kind> schedule() {
        return List.copyOf(schedule);
    }

    /** Runs the whole schedule; returns the committed record count at each failure. */
    long[] run() throws Exception {
        long[] committedAt = new long[schedule.size()];
        long previous = -1;
        for (int i = 0; i < schedule.size(); i++) {
            long target = Math.max(points[i], previous + 1);
            waitUntil(() -> committed.getAsLong() >= target, "committed output reaching " + target + " (failure "
                    + i + ")");
            Thread.sleep((long) (random.nextDouble() * maxDelayMillis));
            committedAt[i] = committed.getAsLong();
            previous = committedAt[i];
            int restartedBefore = ChaosMap.restartedAttempts();
            if (schedule.get(i) == Kind.TASK_FAILURE) {
                int thrownBefore = ChaosMap.thrown();
                ChaosMap.arm();
                waitUntil(() -> ChaosMap.thrown() > thrownBefore, "injected task failure " + i + " thrown");
            } else {
                restartTaskManager();
            }
            waitUntil(() -> ChaosMap.restartedAttempts() > restartedBefore, "a task restarted after failure " + i
                    + " (" + schedule.get(i) + ")");
        }
        return committedAt;
    }

    private void restartTaskManager() throws Exception {
        int victim = liveTaskManagers.remove(random.nextInt(liveTaskManagers.size()));
        cluster.terminateTaskManager(victim).get(WAIT_SECONDS, TimeUnit.SECONDS);
        cluster.startTaskManager();
        liveTaskManagers.add(nextTaskManager++);
    }

    static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(2);
        }
    }
}
