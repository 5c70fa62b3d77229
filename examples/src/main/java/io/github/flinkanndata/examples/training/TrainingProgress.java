package io.github.flinkanndata.examples.training;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The prequential bookkeeping of a training run: what happened to each cell (trained on after
 * being predicted, predicted only because it is held out, or skipped for lack of a label), and the
 * report lines that follow from it.
 *
 * <p>Two kinds of line, both {@code key=value} pairs:
 *
 * <pre>
 * cells=1000 epoch=2 prequential_accuracy=0.781 loss=0.712 holdout_accuracy=0.768
 * epoch=2 complete cells=1400 prequential_accuracy=0.989 loss=0.047 holdout_accuracy=0.808
 * </pre>
 *
 * The first every {@code reportEvery} cells, over those cells (a window); the second when all
 * {@code cellsPerEpoch} cells of an epoch have arrived, over that epoch. Epochs are printed
 * 1-based. {@code prequential_*} is measured on training cells before the step on each, {@code
 * holdout_accuracy} on held-out cells, which are never trained on; "n/a" when there was none.
 *
 * <p>Part of the operator state (with the model), so after a restore the counts continue from
 * the checkpoint and every line is produced once per successful run. Epochs may overlap when
 * several readers work on neighbouring epochs; they are counted separately by the epoch each
 * cell was drawn in. Not thread-safe.
 */
final class TrainingProgress {
    private static final int MAGIC = 0x54505231; // "TPR1"
    private static final int VERSION_1 = 1;

    /** What the trainer did with one cell. */
    enum Outcome {
        TRAINED,
        HELD_OUT,
        UNLABELLED
    }

    private final int reportEvery;
    private final long cellsPerEpoch;
    private long cells;
    private int latestEpoch;
    private int epochsCompleted;
    private int restores;
    private long restoredAtCells;
    private final Tally window = new Tally();
    private final Map<Integer, EpochTally> openEpochs = new TreeMap<>();
    // the last full window, for the metrics
    private final Tally lastWindow = new Tally();

    /**
     * @param reportEvery cells per window line, > 0
     * @param cellsPerEpoch cells the source emits per epoch, > 0
     */
    TrainingProgress(int reportEvery, long cellsPerEpoch) {
        if (reportEvery <= 0) {
            throw new IllegalArgumentException("reportEvery must be > 0, was " + reportEvery);
        }
        if (cellsPerEpoch <= 0) {
            throw new IllegalArgumentException("cellsPerEpoch must be > 0, was " + cellsPerEpoch);
        }
        this.reportEvery = reportEvery;
        this.cellsPerEpoch = cellsPerEpoch;
    }

    /**
     * Records one cell and returns the report lines it completes (none, a window line, an epoch
     * line, or both).
     *
     * @param epoch the 0-based epoch the cell was drawn in
     * @param correct whether the prediction was right (ignored for unlabelled cells)
     * @param loss the cross-entropy of the prediction (ignored for unlabelled cells)
     */
    List<String> record(int epoch, Outcome outcome, boolean correct, double loss) {
        cells++;
        latestEpoch = Math.max(latestEpoch, epoch);
        window.add(outcome, correct, loss);
        EpochTally e = openEpochs.computeIfAbsent(epoch, k -> new EpochTally());
        e.tally.add(outcome, correct, loss);
        e.cells++;
        List<String> lines = new ArrayList<>(2);
        if (cells % reportEvery == 0) {
            lines.add(flushWindow());
        }
        if (e.cells == cellsPerEpoch) {
            openEpochs.remove(epoch);
            epochsCompleted++;
            lines.add(String.format(Locale.ROOT, "epoch=%d complete cells=%d %s", epoch + 1, cells, e.tally.describe()));
        }
        return lines;
    }

    /** The line of the cells since the last window line, if there are any (at the end of input). */
    List<String> finish() {
        return window.isEmpty() ? List.of() : List.of(flushWindow());
    }

    private String flushWindow() {
        String line = String.format(Locale.ROOT, "cells=%d epoch=%d %s", cells, latestEpoch + 1, window.describe());
        lastWindow.setTo(window);
        window.clear();
        return line;
    }

    /** Notes that the state was restored from a checkpoint (kept as provenance in snapshots). */
    void markRestored() {
        restores++;
        restoredAtCells = cells;
    }

    long cells() {
        return cells;
    }

    /** The latest epoch a cell came from, 1-based (0 before the first cell). */
    int latestEpoch() {
        return cells == 0 ? 0 : latestEpoch + 1;
    }

    int epochsCompleted() {
        return epochsCompleted;
    }

    int restores() {
        return restores;
    }

    long restoredAtCells() {
        return restoredAtCells;
    }

    /** Prequential accuracy of the last full window (NaN before the first). */
    double lastAccuracy() {
        return lastWindow.train.accuracy();
    }

    double lastLoss() {
        return lastWindow.train.meanLoss();
    }

    double lastHoldoutAccuracy() {
        return lastWindow.holdout.accuracy();
    }

    byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION_1);
            out.writeInt(reportEvery);
            out.writeLong(cellsPerEpoch);
            out.writeLong(cells);
            out.writeInt(latestEpoch);
            out.writeInt(epochsCompleted);
            out.writeInt(restores);
            out.writeLong(restoredAtCells);
            window.write(out);
            lastWindow.write(out);
            out.writeInt(openEpochs.size());
            for (Map.Entry<Integer, EpochTally> e : openEpochs.entrySet()) {
                out.writeInt(e.getKey());
                out.writeLong(e.getValue().cells);
                e.getValue().tally.write(out);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen in memory", e);
        }
    }

    static TrainingProgress fromBytes(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a training progress state (bad magic number)");
        }
        int version = in.readInt();
        if (version != VERSION_1) {
            throw new IOException("unknown training progress version " + version + "; this build reads 1");
        }
        TrainingProgress p = new TrainingProgress(in.readInt(), in.readLong());
        p.cells = in.readLong();
        p.latestEpoch = in.readInt();
        p.epochsCompleted = in.readInt();
        p.restores = in.readInt();
        p.restoredAtCells = in.readLong();
        p.window.read(in);
        p.lastWindow.read(in);
        int open = in.readInt();
        for (int i = 0; i < open; i++) {
            int epoch = in.readInt();
            EpochTally e = new EpochTally();
            e.cells = in.readLong();
            e.tally.read(in);
            p.openEpochs.put(epoch, e);
        }
        if (in.available() > 0) {
            throw new IOException(in.available() + " trailing bytes after the training progress state");
        }
        return p;
    }

    /** Counts of a set of predictions. */
    private static final class Score {
        long count;
        long correct;
        double lossSum;

        void add(boolean right, double loss) {
            count++;
            correct += right ? 1 : 0;
            lossSum += loss;
        }

        double accuracy() {
            return count == 0 ? Double.NaN : (double) correct / count;
        }

        double meanLoss() {
            return count == 0 ? Double.NaN : lossSum / count;
        }

        void setTo(Score s) {
            count = s.count;
            correct = s.correct;
            lossSum = s.lossSum;
        }

        void write(DataOutputStream out) throws IOException {
            out.writeLong(count);
            out.writeLong(correct);
            out.writeDouble(lossSum);
        }

        void read(DataInputStream in) throws IOException {
            count = in.readLong();
            correct = in.readLong();
            lossSum = in.readDouble();
        }
    }

    /** Training and held-out predictions of a window or an epoch. */
    private static final class Tally {
        final Score train = new Score();
        final Score holdout = new Score();
        long unlabelled;

        void add(Outcome outcome, boolean correct, double loss) {
            switch (outcome) {
                case TRAINED:
                    train.add(correct, loss);
                    break;
                case HELD_OUT:
                    holdout.add(correct, loss);
                    break;
                default:
                    unlabelled++;
            }
        }

        boolean isEmpty() {
            return train.count == 0 && holdout.count == 0 && unlabelled == 0;
        }

        String describe() {
            return "prequential_accuracy=" + fixed(train.accuracy()) + " loss=" + fixed(train.meanLoss())
                    + " holdout_accuracy=" + fixed(holdout.accuracy());
        }

        private static String fixed(double v) {
            return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
        }

        void setTo(Tally t) {
            train.setTo(t.train);
            holdout.setTo(t.holdout);
            unlabelled = t.unlabelled;
        }

        void clear() {
            setTo(new Tally());
        }

        void write(DataOutputStream out) throws IOException {
            train.write(out);
            holdout.write(out);
            out.writeLong(unlabelled);
        }

        void read(DataInputStream in) throws IOException {
            train.read(in);
            holdout.read(in);
            unlabelled = in.readLong();
        }
    }

    private static final class EpochTally {
        long cells;
        final Tally tally = new Tally();
    }
}
