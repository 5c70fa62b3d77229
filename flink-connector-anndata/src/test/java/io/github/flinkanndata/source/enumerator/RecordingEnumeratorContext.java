package io.github.flinkanndata.source.enumerator;

import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;

/**
 * Flink's testing enumerator context (planning runs when the test triggers its executor), which
 * also records the global order of assignments and every "no more splits" signal: the base class
 * keeps only a flag, which cannot tell "once" from "twice".
 */
final class RecordingEnumeratorContext extends TestingSplitEnumeratorContext<AnnDataSplit> {
    private final List<AnnDataSplit> assignedInOrder = new ArrayList<>();
    private final List<Integer> noMoreSplitsSignals = new ArrayList<>();

    RecordingEnumeratorContext(int parallelism) {
        super(parallelism);
    }

    @Override
    public void assignSplits(SplitsAssignment<AnnDataSplit> assignment) {
        assignment.assignment().values().forEach(assignedInOrder::addAll);
        super.assignSplits(assignment);
    }

    @Override
    public void signalNoMoreSplits(int subtask) {
        noMoreSplitsSignals.add(subtask);
        super.signalNoMoreSplits(subtask);
    }

    void registerReaders(int... subtasks) {
        for (int s : subtasks) {
            registerReader(s, "host-" + s);
        }
    }

    /** The reader failed: the runtime no longer lists it. */
    void unregisterReader(int subtask) {
        registeredReaders().remove(subtask);
    }

    /** Splits assigned to {@code subtask}, in assignment order. */
    List<AnnDataSplit> assigned(int subtask) {
        SplitAssignmentState<AnnDataSplit> state = getSplitAssignments().get(subtask);
        return state == null ? List.of() : List.copyOf(state.getAssignedSplits());
    }

    /** Every split assigned to any reader, in assignment order. */
    List<AnnDataSplit> assignedInOrder() {
        return List.copyOf(assignedInOrder);
    }

    int noMoreSplitsSignals(int subtask) {
        return Collections.frequency(noMoreSplitsSignals, subtask);
    }

    List<PlanEvent> planEvents(int subtask) {
        List<PlanEvent> out = new ArrayList<>();
        for (SourceEvent e : getSentEvents().getOrDefault(subtask, List.of())) {
            if (e instanceof PlanEvent) {
                out.add((PlanEvent) e);
            }
        }
        return out;
    }

    int queuedTasks() {
        return getExecutorService().numQueuedRunnables();
    }
}
