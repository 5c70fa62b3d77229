package io.github.flinkanndata.examples.training;

import java.io.Serializable;

/**
 * Which cells are held out: never trained on, only predicted, to measure how the model does on
 * cells it has not learnt. Membership is a pure function of the cell's global index, so a cell is
 * held out in every epoch, on every reader and after every restore, and the prequential and
 * held-out sets never mix.
 *
 * @param fraction the expected share of held-out cells, in {@code [0, 1)}
 */
public record Holdout(double fraction) implements Serializable {

    public Holdout {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("holdout fraction must be in [0, 1), was " + fraction);
        }
    }

    /** Whether the cell of this global index is held out. */
    public boolean contains(long globalIndex) {
        // SplitMix64's finaliser: neighbouring indices get unrelated uniform values
        long z = globalIndex + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53 < fraction;
    }
}
