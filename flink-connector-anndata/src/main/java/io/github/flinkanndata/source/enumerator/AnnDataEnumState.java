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
 *
 * <p>A growing collection (serializer version 2) also records how many of the plan's stores the
 * current epoch samples ({@code activeStores}; stores discovered later join at the next epoch
 * boundary) and the genes dropped so far. {@link #ALL_STORES} means every store of the plan, as
 * for a static collection and for every version 1 state.
 *
 * @param activeStores stores of the plan the current epoch samples (a prefix), or {@link #ALL_STORES}
 * @param droppedGenes genes of joined stores that lie outside a growing collection's fixed gene space
 */
@Internal
public record AnnDataEnumState(@Nullable byte[] plan, int epoch, long cursor, List<AnnDataSplit> returned,
        int activeStores, long droppedGenes) {

    /** The {@code activeStores} of a collection whose current epoch samples every planned store. */
    public static final int ALL_STORES = -1;

    public AnnDataEnumState(@Nullable byte[] plan, int epoch, long cursor, List<AnnDataSplit> returned) {
        this(plan, epoch, cursor, returned, ALL_STORES, 0);
    }

    public AnnDataEnumState {
        if (activeStores < ALL_STORES || droppedGenes < 0) {
            throw new IllegalArgumentException("activeStores " + activeStores + ", droppedGenes " + droppedGenes);
        }
        returned = List.copyOf(returned);
    }

    /** The initial state of a fresh start. */
    public static AnnDataEnumState initial() {
        return new AnnDataEnumState(null, 0, 0, List.of());
    }

    @Override
    public String toString() {
        return "AnnDataEnumState{plan=" + (plan == null ? "none" : plan.length + " bytes") + ", epoch="
                + epoch + ", cursor=" + cursor + ", returned=" + returned.size()
                + (activeStores == ALL_STORES ? "" : ", activeStores=" + activeStores)
                + (droppedGenes == 0 ? "" : ", droppedGenes=" + droppedGenes) + "}";
    }
}
