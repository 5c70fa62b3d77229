package io.github.flinkanndata.source.enumerator;

import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.SAMPLES;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.checkpoint;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.drain;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.planned;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.settings;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.splitsPerEpoch;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.start;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.store;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Epoch accounting and snapshot / restore of the enumerator, compared with uninterrupted runs. */
class AnnDataSplitEnumeratorRestoreTest {

    /** All splits an uninterrupted enumerator hands to one reader. */
    private static List<AnnDataSplit> uninterrupted(SourceSettings settings) {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        context.registerReaders(0);
        AnnDataSplitEnumerator e = planned(context, settings, AnnDataEnumState.initial());
        List<AnnDataSplit> all = drain(e, context, 0, 10_000);
        assertThat(context.noMoreSplitsSignals(0)).isEqualTo(1);
        return all;
    }

    /** Hands out {@code cut} splits, checkpoints, restores a new enumerator and drains it. */
    private static List<AnnDataSplit> restoredAfter(SourceSettings settings, int cut) throws Exception {
        RecordingEnumeratorContext before = new RecordingEnumeratorContext(1);
        before.registerReaders(0);
        AnnDataSplitEnumerator first = planned(before, settings, AnnDataEnumState.initial());
        assertThat(drain(first, before, 0, cut)).hasSize(cut);
        AnnDataEnumState state = checkpoint(first, 7);
        assertThat(state.plan()).isNotNull();
        first.close();

        RecordingEnumeratorContext after = new RecordingEnumeratorContext(1);
        after.registerReaders(0);
        AnnDataSplitEnumerator restored = planned(after, settings, state);
        List<AnnDataSplit> rest = drain(restored, after, 0, 10_000);
        assertThat(after.noMoreSplitsSignals(0)).isEqualTo(1);
        return rest;
    }

    @ParameterizedTest
    @CsvSource({"SEQUENTIAL, 1", "SEQUENTIAL, 3", "BLOCK_SHUFFLED, 1", "BLOCK_SHUFFLED, 3", "WEIGHTED, 1",
            "WEIGHTED, 3"})
    void boundedEpochsHandOutExactlyEpochsTimesSplitsPerEpoch(SamplingMode mode, int epochs) {
        List<AnnDataSplit> all = uninterrupted(settings(mode, epochs));
        int perEpoch = splitsPerEpoch(mode);
        assertThat(all).hasSize(epochs * perEpoch);
        for (int epoch = 0; epoch < epochs; epoch++) {
            List<AnnDataSplit> ofEpoch = all.subList(epoch * perEpoch, (epoch + 1) * perEpoch);
            for (int i = 0; i < perEpoch; i++) {
                assertThat(ofEpoch.get(i).splitId()).isEqualTo("e" + epoch + "-" + i);
            }
            if (mode == SamplingMode.WEIGHTED) {
                // draws with replacement: as many as the collection has samples
                assertThat(ofEpoch.stream().mapToInt(AnnDataSplit::size).sum()).isEqualTo(SAMPLES);
                assertThat(ofEpoch).allSatisfy(s -> assertThat(s.segments()).allSatisfy(
                        seg -> assertThat(seg.draws()).isNotNull()));
            } else {
                assertThat(rowsOf(ofEpoch)).as("epoch %s covers every sample once", epoch).hasSize(SAMPLES);
            }
        }
        if (mode == SamplingMode.BLOCK_SHUFFLED && epochs > 1) {
            assertThat(all.get(0).segments()).isNotEqualTo(all.get(perEpoch).segments());
        }
    }

    /** The (store, position) pairs the splits emit; fails on a repeat. */
    private static Set<String> rowsOf(List<AnnDataSplit> splits) {
        Set<String> rows = new HashSet<>();
        for (AnnDataSplit s : splits) {
            for (Segment seg : s.segments()) {
                for (long p = seg.from(); p < seg.to(); p++) {
                    assertThat(rows.add(seg.store() + ":" + p)).as("%s:%s repeated", seg.store(), p).isTrue();
                }
            }
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(SamplingMode.class)
    void restoreContinuesWithExactlyTheFollowingSplits(SamplingMode mode) throws Exception {
        SourceSettings settings = settings(mode, 2);
        List<AnnDataSplit> all = uninterrupted(settings);
        int perEpoch = splitsPerEpoch(mode);
        for (int cut : new int[] {0, 1, perEpoch - 1, perEpoch, perEpoch + 2, 2 * perEpoch}) {
            assertThat(restoredAfter(settings, cut)).as("restored after %s splits", cut)
                    .containsExactlyElementsOf(all.subList(cut, all.size()));
        }
    }

    @Test
    void weightedRestoreRecomputesTheWeightsAndDrawsTheSameSamples() throws Exception {
        SourceSettings settings = settings(SamplingMode.WEIGHTED, 2);
        RecordingEnumeratorContext before = new RecordingEnumeratorContext(1);
        before.registerReaders(0);
        AnnDataSplitEnumerator first = planned(before, settings, AnnDataEnumState.initial());
        first.handleSourceEvent(0, new PlanRequestEvent());
        drain(first, before, 0, 3);
        AnnDataEnumState state = checkpoint(first, 1);
        List<AnnDataSplit> expected = drain(first, before, 0, 100);

        // the checkpoint holds the plan but no weights: they are derived from the stores again
        RecordingEnumeratorContext after = new RecordingEnumeratorContext(1);
        after.registerReaders(0);
        AnnDataSplitEnumerator restored = start(after, settings, state);
        restored.handleSourceEvent(0, new PlanRequestEvent());
        after.triggerAllActions();
        assertThat(after.planEvents(0).get(0).plan()).isEqualTo(before.planEvents(0).get(0).plan());
        List<AnnDataSplit> got = drain(restored, after, 0, 100);
        assertThat(got).hasSize(5).containsExactlyElementsOf(expected);
        assertThat(got.get(0).segments()).allSatisfy(s -> assertThat(s.draws()).isNotEmpty());
    }

    @ParameterizedTest
    @EnumSource(value = SamplingMode.class, names = {"SEQUENTIAL", "BLOCK_SHUFFLED"})
    void restoreUsesTheCheckpointedPlanAndNeverPlansAgain(SamplingMode mode, @TempDir Path dir) throws Exception {
        Path a = Files.copy(Path.of(store("part_one.h5ad")), dir.resolve("a.h5ad"));
        Path b = Files.copy(Path.of(store("mixed_m1.h5ad")), dir.resolve("b.h5ad"));
        SourceSettings settings = AnnDataSource.builder(a.toString(), b.toString()).join("outer").sampling(mode)
                .epochs(2).rowsPerSplit(4).blockSize(4).windowBlocks(2).seed(3).build().settings();
        List<AnnDataSplit> all = uninterrupted(settings);

        RecordingEnumeratorContext before = new RecordingEnumeratorContext(1);
        before.registerReaders(0);
        AnnDataSplitEnumerator first = planned(before, settings, AnnDataEnumState.initial());
        first.handleSourceEvent(0, new PlanRequestEvent());
        drain(first, before, 0, 5);
        AnnDataEnumState state = checkpoint(first, 1);

        // the stores are gone: a restore that opened them would fail
        Files.delete(a);
        Files.delete(b);
        RecordingEnumeratorContext after = new RecordingEnumeratorContext(1);
        after.registerReaders(0);
        AnnDataSplitEnumerator restored = start(after, settings, state);
        restored.handleSourceEvent(0, new PlanRequestEvent());
        after.triggerAllActions();
        assertThat(after.planEvents(0).get(0).plan()).isEqualTo(before.planEvents(0).get(0).plan());
        assertThat(drain(restored, after, 0, 1000)).containsExactlyElementsOf(all.subList(5, all.size()));
    }

    @Test
    void checkpointTakenWhilePlanningPlansAgainAndStartsFromTheBeginning() throws Exception {
        SourceSettings settings = settings(SamplingMode.BLOCK_SHUFFLED, 1);
        RecordingEnumeratorContext before = new RecordingEnumeratorContext(1);
        before.registerReaders(0);
        AnnDataSplitEnumerator first = start(before, settings, AnnDataEnumState.initial());
        first.handleSplitRequest(0, null);
        AnnDataEnumState state = checkpoint(first, 1);
        assertThat(state.plan()).isNull();
        assertThat(state.epoch()).isZero();
        assertThat(state.cursor()).isZero();

        RecordingEnumeratorContext after = new RecordingEnumeratorContext(1);
        after.registerReaders(0);
        AnnDataSplitEnumerator restored = planned(after, settings, state);
        assertThat(drain(restored, after, 0, 100)).containsExactlyElementsOf(uninterrupted(settings));
    }

    @Test
    void noMoreSplitsIsSignalledAgainAfterARestore() throws Exception {
        SourceSettings settings = settings(SamplingMode.SEQUENTIAL, 1);
        RecordingEnumeratorContext before = new RecordingEnumeratorContext(2);
        before.registerReaders(0, 1);
        AnnDataSplitEnumerator first = planned(before, settings, AnnDataEnumState.initial());
        assertThat(drain(first, before, 0, 100)).hasSize(10);
        first.handleSplitRequest(1, null);
        assertThat(before.noMoreSplitsSignals(0)).isEqualTo(1);
        assertThat(before.noMoreSplitsSignals(1)).isEqualTo(1);
        AnnDataEnumState state = checkpoint(first, 3);

        RecordingEnumeratorContext after = new RecordingEnumeratorContext(2);
        after.registerReaders(0, 1);
        AnnDataSplitEnumerator restored = start(after, settings, state);
        restored.handleSplitRequest(1, null); // before the restored plan is decoded
        after.triggerAllActions();
        restored.handleSplitRequest(0, null);
        restored.handleSplitRequest(0, null);
        assertThat(after.assignedInOrder()).isEmpty();
        assertThat(after.noMoreSplitsSignals(0)).isEqualTo(1);
        assertThat(after.noMoreSplitsSignals(1)).isEqualTo(1);
    }

    @Test
    void splitsHandedBackBeforeACheckpointAreRestoredAndHandedOutFirst() throws Exception {
        SourceSettings settings = settings(SamplingMode.BLOCK_SHUFFLED, 2);
        List<AnnDataSplit> all = uninterrupted(settings);
        RecordingEnumeratorContext before = new RecordingEnumeratorContext(2);
        before.registerReaders(0, 1);
        AnnDataSplitEnumerator first = planned(before, settings, AnnDataEnumState.initial());
        drain(first, before, 0, 2);
        drain(first, before, 1, 2);
        before.unregisterReader(1);
        first.addSplitsBack(before.assigned(1), 1);
        AnnDataEnumState state = checkpoint(first, 1);
        assertThat(state.returned()).containsExactlyElementsOf(all.subList(2, 4));
        assertThat(state.cursor()).isEqualTo(4);

        RecordingEnumeratorContext after = new RecordingEnumeratorContext(1);
        after.registerReaders(0);
        AnnDataSplitEnumerator restored = planned(after, settings, state);
        List<AnnDataSplit> rest = drain(restored, after, 0, 100);
        assertThat(rest).containsExactlyElementsOf(all.subList(2, all.size()));
    }

    @Test
    void unboundedSourceKeepsHandingOutEpochs() throws Exception {
        SourceSettings settings = EnumeratorFixture.builder(SamplingMode.BLOCK_SHUFFLED, AnnDataSourceBuilder.UNBOUNDED).build().settings();
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        context.registerReaders(0);
        AnnDataSplitEnumerator e = planned(context, settings, AnnDataEnumState.initial());
        List<AnnDataSplit> got = drain(e, context, 0, 23);
        assertThat(got).hasSize(23);
        assertThat(context.noMoreSplitsSignals(0)).isZero();
        assertThat(got.get(22).splitId()).isEqualTo("e4-2");
        AnnDataEnumState state = e.snapshotState(1);
        assertThat(state.epoch()).isEqualTo(4);
        assertThat(state.cursor()).isEqualTo(3);
        List<String> ids = new ArrayList<>();
        got.forEach(s -> ids.add(s.splitId()));
        assertThat(ids).doesNotHaveDuplicates();
    }
}
