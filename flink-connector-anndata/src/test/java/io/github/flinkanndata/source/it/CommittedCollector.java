package io.github.flinkanndata.source.it;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The classic exactly-once test sink: records are staged per checkpoint and published to a static
 * {@link Run} only when that checkpoint is confirmed ({@link #notifyCheckpointComplete}). Staged
 * chunks are part of the operator state, so a chunk whose checkpoint completed but whose
 * notification was lost in a failure is published on restore; publishing is idempotent per
 * {@code (origin subtask, checkpoint id)}. What a {@link Run} holds is therefore exactly the output
 * of the committed prefix of the job, across failovers, savepoints and rescaling.
 *
 * <p>Needs checkpointing; a bounded job publishes its tail at the final checkpoint.
 */
final class CommittedCollector extends ProcessFunction<Long, Void>
        implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    /** The committed output of one test run, shared by all subtasks in this JVM. */
    static final class Run {
        private final Set<String> chunks = ConcurrentHashMap.newKeySet();
        private final List<Long> committed = Collections.synchronizedList(new ArrayList<>());
        private final Set<Long> confirmedCheckpoints = ConcurrentHashMap.newKeySet();

        private void publish(int origin, long checkpointId, long[] records) {
            synchronized (this) {
                if (!chunks.add(origin + "@" + checkpointId)) {
                    return; // published before the failure: a restored chunk is committed once
                }
                for (long r : records) {
                    committed.add(r);
                }
            }
        }

        /** A copy of the committed records, in publication order. */
        List<Long> committed() {
            synchronized (committed) {
                return new ArrayList<>(committed);
            }
        }

        int committedCount() {
            return committed.size();
        }

        /** The chunks published so far, as {@code origin@checkpointId}. */
        Set<String> publishedChunks() {
            synchronized (this) {
                return new TreeSet<>(chunks);
            }
        }

        /**
         * Marks chunks as published by an earlier run (a committed savepoint's run): when a job
         * restored from that savepoint finds them in its state, they are not published again.
         */
        void assumePublished(Collection<String> chunkIds) {
            synchronized (this) {
                chunks.addAll(chunkIds);
            }
        }

        /** Distinct checkpoints whose completion reached at least one subtask. */
        int confirmedCheckpoints() {
            return confirmedCheckpoints.size();
        }
    }

    /** Starts a fresh run under {@code name}. */
    static Run start(String name) {
        Run run = new Run();
        RUNS.put(name, run);
        return run;
    }

    private final String runName;
    private transient List<Long> pending;
    private transient List<Tuple3<Integer, Long, long[]>> staged;
    private transient ListState<Tuple3<Integer, Long, long[]>> state;
    private transient int subtask;

    CommittedCollector(String runName) {
        this.runName = runName;
    }

    private Run run() {
        return RUNS.get(runName);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        pending = new ArrayList<>();
        staged = new ArrayList<>();
        state = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("staged",
                Types.TUPLE(Types.INT, Types.LONG, Types.PRIMITIVE_ARRAY(Types.LONG))));
        if (context.isRestored()) {
            // everything in the restored state belongs to a completed checkpoint
            for (Tuple3<Integer, Long, long[]> chunk : state.get()) {
                run().publish(chunk.f0, chunk.f1, chunk.f2);
            }
            state.clear();
        }
    }

    @Override
    public void processElement(Long value, Context ctx, Collector<Void> out) {
        pending.add(value);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        long[] records = new long[pending.size()];
        for (int i = 0; i < records.length; i++) {
            records[i] = pending.get(i);
        }
        pending.clear();
        staged.add(Tuple3.of(subtask, context.getCheckpointId(), records));
        state.update(staged);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Run run = run();
        run.confirmedCheckpoints.add(checkpointId);
        Iterator<Tuple3<Integer, Long, long[]>> it = staged.iterator();
        while (it.hasNext()) {
            Tuple3<Integer, Long, long[]> chunk = it.next();
            if (chunk.f1 <= checkpointId) {
                run.publish(chunk.f0, chunk.f1, chunk.f2);
                it.remove();
            }
        }
    }
}
