package io.github.flinkanndata.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The split as an immutable value, and its state's position. */
class AnnDataSplitTest {
    private static final AnnDataSplit SPLIT = new AnnDataSplit(2, 7, List.of(Segment.range(0, 4, 10),
            new Segment(1, 0, 3, new int[] {2, 2, 0, 1})), true, 5);

    @Test
    void idAndSizeDeriveFromTheData() {
        assertThat(SPLIT.splitId()).isEqualTo("e2-7");
        assertThat(SPLIT.size()).isEqualTo(6 + 4);
        assertThat(SPLIT.skip()).isZero();
        assertThat(SPLIT.withSkip(10).skip()).isEqualTo(10);
        assertThat(SPLIT.withSkip(3).splitId()).isEqualTo("e2-7");
    }

    @Test
    void equalityCoversEveryFieldIncludingDraws() {
        AnnDataSplit same = new AnnDataSplit(2, 7, List.of(Segment.range(0, 4, 10),
                new Segment(1, 0, 3, new int[] {2, 2, 0, 1})), true, 5);
        assertThat(same).isEqualTo(SPLIT).hasSameHashCodeAs(SPLIT);
        AnnDataSplit otherDraws = new AnnDataSplit(2, 7, List.of(Segment.range(0, 4, 10),
                new Segment(1, 0, 3, new int[] {2, 2, 1, 0})), true, 5);
        assertThat(otherDraws).isNotEqualTo(SPLIT);
        assertThat(new AnnDataSplit(2, 7, SPLIT.segments(), true, 6)).isNotEqualTo(SPLIT);
        assertThat(new AnnDataSplit(2, 7, SPLIT.segments(), false, 5)).isNotEqualTo(SPLIT);
        assertThat(SPLIT.withSkip(1)).isNotEqualTo(SPLIT);
    }

    @Test
    void invalidValuesAreRejectedWithTheValue() {
        assertThatThrownBy(() -> SPLIT.withSkip(11)).hasMessageContaining("skip must be in [0, 10], was 11")
                .hasMessageContaining("e2-7");
        assertThatThrownBy(() -> SPLIT.withSkip(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AnnDataSplit(0, 0, List.of(), false, 0))
                .hasMessageContaining("at least one segment");
        assertThatThrownBy(() -> new AnnDataSplit(-1, 0, SPLIT.segments(), false, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Segment(0, 0, 3, new int[] {3})).hasMessageContaining("draw offset 3");
        assertThatThrownBy(() -> Segment.range(0, 5, 4)).hasMessageContaining("[5, 4)");
    }

    @Test
    void stateCountsEmittedSamplesFromTheSkip() {
        AnnDataSplitState state = new AnnDataSplitState(SPLIT.withSkip(4));
        assertThat(state.emitted()).isEqualTo(4);
        state.advance(1);
        state.advance(1);
        assertThat(state.emitted()).isEqualTo(6);
        assertThat(state.toSplit()).isEqualTo(SPLIT.withSkip(6));
        // the state never changes the split it was made from
        assertThat(state.split()).isEqualTo(SPLIT.withSkip(4));
    }
}
