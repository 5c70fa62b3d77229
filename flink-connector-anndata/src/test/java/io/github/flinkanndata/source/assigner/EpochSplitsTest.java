package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.Seeds;
import io.github.flinkanndata.source.split.RowSpace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sampling policies: coverage, determinism, block geometry and weighted frequencies. */
class EpochSplitsTest {
    private static final RowSpace SPACE = new RowSpace(new long[] {100, 0, 37, 250, 1});

    /** Global indices a split emits, in segment order (before any permutation). */
    private static List<Long> globals(AnnDataSplit split, RowSpace space) {
        List<Long> out = new ArrayList<>();
        for (Segment s : split.segments()) {
            assertThat(s.to()).isLessThanOrEqualTo(space.kept(s.store()));
            if (s.draws() == null) {
                for (long p = s.from(); p < s.to(); p++) {
                    out.add(space.offset(s.store()) + p);
                }
            } else {
                for (int d : s.draws()) {
                    out.add(space.offset(s.store()) + s.from() + d);
                }
            }
        }
        return out;
    }

    private static void assertEachOnce(EpochSplits policy, int epoch, RowSpace space) {
        int[] seen = new int[(int) space.total()];
        for (long j = 0; j < policy.splitsPerEpoch(); j++) {
            AnnDataSplit split = policy.split(epoch, j);
            assertThat(split.epoch()).isEqualTo(epoch);
            assertThat(split.splitId()).isEqualTo("e" + epoch + "-" + j);
            for (long g : globals(split, space)) {
                seen[(int) g]++;
            }
        }
        for (int g = 0; g < seen.length; g++) {
            assertThat(seen[g]).as("global index %d", g).isEqualTo(1);
        }
    }

    @Test
    void sequentialVisitsStoresInOrderWithoutCrossingThem() {
        SequentialSplits policy = new SequentialSplits(SPACE, 40);
        // 100 -> 3 splits, 0 -> none, 37 -> 1, 250 -> 7, 1 -> 1
        assertThat(policy.splitsPerEpoch()).isEqualTo(12);
        assertEachOnce(policy, 0, SPACE);
        long previous = -1;
        for (long j = 0; j < policy.splitsPerEpoch(); j++) {
            AnnDataSplit split = policy.split(3, j);
            assertThat(split.segments()).hasSize(1);
            assertThat(split.permuted()).isFalse();
            long first = globals(split, SPACE).get(0);
            assertThat(first).isGreaterThan(previous);
            previous = first;
        }
        assertThat(policy.split(0, 3).segments().get(0)).isEqualTo(Segment.range(2, 0, 37));
        assertThat(policy.split(0, 11).segments().get(0)).isEqualTo(Segment.range(4, 0, 1));
    }

    @Test
    void blockShuffledCoversEveryRowOncePerEpochInSeededOrder() {
        BlockShuffledSplits policy = new BlockShuffledSplits(SPACE, 16, 3, 42);
        for (int epoch = 0; epoch < 3; epoch++) {
            assertEachOnce(policy, epoch, SPACE);
        }
        BlockShuffledSplits again = new BlockShuffledSplits(SPACE, 16, 3, 42);
        BlockShuffledSplits otherSeed = new BlockShuffledSplits(SPACE, 16, 3, 43);
        List<AnnDataSplit> e0 = new ArrayList<>();
        List<AnnDataSplit> e1 = new ArrayList<>();
        for (long j = 0; j < policy.splitsPerEpoch(); j++) {
            AnnDataSplit s = policy.split(0, j);
            assertThat(again.split(0, j)).isEqualTo(s);
            assertThat(s.permuted()).isTrue();
            for (Segment seg : s.segments()) {
                assertThat(seg.to() - seg.from()).isBetween(1L, 16L);
                assertThat(seg.from() % 16).isZero();
            }
            e0.add(s);
            e1.add(policy.split(1, j));
        }
        assertThat(segmentsOf(e1)).as("another epoch, another order").isNotEqualTo(segmentsOf(e0));
        List<AnnDataSplit> other = new ArrayList<>();
        for (long j = 0; j < policy.splitsPerEpoch(); j++) {
            other.add(otherSeed.split(0, j));
        }
        assertThat(segmentsOf(other)).as("another seed, another order").isNotEqualTo(segmentsOf(e0));
        // random access after a restore gives the same split as sequential generation
        assertThat(new BlockShuffledSplits(SPACE, 16, 3, 42).split(1, 5)).isEqualTo(e1.get(5));
    }

    private static List<List<Segment>> segmentsOf(List<AnnDataSplit> splits) {
        List<List<Segment>> out = new ArrayList<>();
        splits.forEach(s -> out.add(s.segments()));
        return out;
    }

    /**
     * Labels sorted by class, as cell types often are: 2000 A, 800 B, 200 C, weight = 1/count, so
     * each class should get a third of the draws. Returns the chi-square statistic of the class
     * counts over 5 epochs against equal thirds.
     */
    private static double classBalanceChiSquare(int blockSize, int windowBlocks) {
        int n = 3000;
        RowSpace space = new RowSpace(new long[] {1700, 1300});
        double[] weights = new double[n];
        char[] cls = new char[n];
        for (int g = 0; g < n; g++) {
            cls[g] = g < 2000 ? 'A' : g < 2800 ? 'B' : 'C';
            weights[g] = 1.0 / (cls[g] == 'A' ? 2000 : cls[g] == 'B' ? 800 : 200);
        }
        WeightedSplits policy = new WeightedSplits(space, blockSize, windowBlocks, 7, weights);
        long perSplit = (long) blockSize * windowBlocks;
        assertThat(policy.splitsPerEpoch()).isEqualTo((n + perSplit - 1) / perSplit);
        Map<Character, Integer> counts = new HashMap<>();
        int draws = 0;
        for (int epoch = 0; epoch < 5; epoch++) {
            int epochDraws = 0;
            for (long j = 0; j < policy.splitsPerEpoch(); j++) {
                AnnDataSplit split = policy.split(epoch, j);
                assertThat(split).isEqualTo(policy.split(epoch, j));
                for (Segment s : split.segments()) {
                    assertThat(s.draws()).isNotNull();
                    assertThat(s.to() - s.from()).isLessThanOrEqualTo(blockSize);
                }
                for (long g : globals(split, space)) {
                    counts.merge(cls[(int) g], 1, Integer::sum);
                    epochDraws++;
                }
            }
            assertThat(epochDraws).as("one draw per sample and epoch").isEqualTo(n);
            draws += epochDraws;
        }
        double expected = draws / 3.0;
        double chi2 = 0;
        for (char c : new char[] {'A', 'B', 'C'}) {
            double d = counts.getOrDefault(c, 0) - expected;
            chi2 += d * d / expected;
        }
        return chi2;
    }

    /** Chi-square with 2 degrees of freedom: 13.8 is the 99.9% quantile. */
    private static final double CHI2_2DF_999 = 13.8;

    @Test
    void weightedDrawsBalanceClasses() {
        // block size 1: every draw independent, the plain chi-square test applies
        assertThat(classBalanceChiSquare(1, 64)).isLessThan(CHI2_2DF_999);
    }

    @Test
    void blockWiseWeightedDrawsBalanceClasses() {
        // draws that share a block visit are correlated (same block, mostly the same class); the
        // Rao-Scott correction divides by the design effect, at most the draws per visit (32).
        // Ignoring the weights would give a corrected statistic of about 260.
        assertThat(classBalanceChiSquare(32, 4) / 32).isLessThan(CHI2_2DF_999);
    }

    @Test
    void weightedNeverDrawsZeroWeightSamples() {
        RowSpace space = new RowSpace(new long[] {64});
        double[] w = new double[64];
        for (int g = 0; g < 64; g += 2) {
            w[g] = 1;
        }
        WeightedSplits policy = new WeightedSplits(space, 8, 2, 1, w);
        for (long j = 0; j < policy.splitsPerEpoch(); j++) {
            for (long g : globals(policy.split(0, j), space)) {
                assertThat(g % 2).isZero();
            }
        }
        assertThatThrownBy(() -> new WeightedSplits(space, 8, 2, 1, new double[64]))
                .hasMessageContaining("all sample weights are zero");
        assertThatThrownBy(() -> new WeightedSplits(space, 8, 2, 1, new double[3]))
                .hasMessageContaining("3 weights for 64 samples");
    }

    @Test
    void seedsArePermutationsAndDependOnEveryPart() {
        int[] p = Seeds.permutation(1000, 5);
        boolean[] hit = new boolean[1000];
        for (int i : p) {
            hit[i] = true;
        }
        for (boolean h : hit) {
            assertThat(h).isTrue();
        }
        assertThat(Seeds.mix(1, 2, 3)).isNotEqualTo(Seeds.mix(1, 3, 2)).isNotEqualTo(Seeds.mix(1, 2, 4));
    }

    @Test
    void everyPolicyPlacesItsSplitsEndToEndInTheEpoch() {
        double[] weights = new double[(int) SPACE.total()];
        java.util.Arrays.fill(weights, 1.0);
        weights[3] = 0;
        for (EpochSplits policy : List.of(new SequentialSplits(SPACE, 40), new BlockShuffledSplits(SPACE, 16, 3, 9),
                new WeightedSplits(SPACE, 16, 3, 9, weights))) {
            for (int epoch : new int[] {0, 2}) {
                long at = 0;
                for (long j = 0; j < policy.splitsPerEpoch(); j++) {
                    AnnDataSplit split = policy.split(epoch, j);
                    assertThat(split.epochOffset()).as("%s, split %d", policy.getClass().getSimpleName(), j)
                            .isEqualTo(at);
                    assertThat(split.epochSize()).isEqualTo(SPACE.total());
                    at += split.size();
                }
                assertThat(at).isEqualTo(SPACE.total());
            }
        }
    }

    @Test
    void anAssignerStartingMidEpochHandsOutTheRestOfTheEpochThenTheNext() {
        BlockShuffledSplits policy = new BlockShuffledSplits(SPACE, 16, 3, 9);
        long total = SPACE.total();
        for (long position : new long[] {0, 1, 47, 48, 200, total - 1, total}) {
            SplitAssigner a = SplitAssigner.startingAt(policy, 3, 1, position);
            List<Long> emitted = new ArrayList<>();
            AnnDataSplit s;
            while ((s = a.next()) != null && s.epoch() == 1) {
                long[] order = io.github.flinkanndata.source.split.SplitOrder.globalIndices(s, SPACE);
                for (int k = s.skip(); k < order.length; k++) {
                    emitted.add(order[k]);
                }
            }
            List<Long> whole = new ArrayList<>();
            for (long j = 0; j < policy.splitsPerEpoch(); j++) {
                for (long g : io.github.flinkanndata.source.split.SplitOrder.globalIndices(policy.split(1, j), SPACE)) {
                    whole.add(g);
                }
            }
            assertThat(emitted).as("from %d", position).isEqualTo(whole.subList((int) position, whole.size()));
            assertThat(s).as("then epoch 2 from its start").isNotNull();
            assertThat(s.epoch()).isEqualTo(2);
            assertThat(s.ordinal()).isZero();
        }
    }
}
