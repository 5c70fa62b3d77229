package io.github.flinkanndata.examples.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Top-k selection by dispersion. */
class HighlyVariableGenesTest {
    /** Statistics of the given dense rows (genes as columns). */
    private static GeneStats stats(double[]... rows) {
        GeneStats s = new GeneStats(rows[0].length);
        for (double[] r : rows) {
            int[] idx = new int[r.length];
            for (int j = 0; j < r.length; j++) {
                idx[j] = j;
            }
            s.add(idx, r);
        }
        s.settle();
        return s;
    }

    @Test
    void ranksByDispersionAndBreaksTiesByPosition() {
        // gene 0: mean 1, var 0 ; gene 1: {0, 4} mean 2 var 8 disp 4 ; gene 2: {0, 2} mean 1 var 2 disp 2
        // gene 3: never expressed ; gene 4 equals gene 2 (tie) ; gene 5 equals gene 1 (tie)
        GeneStats s = stats(new double[] {1, 0, 0, 0, 0, 0}, new double[] {1, 4, 2, 0, 2, 4});
        assertThat(HighlyVariableGenes.top(s, 10)).containsExactly(1, 5, 2, 4, 0);
        assertThat(HighlyVariableGenes.top(s, 3)).containsExactly(1, 5, 2);
        assertThat(HighlyVariableGenes.dispersion(s, 1)).isEqualTo(4.0);
        assertThat(HighlyVariableGenes.dispersion(s, 3)).as("mean 0: no dispersion").isNaN();
    }

    @Test
    void noListBeforeTwoCells() {
        assertThat(HighlyVariableGenes.top(stats(new double[] {1, 2}), 5)).isEmpty();
    }
}
