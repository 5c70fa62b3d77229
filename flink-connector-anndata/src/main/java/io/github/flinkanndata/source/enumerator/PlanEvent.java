package io.github.flinkanndata.source.enumerator;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * The enumerator's answer to a {@link PlanRequestEvent}: the collection plan in the binary form
 * of {@code CollectionPlanCodec} (without per-row data; readers derive the kept rows of the
 * stores they open). O(stores + genes + vocabulary) bytes, sent once per reader start.
 */
@Internal
public record PlanEvent(byte[] plan) implements SourceEvent {

    @Override
    public String toString() {
        return "PlanEvent{" + plan.length + " bytes}";
    }
}
