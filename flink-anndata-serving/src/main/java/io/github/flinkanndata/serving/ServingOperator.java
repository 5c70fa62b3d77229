package io.github.flinkanndata.serving;

import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.BatchPieceSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.execution.CancelTaskException;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTask;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;

/**
 * The serving sink's operator: a {@link ServingWriter} per subtask, whose state is the operator's
 * list state (each subtask restores its own: the parallelism is fixed).
 *
 * <p>When a rank's queue is full the writer waits for room with the batch in hand, and while it
 * waits it runs the task's mails through an executor of the lowest priority. An unaligned
 * checkpoint barrier reaches the task as such a mail (the input gate enqueues it on the task's main
 * mailbox executor, priority {@link TaskMailbox#MIN_PRIORITY}), as do checkpoint notifications, so
 * checkpoints complete while a rank stops pulling; the batch in hand is part of the state they
 * take. A Sink V2 writer could only yield with its operator's executor, whose priority (its chain
 * index) excludes those mails.
 */
final class ServingOperator extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<BatchPiece, Void>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final ServingOptions options;
    private transient ListState<BatchPiece> state;
    private transient List<BatchPiece> restored;
    private transient MailboxExecutor mails;
    private transient ServingWriter writer;

    ServingOperator(ServingOptions options) {
        this.options = options;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        state = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("serving-pieces", BatchPieceSerializer.INSTANCE));
        restored = new ArrayList<>();
        if (context.isRestored()) {
            state.get().forEach(restored::add);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        mails = getContainingTask().getMailboxExecutorFactory().createExecutor(TaskMailbox.MIN_PRIORITY);
        TaskInfo task = getRuntimeContext().getTaskInfo();
        writer = new ServingWriter(options, task.getIndexOfThisSubtask(), task.getNumberOfParallelSubtasks(),
                task.getAttemptNumber(), restored, this::runMails);
        restored = null;
    }

    /** Runs the task's pending mails (checkpoints among them); called by the writer while it waits. */
    private void runMails() {
        StreamTask<?, ?> task = getContainingTask();
        while (!task.isCanceled() && mails.tryYield()) {
            // each mail ran
        }
        if (task.isCanceled()) {
            throw new CancelTaskException("the task is cancelled");
        }
    }

    @Override
    public void processElement(StreamRecord<BatchPiece> element) throws Exception {
        writer.write(element.getValue());
    }

    @Override
    public void endInput() throws Exception {
        writer.endOfInput();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        state.update(writer.snapshotState());
    }

    @Override
    public void close() throws Exception {
        try {
            if (writer != null) {
                writer.close();
            }
        } finally {
            super.close();
        }
    }
}
