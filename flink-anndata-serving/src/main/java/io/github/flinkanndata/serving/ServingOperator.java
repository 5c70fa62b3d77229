package io.github.flinkanndata.serving;

import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.BatchPieceSerializer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.runtime.execution.CancelTaskException;
import org.apache.flink.runtime.state.OperatorStateCheckpointOutputStream;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StatePartitionStreamProvider;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTask;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;

/**
 * The serving sink's operator: a {@link ServingWriter} per subtask, whose state (the batches not
 * yet acknowledged, megabytes each) is written as the operator's raw state, one partition per
 * subtask (each subtask restores its own: the parallelism is fixed).
 *
 * <p>Why raw state and not list state: Flink writes operator list state through a stream
 * ({@code CompressibleFSDataOutputStream}) that does not override {@code write(byte[], int, int)},
 * so every bulk write of the serializer reached the checkpoint file one byte per call, at about 40
 * MB/s: a checkpoint of 8 buffered batches took seconds of CPU (3 % of a serving JVM's samples at
 * one checkpoint per 30 s, a third of them at one per 5 s). The raw state stream passes bulk
 * writes on.
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

    /** Format of the raw state partition: a version, the number of pieces, the pieces. */
    private static final int STATE_FORMAT = 1;

    private final ServingOptions options;
    private transient List<BatchPiece> restored;
    private transient MailboxExecutor mails;
    private transient ServingWriter writer;

    ServingOperator(ServingOptions options) {
        this.options = options;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = new ArrayList<>();
        if (context.isRestored()) {
            for (StatePartitionStreamProvider partition : context.getRawOperatorStateInputs()) {
                try (InputStream in = partition.getStream()) {
                    readPieces(in, restored);
                }
            }
        }
    }

    private static void readPieces(InputStream in, List<BatchPiece> out) throws IOException {
        DataInputViewStreamWrapper view = new DataInputViewStreamWrapper(new BufferedInputStream(in, 1 << 16));
        int format = view.readInt();
        if (format != STATE_FORMAT) {
            throw new IOException("the serving sink's state has format " + format + "; this version reads "
                    + STATE_FORMAT + " (a checkpoint of a newer version?)");
        }
        int n = view.readInt();
        for (int i = 0; i < n; i++) {
            out.add(BatchPieceSerializer.INSTANCE.deserialize(view));
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
        List<BatchPiece> pieces = writer.snapshotState();
        OperatorStateCheckpointOutputStream out = context.getRawOperatorStateOutput();
        out.startNewPartition();
        DataOutputViewStreamWrapper view = new DataOutputViewStreamWrapper(out);
        view.writeInt(STATE_FORMAT);
        view.writeInt(pieces.size());
        for (BatchPiece p : pieces) {
            BatchPieceSerializer.INSTANCE.serialize(p, view);
        }
        view.flush();
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
