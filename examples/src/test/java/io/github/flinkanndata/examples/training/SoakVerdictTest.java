package io.github.flinkanndata.examples.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The soak's flatness rule: noise and restarts pass, steady growth, a falling rate and too few samples do not. */
class SoakVerdictTest {
    private static final long MIB = 1 << 20;

    private static SoakRun.Sample sample(int i, long heap, long fds, long tempFiles, double cellsPerSecond) {
        return new SoakRun.Sample(30.0 * i, heap, 700 * MIB, fds, 60, tempFiles, 25 * MIB, 20, 63_000, cellsPerSecond,
                i / 4, 2.0);
    }

    private static List<SoakRun.Sample> series(int n, IntFunction<SoakRun.Sample> at) {
        List<SoakRun.Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(at.apply(i));
        }
        return out;
    }

    @Test
    void noiseAndRestartsAreFlat() {
        // heap wobbling by ±20 MiB, a restart's extra descriptors in one sample of each third
        SoakVerdict v = SoakVerdict.judge(series(120, i -> sample(i, (60 + (i * 7 % 41) - 20) * MIB,
                i % 13 == 0 ? 140 : 100, 12, 15_000 + (i * 37 % 3000))));
        assertThat(v.flat()).as(v.report()).isTrue();
        assertThat(v.report()).contains("verdict: flat");
    }

    @Test
    void steadyGrowthIsNotFlat() {
        // 1 MiB of heap per sample: 40 MiB more in the last third than in the middle one
        SoakVerdict heap = SoakVerdict.judge(series(120, i -> sample(i, (60 + i) * MIB, 100, 12, 15_000)));
        assertThat(heap.flat()).as(heap.report()).isFalse();
        assertThat(heap.report()).containsPattern("heap after GC.*NOT FLAT");
        // one descriptor leaked per sample
        assertThat(SoakVerdict.judge(series(120, i -> sample(i, 60 * MIB, 100 + i, 12, 15_000))).flat()).isFalse();
        // one temp file left per failure (a failure every 4 samples)
        assertThat(SoakVerdict.judge(series(120, i -> sample(i, 60 * MIB, 100, 12 + i / 4, 15_000))).flat()).isFalse();
    }

    @Test
    void aFallingRateIsNotFlat() {
        SoakVerdict v = SoakVerdict.judge(series(30, i -> sample(i, 60 * MIB, 100, 12, i < 20 ? 15_000 : 5_000)));
        assertThat(v.flat()).as(v.report()).isFalse();
        assertThat(v.report()).containsPattern("cells/s.*NOT FLAT");
    }

    @Test
    void tooFewSamplesAreNoVerdict() {
        assertThat(SoakVerdict.judge(series(5, i -> sample(i, 60 * MIB, 100, 12, 15_000))).flat()).isFalse();
    }
}
