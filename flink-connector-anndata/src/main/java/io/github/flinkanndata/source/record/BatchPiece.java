package io.github.flinkanndata.source.record;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Part or all of one numbered mini-batch of an epoch: what {@code CellOutputFormat.numberedBatches}
 * emits. Batch {@code g} of an epoch is the cells at positions {@code [g * B, (g + 1) * B)} of the
 * epoch's sample order (every split's emission order, splits in ordinal order), so its cells are a
 * pure function of {@code (collection, settings, seed, epoch, g)} and not of the parallelism. The
 * epoch's last, partial batch is dropped: an epoch has {@code floor(N / B)} batches.
 *
 * <p>A batch whose cells lie in two splits, read by two readers, arrives as two or more pieces;
 * {@link BatchAssembler} joins them. {@link #offset()} is the position of this piece's first cell
 * within its batch.
 *
 * <p>{@link #key()} names the collection and the settings the order depends on (sampling, block
 * and window sizes, seed, batch size, ...); a position token is {@code (key, epoch, next batch)}.
 */
@PublicEvolving
@TypeInfo(BatchPieceTypeInfo.Factory.class)
public final class BatchPiece {
    private final String key;
    private final int epoch;
    private final long batch;
    private final int offset;
    private final int batchSize;
    private final long batchesInEpoch;
    private final CellBatch cells;

    public BatchPiece(String key, int epoch, long batch, int offset, int batchSize, long batchesInEpoch,
            CellBatch cells) {
        if (batch < 0 || batch >= batchesInEpoch) {
            throw new IllegalArgumentException("batch " + batch + " outside [0, " + batchesInEpoch + ")");
        }
        if (offset < 0 || cells.size() == 0 || offset + cells.size() > batchSize) {
            throw new IllegalArgumentException("a piece of " + cells.size() + " cells at offset " + offset
                    + " does not fit a batch of " + batchSize);
        }
        if (cells.epoch() != epoch) {
            throw new IllegalArgumentException("cells of epoch " + cells.epoch() + " in a piece of epoch " + epoch);
        }
        this.key = Objects.requireNonNull(key, "key");
        this.epoch = epoch;
        this.batch = batch;
        this.offset = offset;
        this.batchSize = batchSize;
        this.batchesInEpoch = batchesInEpoch;
        this.cells = cells;
    }

    /** The collection fingerprint and settings the batch order depends on. */
    public String key() {
        return key;
    }

    public int epoch() {
        return epoch;
    }

    /** The batch's index {@code g} in its epoch. */
    public long batch() {
        return batch;
    }

    /** Position of this piece's first cell in the batch. */
    public int offset() {
        return offset;
    }

    /** Cells of the whole batch (every batch of an epoch has this many). */
    public int batchSize() {
        return batchSize;
    }

    /** Batches in this piece's epoch. */
    public long batchesInEpoch() {
        return batchesInEpoch;
    }

    /** This piece's cells. */
    public CellBatch cells() {
        return cells;
    }

    /** Whether this piece is its whole batch. */
    public boolean complete() {
        return offset == 0 && cells.size() == batchSize;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BatchPiece)) {
            return false;
        }
        BatchPiece p = (BatchPiece) o;
        return epoch == p.epoch && batch == p.batch && offset == p.offset && batchSize == p.batchSize
                && batchesInEpoch == p.batchesInEpoch && key.equals(p.key) && cells.equals(p.cells);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, batch, offset);
    }

    @Override
    public String toString() {
        return "BatchPiece{epoch " + epoch + ", batch " + batch + " of " + batchesInEpoch + ", cells [" + offset
                + ", " + (offset + cells.size()) + ") of " + batchSize + "}";
    }
}
