package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.collection.CollectionPlan;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Hands the plan from the reader's task thread (where the enumerator's answer arrives) to its
 * fetcher thread. The fetcher never sees a split before the plan is set: the reader parks splits
 * until then. A growing collection replaces the plan with a larger one; the fetcher may keep
 * using the older plan for stores both have (their data is the same in both).
 */
@Internal
final class PlanHolder {
    @Nullable private volatile CollectionPlan plan;

    @Nullable
    CollectionPlan get() {
        return plan;
    }

    void set(CollectionPlan plan) {
        this.plan = plan;
    }
}
