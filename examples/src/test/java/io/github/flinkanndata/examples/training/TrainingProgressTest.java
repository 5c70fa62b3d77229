package io.github.flinkanndata.examples.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.examples.training.TrainingProgress.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prequential bookkeeping: window and epoch lines, their numbers, and the state round trip. */
class TrainingProgressTest {

    @Test
    void windowLinesEveryNCellsAndEpochLinesWhenAnEpochIsComplete() {
        TrainingProgress p = new TrainingProgress(4, 6);
        List<String> lines = new ArrayList<>();
        // epoch 0: six cells, 3 of 4 training predictions right, 1 of 1 held-out right, one unlabelled
        lines.addAll(p.record(0, Outcome.TRAINED, true, 0.5));
        lines.addAll(p.record(0, Outcome.TRAINED, false, 1.5));
        lines.addAll(p.record(0, Outcome.HELD_OUT, true, 9));
        lines.addAll(p.record(0, Outcome.UNLABELLED, false, 0));
        assertThat(lines).containsExactly("cells=4 epoch=1 prequential_accuracy=0.500 loss=1.000 holdout_accuracy=1.000");
        lines.addAll(p.record(0, Outcome.TRAINED, true, 0.25));
        lines.addAll(p.record(0, Outcome.TRAINED, true, 0.25));
        assertThat(lines).last().isEqualTo("epoch=1 complete cells=6 prequential_accuracy=0.750 loss=0.625 holdout_accuracy=1.000");
        assertThat(p.epochsCompleted()).isEqualTo(1);
        assertThat(p.lastAccuracy()).isEqualTo(0.5);

        // the window of cells 5..8 has no held-out cell
        lines.clear();
        lines.addAll(p.record(1, Outcome.TRAINED, false, 2));
        lines.addAll(p.record(1, Outcome.TRAINED, false, 2));
        assertThat(lines).containsExactly("cells=8 epoch=2 prequential_accuracy=0.500 loss=1.125 holdout_accuracy=n/a");
        assertThat(p.finish()).isEmpty();
        p.record(1, Outcome.HELD_OUT, false, 3);
        assertThat(p.finish()).containsExactly("cells=9 epoch=2 prequential_accuracy=n/a loss=n/a holdout_accuracy=0.000");
        assertThat(p.latestEpoch()).isEqualTo(2);
    }

    @Test
    void overlappingEpochsAreCountedApart() {
        TrainingProgress p = new TrainingProgress(100, 2);
        List<String> lines = new ArrayList<>();
        lines.addAll(p.record(0, Outcome.TRAINED, false, 1));
        lines.addAll(p.record(1, Outcome.TRAINED, true, 1));
        lines.addAll(p.record(1, Outcome.TRAINED, true, 1));
        lines.addAll(p.record(0, Outcome.TRAINED, false, 1));
        assertThat(lines).containsExactly(
                "epoch=2 complete cells=3 prequential_accuracy=1.000 loss=1.000 holdout_accuracy=n/a",
                "epoch=1 complete cells=4 prequential_accuracy=0.000 loss=1.000 holdout_accuracy=n/a");
    }

    @Test
    void aRestoredProgressContinuesWithTheSameLines() throws IOException {
        TrainingProgress original = new TrainingProgress(3, 5);
        for (int i = 0; i < 7; i++) {
            original.record(i / 5, i % 3 == 0 ? Outcome.HELD_OUT : Outcome.TRAINED, i % 2 == 0, i * 0.1);
        }
        TrainingProgress restored = TrainingProgress.fromBytes(original.toBytes());
        assertThat(restored.toBytes()).isEqualTo(original.toBytes());
        for (int i = 7; i < 20; i++) {
            Outcome o = i % 4 == 0 ? Outcome.UNLABELLED : Outcome.TRAINED;
            assertThat(restored.record(i / 5, o, i % 3 == 0, i * 0.2)).isEqualTo(original.record(i / 5, o, i % 3 == 0, i * 0.2));
        }
        restored.markRestored();
        assertThat(restored.restores()).isEqualTo(1);
        assertThat(restored.restoredAtCells()).isEqualTo(20);
        assertThat(TrainingProgress.fromBytes(restored.toBytes()).restoredAtCells()).isEqualTo(20);

        byte[] trailing = Arrays.copyOf(original.toBytes(), original.toBytes().length + 2);
        assertThatThrownBy(() -> TrainingProgress.fromBytes(trailing)).hasMessageContaining("2 trailing bytes");
    }

    @Test
    void theHoldoutIsAStableShareOfTheCells() {
        Holdout h = new Holdout(0.2);
        int held = 0;
        for (long i = 0; i < 100_000; i++) {
            held += h.contains(i) ? 1 : 0;
            if (i < 1000) {
                assertThat(new Holdout(0.2).contains(i)).isEqualTo(h.contains(i));
            }
        }
        assertThat(held / 100_000.0).isBetween(0.19, 0.21);
        assertThat(new Holdout(0).contains(12)).isFalse();
        assertThatThrownBy(() -> new Holdout(1)).hasMessageContaining("[0, 1), was 1.0");
    }
}
