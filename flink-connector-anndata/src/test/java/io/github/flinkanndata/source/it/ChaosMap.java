package io.github.flinkanndata.source.it;

import io.github.flinkanndata.source.record.CellRecord;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The operator side of {@link ChaosDriver}: maps records to their {@code (epoch, index)} key, throws
 * when the driver arms a task failure (the next record of any subtask), counts restarted task attempts (so the driver can see that
 * each injected failure really restarted something) and keeps the pipeline close to its committed
 * output.
 *
 * <p>The driver schedules failures by committed output, which only grows when a checkpoint
 * completes; a pipeline running far ahead of its checkpoints (a loaded machine makes them slow)
 * would make the failure points coarse and the committed output long. So each subtask slows down
 * to one record per {@link #AHEAD_PAUSE_MILLIS} once it has mapped {@link #aheadRecords} records
 * since the last checkpoint it saw confirmed — slowing, not blocking, so barriers still pass.
 * Static state: one chaos run per JVM at a time, {@link #reset} before each.
 */
final class ChaosMap<T> extends RichMapFunction<T, Long> implements CheckpointListener {
    private static final long serialVersionUID = 1L;

    private static final AtomicBoolean ARMED = new AtomicBoolean();
    private static final AtomicInteger THROWN = new AtomicInteger();
    private static final AtomicInteger RESTARTED_ATTEMPTS = new AtomicInteger();
    static volatile int aheadRecords = 16;
    private static final long AHEAD_PAUSE_MILLIS = 10;

    private final SerializableFunction<T, Long> key;
    private transient int sinceConfirmed;

    private ChaosMap(SerializableFunction<T, Long> key) {
        this.key = key;
    }

    /** Maps cells to their {@code (epoch, index)} key. */
    static ChaosMap<CellRecord> cells() {
        return new ChaosMap<>(ItStores::key);
    }

    /** Passes numbers through (Flink's own sources, {@link FlinkSourceChaosITCase}). */
    static ChaosMap<Long> numbers() {
        return new ChaosMap<>(n -> n);
    }

    static void reset(int recordsAhead) {
        aheadRecords = recordsAhead;
        ARMED.set(false);
        THROWN.set(0);
        RESTARTED_ATTEMPTS.set(0);
    }

    /** The next record any subtask maps throws. */
    static void arm() {
        ARMED.set(true);
    }

    static boolean armed() {
        return ARMED.get();
    }

    static int thrown() {
        return THROWN.get();
    }

    /** Task attempts opened after a restart (attempt number > 0), over all subtasks and pipelines. */
    static int restartedAttempts() {
        return RESTARTED_ATTEMPTS.get();
    }

    @Override
    public void open(OpenContext context) {
        if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
            RESTARTED_ATTEMPTS.incrementAndGet();
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        sinceConfirmed = 0;
    }

    @Override
    public Long map(T record) throws InterruptedException {
        if (++sinceConfirmed > aheadRecords) {
            Thread.sleep(AHEAD_PAUSE_MILLIS);
        }
        if (ARMED.compareAndSet(true, false)) {
            int n = THROWN.incrementAndGet();
            throw new IllegalStateException("injected task failure " + n + " at " + record);
        }
        return key.apply(record);
    }
}
