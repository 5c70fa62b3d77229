package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The enumerator's checkpoint: the plan (binary, without per-row data), the position in the
 * split sequence ({@code epoch}, {@code cursor}) and the splits handed back by failed readers.
 * O(stores + genes + vocabulary + returned splits), never O(rows).
 *
 * <p>A state without a plan is the state of an enumerator that had not finished planning: it
 * plans again on restore (nothing can have been emitted before the plan existed).
 */
@Internal
public final class AnnDataEnumState {
    @Nullable private final byte[] plan;
    private final int epoch;
    private final long cursor;
    private final List<AnnDataSplit> returned;

    public AnnDataEnumState(@Nullable byte[] plan, int epoch, long cursor, List<AnnDataSplit> returned) {
        this.plan = plan;
        this.epoch = epoch;
        this.cursor = cursor;
        this.returned = List.copyOf(returned);
    }

    /** The initial state of a fresh start. */
    public static AnnDataEnumState initial() {
        return new AnnDataEnumState(null, 0, 0, List.of());
    }

    @Nullable
    public byte[] plan() {
        return plan;
    }

    public int epoch() {
        return epoch;
    }

    public long cursor() {
        return cursor;
    }

    public List<AnnDataSplit> returned() {
        return returned;
    }

    @Override
    public String toString() {
        return "AnnDataEnumState{plan=" + (plan == null ? "none" : plan.length + " bytes") + ", epoch="
                + epoch + ", cursor=" + cursor + ", returned=" + returned.size() + "}";
    }
}
