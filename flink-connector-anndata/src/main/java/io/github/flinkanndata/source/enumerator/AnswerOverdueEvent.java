package io.github.flinkanndata.source.enumerator;

import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.annotation.Internal;

/**
 * Sent by a reader that has waited longer than {@code anndata.reader.split-wait-timeout} for the
 * answer to its split request (or plan request). The enumerator checks whether it has answered:
 * if it has, the answer was lost between the JobManager and the task — Flink 2.3's coordinator
 * gateways can lose or hold forever the events of a subtask after a regional restart (see
 * docs/reliability.md) — and it fails the job over globally, which resets every gateway. If it has
 * not (it is still planning, or holds the request back on purpose), the event is ignored.
 */
@Internal
public final class AnswerOverdueEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    private final boolean plan;
    private final long waitedMillis;

    public AnswerOverdueEvent(boolean plan, long waitedMillis) {
        this.plan = plan;
        this.waitedMillis = waitedMillis;
    }

    /** True for an overdue plan, false for an overdue split request. */
    public boolean plan() {
        return plan;
    }

    public long waitedMillis() {
        return waitedMillis;
    }

    @Override
    public String toString() {
        return "AnswerOverdueEvent{" + (plan ? "plan" : "split") + ", waited " + waitedMillis + " ms}";
    }
}
