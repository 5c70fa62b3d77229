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
 *
 * @param plan true for an overdue plan, false for an overdue split request
 */
@Internal
public record AnswerOverdueEvent(boolean plan, long waitedMillis) implements SourceEvent {

    @Override
    public String toString() {
        return "AnswerOverdueEvent{" + (plan ? "plan" : "split") + ", waited " + waitedMillis + " ms}";
    }
}
