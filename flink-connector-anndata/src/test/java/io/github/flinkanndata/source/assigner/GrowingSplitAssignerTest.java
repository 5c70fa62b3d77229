package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.RowSpace;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A policy over more stores takes over at the next epoch boundary, and a restore from any
 * {@code (epoch, cursor, active stores)} continues with exactly the splits of an uninterrupted run.
 */
class GrowingSplitAssignerTest {
    private static final RowSpace ONE = new RowSpace(new long[] {10});
    private static final RowSpace TWO = new RowSpace(new long[] {10, 5});

    private static List<AnnDataSplit> next(SplitAssigner a, int n) {
        List<AnnDataSplit> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(a.next());
        }
        return out;
    }

    private static boolean touchesStore1(AnnDataSplit s) {
        return s.segments().stream().mapToInt(Segment::store).anyMatch(x -> x == 1);
    }

    @Test
    void theGrownPolicyStartsAtTheNextEpoch() {
        SplitAssigner a = new SplitAssigner(new SequentialSplits(ONE, 4), SplitAssigner.UNBOUNDED, 0, 0, List.of());
        AnnDataSplit first = a.next(); // epoch 0 has begun: it stays over one store
        a.switchAtNextEpoch(new SequentialSplits(TWO, 4));
        assertThat(a.activeStores()).isEqualTo(1);
        List<AnnDataSplit> rest = next(a, 2);
        assertThat(first.splitId()).isEqualTo("e0-0");
        assertThat(rest).extracting(AnnDataSplit::splitId).containsExactly("e0-1", "e0-2");
        assertThat(rest).noneMatch(GrowingSplitAssignerTest::touchesStore1);
        List<AnnDataSplit> epoch1 = next(a, 5);
        assertThat(a.activeStores()).isEqualTo(2);
        assertThat(epoch1).extracting(AnnDataSplit::epoch).containsOnly(1);
        assertThat(epoch1.get(3).segments()).containsExactly(Segment.range(1, 0, 4));
        assertThat(epoch1.get(4).segments()).containsExactly(Segment.range(1, 4, 5));
        assertThat(a.next().splitId()).isEqualTo("e2-0");
    }

    @Test
    void beforeTheFirstSplitOfAnEpochTheGrownPolicyTakesOverAtOnce() {
        SplitAssigner a = new SplitAssigner(new SequentialSplits(ONE, 4), SplitAssigner.UNBOUNDED, 3, 0, List.of());
        a.switchAtNextEpoch(new SequentialSplits(TWO, 4));
        List<AnnDataSplit> epoch3 = next(a, 5);
        assertThat(epoch3).extracting(AnnDataSplit::epoch).containsOnly(3);
        assertThat(epoch3.get(4).segments()).containsExactly(Segment.range(1, 4, 5));
    }

    @Test
    void aCollectionWithoutSamplesHasNoSplitUntilItGrows() {
        SplitAssigner a = new SplitAssigner(new SequentialSplits(new RowSpace(new long[] {0}), 4),
                SplitAssigner.UNBOUNDED, 0, 0, List.of());
        assertThat(a.next()).isNull();
        a.switchAtNextEpoch(new SequentialSplits(new RowSpace(new long[] {0, 5}), 4));
        assertThat(a.next().segments()).containsExactly(Segment.range(1, 0, 4));
    }

    @Test
    void restoresFromEveryPositionReproduceTheRun() {
        for (boolean shuffled : new boolean[] {false, true}) {
            SplitAssigner run = assigner(ONE, shuffled, 0, 0);
            List<AnnDataSplit> expected = new ArrayList<>();
            List<int[]> states = new ArrayList<>(); // epoch, cursor, active stores before each split
            for (int i = 0; i < 20; i++) {
                if (i == 4) {
                    run.switchAtNextEpoch(policy(TWO, shuffled));
                }
                states.add(new int[] {run.epoch(), (int) run.cursor(), run.activeStores()});
                expected.add(run.next());
            }
            for (int i = 0; i < 20; i++) {
                int[] st = states.get(i);
                SplitAssigner restored = assigner(st[2] == 1 ? ONE : TWO, shuffled, st[0], st[1]);
                List<AnnDataSplit> got = new ArrayList<>();
                for (int k = i; k < 20; k++) {
                    // discovery at the same point as in the run; a checkpoint taken after it holds
                    // a plan of both stores, so the restored enumerator passes the grown policy at once
                    if (k == Math.max(i, 4) && st[2] == 1) {
                        restored.switchAtNextEpoch(policy(TWO, shuffled));
                    }
                    got.add(restored.next());
                }
                assertThat(got).as("shuffled=%s, restored before split %d", shuffled, i)
                        .containsExactlyElementsOf(expected.subList(i, 20));
            }
        }
    }

    private static EpochSplits policy(RowSpace space, boolean shuffled) {
        return shuffled ? new BlockShuffledSplits(space, 2, 2, 11) : new SequentialSplits(space, 3);
    }

    private static SplitAssigner assigner(RowSpace space, boolean shuffled, int epoch, long cursor) {
        return new SplitAssigner(policy(space, shuffled), SplitAssigner.UNBOUNDED, epoch, cursor, List.of());
    }
}
