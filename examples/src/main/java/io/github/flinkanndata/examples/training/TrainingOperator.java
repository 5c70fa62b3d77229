package io.github.flinkanndata.examples.training;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.examples.training.TrainingProgress.Outcome;
import io.github.flinkanndata.source.record.CellRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner as a Flink operator: takes cells, trains the {@link SoftmaxRegression} on them
 * test-then-train, and emits the report lines of {@link TrainingProgress}.
 *
 * <p><b>Where the model lives.</b> One model is trained by one operator instance: the job runs
 * this operator with parallelism 1 and max parallelism 1, and keeps the model in <em>operator</em>
 * list state (one entry). The alternative, keying every cell to one constant key and keeping the
 * model in keyed state, pins the work to one subtask just the same, but every cell would then
 * read and write the model through the state backend — with RocksDB a full (de)serialisation of
 * K×G doubles per cell. Here the model is a plain field and reaches the backend once per
 * checkpoint, in {@link #snapshotState}. Max parallelism 1 forbids rescaling, which would split or
 * duplicate a list-state entry. Checkpoints are aligned (exactly-once), so the state holds the
 * updates of exactly the cells before the barrier and the source resumes right after them: after
 * a failure no update is lost or applied twice.
 *
 * <p><b>Snapshots.</b> With a snapshot directory, the model and progress captured for a
 * checkpoint are written as JSON once that checkpoint completes (so every file is a state Flink
 * committed), and a final snapshot at the end of a bounded input.
 *
 * <p><b>Injected failure</b> (for demonstrations and tests): after {@code failAfter} cells and
 * once a checkpoint holding trained cells has completed, the operator throws once per run id and
 * JVM. Until that checkpoint completes it slows down, so that the failure really restores a model
 * and not the initial state.
 *
 * <p>Threading: everything runs on the task's mailbox thread; the metric gauges read fields that
 * it writes (a gauge may see a value one cell old).
 */
final class TrainingOperator extends AbstractStreamOperator<String>
        implements OneInputStreamOperator<CellRecord, String>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainingOperator.class);
    /** Run ids whose failure was injected already (per JVM: a restarted task finds its own id). */
    private static final Set<String> FAILED_RUNS = ConcurrentHashMap.newKeySet();

    private final LearnerConfig config;
    private final String layer;
    private final Holdout holdout;
    private final int reportEvery;
    private final long cellsPerEpoch;
    private final ModelSnapshots.Labels labels;
    @Nullable private final String snapshotDir;
    private final long failAfter;
    private final String runId;

    private transient SoftmaxRegression model;
    private transient TrainingProgress progress;
    private transient ListState<byte[]> modelState;
    private transient ListState<byte[]> progressState;
    /** Checkpoint id → (model, progress) captured for it, until it completes. */
    private transient TreeMap<Long, byte[][]> pending;
    private transient boolean checkpointWithCellsCompleted;
    private transient boolean inputEnded;

    /**
     * @param layer the matrix of the features ({@code X}, a layer, {@code raw.X})
     * @param cellsPerEpoch cells per epoch, for the epoch lines
     * @param snapshotDir where to write JSON snapshots, or null for none
     * @param failAfter cells after which to fail once, or -1
     * @param runId identifies the run for the injected failure
     */
    TrainingOperator(LearnerConfig config, String layer, Holdout holdout, int reportEvery, long cellsPerEpoch,
            ModelSnapshots.Labels labels, @Nullable String snapshotDir, long failAfter, String runId) {
        if (labels.classes().size() != config.classes()) {
            throw new IllegalArgumentException(labels.classes().size() + " class names for " + config.classes() + " classes");
        }
        this.config = config;
        this.layer = layer;
        this.holdout = holdout;
        this.reportEvery = reportEvery;
        this.cellsPerEpoch = cellsPerEpoch;
        this.labels = labels;
        this.snapshotDir = snapshotDir;
        this.failAfter = failAfter;
        this.runId = runId;
    }

    /** Forgets that a run's failure was injected (for the client, once the run is over). */
    static void forgetRun(String runId) {
        FAILED_RUNS.remove(runId);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        modelState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("model", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        progressState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("progress", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        byte[] savedModel = single(modelState.get(), "model");
        byte[] savedProgress = single(progressState.get(), "progress");
        if (savedModel != null && savedProgress != null) {
            // hyperparameters come from this job; the shape must match the restored model
            model = ModelCodec.fromBytes(savedModel).withConfig(config);
            progress = TrainingProgress.fromBytes(savedProgress);
            progress.markRestored();
            LOG.info("restored the model after {} cells ({} trained on)", progress.cells(), model.steps());
        } else {
            model = new SoftmaxRegression(config);
            progress = new TrainingProgress(reportEvery, cellsPerEpoch);
        }
        pending = new TreeMap<>();
    }

    @Nullable
    private static byte[] single(Iterable<byte[]> entries, String name) {
        Iterator<byte[]> it = entries.iterator();
        if (!it.hasNext()) {
            return null;
        }
        byte[] first = it.next();
        if (it.hasNext()) {
            throw new IllegalStateException("more than one " + name + " in the state: was the trainer rescaled?");
        }
        return first;
    }

    @Override
    public void open() throws Exception {
        super.open();
        MetricGroup metrics = getMetricGroup();
        metrics.gauge("prequentialAccuracy", (Gauge<Double>) () -> progress.lastAccuracy());
        metrics.gauge("prequentialLoss", (Gauge<Double>) () -> progress.lastLoss());
        metrics.gauge("holdoutAccuracy", (Gauge<Double>) () -> progress.lastHoldoutAccuracy());
        metrics.gauge("cellsSeen", (Gauge<Long>) () -> progress.cells());
        metrics.gauge("cellsTrained", (Gauge<Long>) () -> model.steps());
        metrics.gauge("epoch", (Gauge<Integer>) () -> progress.latestEpoch());
    }

    @Override
    public void processElement(StreamRecord<CellRecord> element) throws Exception {
        maybeFail();
        CellRecord cell = element.getValue();
        MatrixRow row = cell.matrix(layer);
        if (row == null) {
            throw new IllegalStateException("cell " + cell.globalIndex() + " (store " + cell.storeIndex()
                    + ") has no matrix '" + layer + "'");
        }
        SparseVector x = SparseVector.of(row);
        Object label = cell.obs(labels.labelKey());
        List<String> lines;
        // a label is a code 0..K-1; MISSING, the unknown label (-1) or an absent key are not trained on
        if (label instanceof Integer && (Integer) label >= 0) {
            int y = (Integer) label;
            boolean heldOut = holdout.contains(cell.globalIndex());
            SoftmaxRegression.Step step = heldOut ? model.evaluate(x, y) : model.learn(x, y);
            lines = progress.record(cell.epoch(), heldOut ? Outcome.HELD_OUT : Outcome.TRAINED,
                    step.predicted() == y, step.loss());
        } else {
            lines = progress.record(cell.epoch(), Outcome.UNLABELLED, false, 0);
        }
        emit(lines);
    }

    /** Report lines go downstream (to the client) and into the TaskManager's log. */
    private void emit(List<String> lines) {
        for (String line : lines) {
            LOG.info("{}", line);
            output.collect(new StreamRecord<>(line));
        }
    }

    private void maybeFail() throws InterruptedException {
        if (failAfter < 0 || progress.cells() < failAfter || FAILED_RUNS.contains(runId)) {
            return;
        }
        if (!checkpointWithCellsCompleted) {
            Thread.sleep(5); // throttle until a checkpoint with trained cells is confirmed
            return;
        }
        if (FAILED_RUNS.add(runId)) {
            throw new IllegalStateException("injected failure after " + progress.cells() + " cells");
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        byte[] m = ModelCodec.toBytes(model);
        byte[] p = progress.toBytes();
        modelState.update(List.of(m));
        progressState.update(List.of(p));
        pending.put(context.getCheckpointId(), model.steps() > 0 ? new byte[][] {m, p} : null);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (!pending.containsKey(checkpointId)) {
            return;
        }
        byte[][] captured = pending.get(checkpointId);
        pending.headMap(checkpointId, true).clear(); // older ones are subsumed
        if (captured == null) {
            return;
        }
        checkpointWithCellsCompleted = true;
        if (snapshotDir != null && !inputEnded) {
            writeSnapshot(ModelCodec.fromBytes(captured[0]), TrainingProgress.fromBytes(captured[1]), false);
        }
    }

    @Override
    public void endInput() throws Exception {
        inputEnded = true;
        emit(progress.finish());
        if (snapshotDir != null) {
            writeSnapshot(model, progress, true);
        }
    }

    private void writeSnapshot(SoftmaxRegression m, TrainingProgress p, boolean isFinal) throws IOException {
        Path dir = Paths.get(snapshotDir);
        ModelSnapshots.write(dir, m, p, labels, isFinal);
    }
}
