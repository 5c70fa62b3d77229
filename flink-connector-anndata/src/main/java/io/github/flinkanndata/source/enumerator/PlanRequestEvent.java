package io.github.flinkanndata.source.enumerator;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Sent by a reader whenever it starts (also after a failover): asks the enumerator for the plan.
 * Readers never wait for a plan they did not ask for, so no event can be missed.
 *
 * <p>In a growing collection the plan's store count is its version: a reader that receives a
 * split of a store its plan does not have yet asks again, naming the store count it needs; the
 * enumerator answers with its current plan, which always holds every store it assigned splits of.
 *
 * @param storesNeeded the least number of stores the plan must have
 */
@Internal
public record PlanRequestEvent(int storesNeeded) implements SourceEvent {
    /** A request at reader start: any plan will do. */
    public PlanRequestEvent() {
        this(0);
    }

    @Override
    public String toString() {
        return "PlanRequestEvent{storesNeeded=" + storesNeeded + "}";
    }
}
