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
 *
 * @param key the collection fingerprint and settings the batch order depends on
 * @param batch the batch's index {@code g} in its epoch
 * @param offset position of this piece's first cell in the batch
 * @param batchSize cells of the whole batch (every batch of an epoch has this many)
 * @param batchesInEpoch batches in this piece's epoch
 * @param cells this piece's cells
 */
@PublicEvolving
@TypeInfo(BatchPieceTypeInfo.Factory.class)
public record BatchPiece(String key, int epoch, long batch, int offset, int batchSize, long batchesInEpoch,
        CellBatch cells) {
    public BatchPiece {
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
        Objects.requireNonNull(key, "key");
    }

    /** Whether this piece is its whole batch. */
    public boolean complete() {
        return offset == 0 && cells.size() == batchSize;
    }

    /** Of the position only: the cells' hash would walk every value. */
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
