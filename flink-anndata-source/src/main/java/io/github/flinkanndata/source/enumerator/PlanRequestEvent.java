package io.github.flinkanndata.source.enumerator;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Sent by a reader whenever it starts (also after a failover): asks the enumerator for the plan.
 * Readers never wait for a plan they did not ask for, so no event can be missed.
 */
@Internal
public final class PlanRequestEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    @Override
    public String toString() {
        return "PlanRequestEvent";
    }
}
