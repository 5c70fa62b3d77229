package io.github.flinkanndata.source.it;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Forwards {@code (epoch, index)} keys ({@link ItStores#key}) and fails the job once, after {@code
 * afterRecords} records and only once {@code checkpoints} checkpoints have been confirmed to the
 * collecting sink, so that the restore starts mid-epoch from real progress. The source is paced by
 * a {@link PacedMap} chained to it: while the checkpoints are not yet confirmed this map slows the
 * pace down, so the job cannot run to its end first (waiting for checkpoints by timing would be
 * flaky; blocking here would stall the checkpoints); once it has failed, the pace is lifted.
 * Static state: one test at a time per JVM, {@link #reset} before each.
 */
final class FailOnceMap implements MapFunction<Long, Long> {
    private static final long serialVersionUID = 1L;

    private static final AtomicLong SEEN = new AtomicLong();
    private static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final AtomicInteger COMMITTED_AT_FAILURE = new AtomicInteger(-1);
    private static volatile CommittedCollector.Run run;

    private final long afterRecords;
    private final int checkpoints;

    FailOnceMap(long afterRecords, int checkpoints) {
        this.afterRecords = afterRecords;
        this.checkpoints = checkpoints;
    }

    /**
     * The environment of a fail-once job: parallelism 2, a checkpoint every 100 ms, and two restarts
     * 20 ms apart (the injected failure needs one).
     */
    static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(20));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        return env;
    }

    /** Resets the counters and starts pacing the source at {@code pauseMillis} per record. */
    static void reset(CommittedCollector.Run watched, long pauseMillis) {
        SEEN.set(0);
        FAILED.set(false);
        COMMITTED_AT_FAILURE.set(-1);
        run = watched;
        PacedMap.reset(pauseMillis);
    }

    static boolean failed() {
        return FAILED.get();
    }

    /** Records the sink had committed when the failure was injected. */
    static int committedAtFailure() {
        return COMMITTED_AT_FAILURE.get();
    }

    @Override
    public Long map(Long key) {
        if (!FAILED.get() && SEEN.incrementAndGet() >= afterRecords) {
            if (run.confirmedCheckpoints() < checkpoints || run.committedCount() == 0) {
                PacedMap.pauseMillis = 20; // hold the source back until the checkpoints are confirmed
            } else if (FAILED.compareAndSet(false, true)) {
                COMMITTED_AT_FAILURE.set(run.committedCount());
                PacedMap.pauseMillis = 0;
                throw new IllegalStateException("injected failure after " + SEEN.get() + " records");
            }
        }
        return key;
    }
}
