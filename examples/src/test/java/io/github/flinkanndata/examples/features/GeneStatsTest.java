package io.github.flinkanndata.examples.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/** Welford's running statistics with sparse zero folding, and the merge of two accumulators. */
class GeneStatsTest {
    private static final int GENES = 12;

    /** Random sparse rows: about a third of the genes set, some to explicit zeros, gene 11 never. */
    private static List<double[]> rows(long seed, int n) {
        Random r = new Random(seed);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] row = new double[GENES];
            for (int j = 0; j < GENES - 1; j++) {
                if (r.nextInt(3) == 0) {
                    row[j] = r.nextInt(4) == 0 ? 0.0 : 1 + r.nextDouble() * 8; // some stored zeros
                }
            }
            out.add(row);
        }
        return out;
    }

    /** Feeds a dense row as its sparse form; a stored zero is listed when {@code withZeros}. */
    private static void add(GeneStats s, double[] row, boolean withZeros) {
        List<Integer> idx = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (int j = 0; j < row.length; j++) {
            if (row[j] != 0 || (withZeros && j % 2 == 0)) {
                idx.add(j);
                val.add(row[j]);
            }
        }
        s.add(idx.stream().mapToInt(Integer::intValue).toArray(), val.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Two-pass mean and sample variance of column j. */
    private static double[] twoPass(List<double[]> rows, int j) {
        double mean = 0;
        for (double[] r : rows) {
            mean += r[j];
        }
        mean /= rows.size();
        double ss = 0;
        for (double[] r : rows) {
            ss += (r[j] - mean) * (r[j] - mean);
        }
        return new double[] {mean, ss / (rows.size() - 1)};
    }

    private static void assertMatches(GeneStats s, List<double[]> rows) {
        assertThat(s.count).isEqualTo(rows.size());
        for (int j = 0; j < GENES; j++) {
            double[] expected = twoPass(rows, j);
            assertThat(s.mean(j)).as("mean %s", j).isCloseTo(expected[0], within(1e-12));
            assertThat(s.variance(j)).as("variance %s", j).isCloseTo(expected[1], within(1e-12));
        }
    }

    @Test
    void sparseUpdatesCountImplicitZerosAsTwoPassOverDenseRows() {
        List<double[]> rows = rows(1, 200);
        GeneStats s = new GeneStats(GENES);
        GeneStats withZeros = new GeneStats(GENES);
        for (double[] r : rows) {
            add(s, r, false);
            add(withZeros, r, true);
        }
        s.settle();
        withZeros.settle();
        assertMatches(s, rows);
        assertMatches(withZeros, rows);
        assertThat(s.mean(GENES - 1)).as("a gene never set").isZero();
        assertThat(s.variance(GENES - 1)).isZero();
    }

    @Test
    void settlingMidStreamChangesNothing() {
        List<double[]> rows = rows(2, 50);
        GeneStats s = new GeneStats(GENES);
        for (int i = 0; i < rows.size(); i++) {
            add(s, rows.get(i), false);
            if (i % 7 == 0) {
                s.settle();
            }
        }
        s.settle();
        assertMatches(s, rows);
    }

    @Test
    void mergingTwoPartialAccumulatorsEqualsOneOverAllCells() {
        List<double[]> rows = rows(3, 91);
        GeneStats a = new GeneStats(GENES);
        GeneStats b = new GeneStats(GENES);
        for (int i = 0; i < rows.size(); i++) {
            add(i < 30 ? a : b, rows.get(i), false); // b unsettled when merged
        }
        a.merge(b);
        assertMatches(a, rows);
        // the merged accumulator keeps accepting cells
        List<double[]> more = rows(4, 9);
        for (double[] r : more) {
            add(a, r, false);
        }
        a.settle();
        List<double[]> all = new ArrayList<>(rows);
        all.addAll(more);
        assertMatches(a, all);
    }

    @Test
    void mergingWithAnEmptyAccumulatorOnEitherSide() {
        List<double[]> rows = rows(5, 20);
        GeneStats full = new GeneStats(GENES);
        rows.forEach(r -> add(full, r, false));
        full.merge(new GeneStats(GENES));
        assertMatches(full, rows);

        GeneStats empty = new GeneStats(GENES);
        GeneStats other = new GeneStats(GENES);
        rows.forEach(r -> add(other, r, false));
        empty.merge(other);
        assertMatches(empty, rows);
    }

    @Test
    void mergeFormulaOnKnownNumbers() {
        // {1, 2} and {4, 5, 6}: mean 18/5, M2 = sum of squared deviations = 17.2
        double[] m = GeneStats.merge(2, 1.5, 0.5, 3, 5, 2);
        assertThat(m[0]).isCloseTo(3.6, within(1e-15));
        assertThat(m[1]).isCloseTo(17.2, within(1e-13));
    }

    @Test
    void mergingDifferentGeneCountsFails() {
        assertThatThrownBy(() -> new GeneStats(3).merge(new GeneStats(4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 genes into 3 genes");
    }

    @Test
    void varianceNeedsTwoCells() {
        GeneStats s = new GeneStats(2);
        s.add(new int[] {0}, new double[] {3});
        s.settle();
        assertThat(s.mean(0)).isEqualTo(3);
        assertThat(s.variance(0)).isNaN();
    }

    @Test
    void stateAndRecordTypesUseFlinksPojoSerializer() {
        // the job disables generic types, so a Kryo fallback would fail it; this says why earlier
        assertThat(TypeInformation.of(GeneStats.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(CellFeatures.class)).isInstanceOf(PojoTypeInfo.class);
    }
}
