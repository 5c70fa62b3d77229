package io.github.flinkanndata.source.split;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One unit of work: the samples an epoch's split emits, as a list of {@link Segment}s (row runs,
 * each inside one store) and, for shuffled sampling, the seed of the permutation applied across
 * all of the split's rows.
 *
 * <p>A split is an immutable value derived from data only: {@code (epoch, ordinal)} name it
 * uniquely, and the enumerator produces the same split for the same {@code (seed, epoch,
 * ordinal)} after any restore. Progress lives in {@link AnnDataSplitState}, never here.
 *
 * <p>Emission order: the segments' rows concatenated in segment order, then, if {@link
 * #permuted()}, permuted by a Fisher-Yates shuffle seeded with {@link #permutationSeed()}. Being a
 * pure function of the split, the order is recomputed identically after a restore, so the number
 * of samples already emitted is all a checkpoint needs: it travels as {@link #skip()}, the
 * leading samples of the emission order that a reader must not emit again.
 */
@Internal
public final class AnnDataSplit implements SourceSplit {
    /** {@link #epochOffset()} and {@link #epochSize()} of a split whose place in its epoch is not known. */
    public static final long UNPLACED = -1;

    private final int epoch;
    private final long ordinal;
    private final Segment[] segments;
    private final boolean permuted;
    private final long permutationSeed;
    private final int skip;
    private final long epochOffset;
    private final long epochSize;
    private final String id;

    public AnnDataSplit(int epoch, long ordinal, List<Segment> segments, boolean permuted, long permutationSeed) {
        this(epoch, ordinal, segments.toArray(new Segment[0]), permuted, permutationSeed, 0, UNPLACED, UNPLACED);
    }

    private AnnDataSplit(int epoch, long ordinal, Segment[] segments, boolean permuted, long permutationSeed,
            int skip, long epochOffset, long epochSize) {
        if (epoch < 0 || ordinal < 0) {
            throw new IllegalArgumentException("epoch and ordinal must be >= 0, were " + epoch + ", " + ordinal);
        }
        if (segments.length == 0) {
            throw new IllegalArgumentException("a split needs at least one segment");
        }
        this.epoch = epoch;
        this.ordinal = ordinal;
        this.segments = segments;
        this.permuted = permuted;
        this.permutationSeed = permutationSeed;
        this.id = "e" + epoch + "-" + ordinal;
        if (skip < 0 || skip > size()) {
            throw new IllegalArgumentException("skip must be in [0, " + size() + "], was " + skip + " for " + id);
        }
        this.skip = skip;
        if (epochOffset != UNPLACED && (epochOffset < 0 || epochSize < epochOffset + size())) {
            throw new IllegalArgumentException("split " + id + " of " + size() + " samples cannot start at "
                    + epochOffset + " of an epoch of " + epochSize);
        }
        this.epochOffset = epochOffset;
        this.epochSize = epochOffset == UNPLACED ? UNPLACED : epochSize;
    }

    /** This split resuming after its first {@code emitted} samples. */
    public AnnDataSplit withSkip(int emitted) {
        return new AnnDataSplit(epoch, ordinal, segments, permuted, permutationSeed, emitted, epochOffset, epochSize);
    }

    /**
     * This split placed in its epoch's sample order: its first sample is at position {@code
     * offset} of an epoch of {@code size} samples (every split's emission order, splits in ordinal
     * order). Numbered batches need the place; the policies set it.
     */
    public AnnDataSplit placed(long offset, long size) {
        return new AnnDataSplit(epoch, ordinal, segments, permuted, permutationSeed, skip, offset, size);
    }

    /** Position of this split's first sample in its epoch's sample order, or {@link #UNPLACED}. */
    public long epochOffset() {
        return epochOffset;
    }

    /** Samples in this split's epoch, or {@link #UNPLACED}. */
    public long epochSize() {
        return epochSize;
    }

    @Override
    public String splitId() {
        return id;
    }

    /** The epoch this split belongs to (0-based). */
    public int epoch() {
        return epoch;
    }

    /** Position of this split in its epoch's split sequence. */
    public long ordinal() {
        return ordinal;
    }

    public List<Segment> segments() {
        return List.of(segments);
    }

    public boolean permuted() {
        return permuted;
    }

    public long permutationSeed() {
        return permutationSeed;
    }

    /** Leading samples (in emission order) already emitted before the checkpoint this split came from. */
    public int skip() {
        return skip;
    }

    /** Number of samples the split emits. */
    public int size() {
        int n = 0;
        for (Segment s : segments) {
            n += s.emitted();
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AnnDataSplit)) {
            return false;
        }
        AnnDataSplit s = (AnnDataSplit) o;
        return epoch == s.epoch && ordinal == s.ordinal && permuted == s.permuted
                && permutationSeed == s.permutationSeed && skip == s.skip
                && epochOffset == s.epochOffset && epochSize == s.epochSize
                && Arrays.equals(segments, s.segments);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, ordinal, permuted, permutationSeed, skip) * 31 + Arrays.hashCode(segments);
    }

    @Override
    public String toString() {
        return "AnnDataSplit{" + id + ", " + size() + " samples, " + Arrays.toString(segments)
                + (permuted ? ", permuted" : "") + (skip > 0 ? ", skip " + skip : "")
                + (epochOffset == UNPLACED ? "" : ", at " + epochOffset + " of " + epochSize) + "}";
    }
}
