package io.github.flinkanndata.source.split;

import org.apache.flink.annotation.Internal;

/**
 * The mutable progress of a split on its reader: how many of its samples were emitted. The
 * emission order is a pure function of the split, so this one number is enough to resume at
 * exactly the next sample.
 */
@Internal
public final class AnnDataSplitState {
    private final AnnDataSplit split;
    private int emitted;

    public AnnDataSplitState(AnnDataSplit split) {
        this.split = split;
        this.emitted = split.skip();
    }

    public AnnDataSplit split() {
        return split;
    }

    public int emitted() {
        return emitted;
    }

    /** Advances past {@code samples} samples emitted together (one cell, or a batch). */
    public void advance(int samples) {
        emitted += samples;
    }

    /** The split resuming at the current position, as stored in the reader's checkpoint. */
    public AnnDataSplit toSplit() {
        return split.withSkip(emitted);
    }

    @Override
    public String toString() {
        return split.splitId() + "@" + emitted + "/" + split.size();
    }
}
