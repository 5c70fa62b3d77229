package io.github.flinkanndata.source.assigner;

import io.github.flinkanndata.source.split.RowSpace;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitAssignerTest {
    private static final RowSpace SPACE = new RowSpace(new long[] {10, 5});

    private static List<AnnDataSplit> drain(SplitAssigner a, int max) {
        List<AnnDataSplit> out = new ArrayList<>();
        AnnDataSplit s;
        while (out.size() < max && (s = a.next()) != null) {
            out.add(s);
        }
        return out;
    }

    @Test
    void boundedEpochsEndWithNull() {
        SplitAssigner a = new SplitAssigner(new SequentialSplits(SPACE, 4), 3, 0, 0, List.of());
        // stores of 10 and 5 rows in splits of 4: 3 + 2 splits per epoch
        assertThat(a.remaining()).isEqualTo(15);
        List<AnnDataSplit> all = drain(a, 100);
        assertThat(all).hasSize(15);
        assertThat(all.get(5).splitId()).isEqualTo("e1-0");
        assertThat(all.get(14).splitId()).isEqualTo("e2-4");
        assertThat(a.next()).isNull();
        assertThat(a.remaining()).isZero();
    }

    @Test
    void handedBackSplitsComeFirstInTheirOrder() {
        SplitAssigner a = new SplitAssigner(new SequentialSplits(SPACE, 4), 1, 0, 0, List.of());
        AnnDataSplit first = a.next();
        AnnDataSplit second = a.next();
        a.addBack(List.of(first, second));
        assertThat(a.next()).isEqualTo(first);
        assertThat(a.next()).isEqualTo(second);
        assertThat(a.next().splitId()).isEqualTo("e0-2");
    }

    @Test
    void resumesFromEpochAndCursor() {
        SplitAssigner fresh = new SplitAssigner(new BlockShuffledSplits(SPACE, 2, 2, 9), 2, 0, 0, List.of());
        List<AnnDataSplit> all = drain(fresh, 100);
        SplitAssigner restored = new SplitAssigner(new BlockShuffledSplits(SPACE, 2, 2, 9), 2, 1, 1, List.of());
        List<AnnDataSplit> rest = drain(restored, 100);
        int perEpoch = (int) new BlockShuffledSplits(SPACE, 2, 2, 9).splitsPerEpoch();
        assertThat(rest).isEqualTo(all.subList(perEpoch + 1, all.size()));
    }

    @Test
    void unboundedKeepsGoingAndEmptyCollectionsEndAtOnce() {
        SplitAssigner a = new SplitAssigner(new SequentialSplits(SPACE, 100), SplitAssigner.UNBOUNDED, 0, 0, List.of());
        assertThat(drain(a, 50)).hasSize(50);
        assertThat(a.epoch()).isEqualTo(24);
        assertThat(a.remaining()).isEqualTo(-1);
        SplitAssigner empty = new SplitAssigner(new SequentialSplits(new RowSpace(new long[] {0, 0}), 4),
                SplitAssigner.UNBOUNDED, 0, 0, List.of());
        assertThat(empty.next()).isNull();
    }
}
