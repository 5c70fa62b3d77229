package io.github.flinkanndata.source.enumerator;

import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.builder;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.drain;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.expectedPlanBytes;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.planned;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.settings;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.start;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.SourceEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Planning, pull-based assignment, plan requests and "no more splits" of the enumerator. */
class AnnDataSplitEnumeratorTest {
    private static final SourceSettings SEQUENTIAL = settings(SamplingMode.SEQUENTIAL, 1);
    // the fixture's collection has 96 samples: the first split starts the epoch's order
    private static final AnnDataSplit SEQUENTIAL_FIRST =
            new AnnDataSplit(0, 0, List.of(Segment.range(0, 0, 10)), false, 0).placed(0, 96);

    @Test
    void plansInCallAsyncAndAssignsOnlyWhenAsked() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = start(context, SEQUENTIAL, AnnDataEnumState.initial());
        // start() only queues the planning; nothing is assigned without a request
        assertThat(context.queuedTasks()).isEqualTo(1);
        context.triggerAllActions();
        assertThat(context.assignedInOrder()).isEmpty();

        e.handleSplitRequest(1, "host-1");
        assertThat(context.assigned(1)).extracting(AnnDataSplit::splitId).containsExactly("e0-0");
        assertThat(context.assigned(0)).isEmpty();
        assertThat(context.assigned(1).get(0).segments()).containsExactly(Segment.range(0, 0, 10));
    }

    @Test
    void splitRequestsBeforeThePlanAreServedInRequestOrderAfterIt() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(3);
        context.registerReaders(0, 1, 2);
        AnnDataSplitEnumerator e = start(context, SEQUENTIAL, AnnDataEnumState.initial());
        e.handleSplitRequest(2, null);
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(1, null);
        assertThat(context.assignedInOrder()).isEmpty();

        context.triggerAllActions();
        assertThat(context.assigned(2)).extracting(AnnDataSplit::splitId).containsExactly("e0-0");
        assertThat(context.assigned(0)).extracting(AnnDataSplit::splitId).containsExactly("e0-1");
        assertThat(context.assigned(1)).extracting(AnnDataSplit::splitId).containsExactly("e0-2");
    }

    @Test
    void pullBasedAssignmentGivesFastReadersMoreSplits() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = planned(context, SEQUENTIAL, AnnDataEnumState.initial());
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(1, null);
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(0, null);
        assertThat(context.assigned(0)).extracting(AnnDataSplit::splitId).containsExactly("e0-0", "e0-2", "e0-3");
        assertThat(context.assigned(1)).extracting(AnnDataSplit::splitId).containsExactly("e0-1");
        assertThat(context.noMoreSplitsSignals(0) + context.noMoreSplitsSignals(1)).isZero();
    }

    @Test
    void planRequestsAreAnsweredBeforeAndAfterPlanning() throws Exception {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(3);
        context.registerReaders(0, 1, 2);
        AnnDataSplitEnumerator e = start(context, SEQUENTIAL, AnnDataEnumState.initial());
        e.handleSourceEvent(0, new PlanRequestEvent());
        e.handleSourceEvent(2, new PlanRequestEvent());
        context.unregisterReader(2); // fails while the enumerator plans: nothing is sent to it
        assertThat(context.planEvents(0)).isEmpty();

        context.triggerAllActions();
        byte[] expected = expectedPlanBytes(SEQUENTIAL);
        assertThat(context.planEvents(0)).singleElement().extracting(PlanEvent::plan).isEqualTo(expected);
        assertThat(context.planEvents(2)).isEmpty();

        e.handleSourceEvent(1, new PlanRequestEvent());
        assertThat(context.planEvents(1)).singleElement().extracting(PlanEvent::plan).isEqualTo(expected);
        assertThat(CollectionPlanCodec.fromBytes(expected).size()).isEqualTo(EnumeratorFixture.SAMPLES);

        // every request is answered again (a restarted reader asks again)
        e.handleSourceEvent(0, new PlanRequestEvent());
        assertThat(context.planEvents(0)).hasSize(2);
        // other events are ignored
        e.handleSourceEvent(1, new SourceEvent() {});
        assertThat(context.getSentEvents().get(1)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(SamplingMode.class)
    void emptyCollectionTellsEveryRequestingReaderNoMoreSplits(SamplingMode mode) throws Exception {
        SourceSettings settings = builder(mode, 2).obsFilter("cell_type", "no such type").build().settings();
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(3);
        context.registerReaders(0, 1, 2);
        AnnDataSplitEnumerator e = start(context, settings, AnnDataEnumState.initial());
        e.handleSplitRequest(0, null);
        e.handleSourceEvent(1, new PlanRequestEvent());
        context.triggerAllActions();
        e.handleSplitRequest(1, null);
        e.handleSplitRequest(2, null);
        e.handleSplitRequest(2, null);

        assertThat(context.assignedInOrder()).isEmpty();
        for (int subtask = 0; subtask < 3; subtask++) {
            assertThat(context.noMoreSplitsSignals(subtask)).as("reader %s", subtask).isEqualTo(1);
        }
        assertThat(CollectionPlanCodec.fromBytes(context.planEvents(1).get(0).plan()).size()).isZero();
    }

    @Test
    void storeWithoutRowsTellsEveryReaderNoMoreSplits() {
        SourceSettings settings = AnnDataSource.builder(store("empty.h5ad")).epochs(AnnDataSourceBuilder.UNBOUNDED)
                .build().settings();
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = planned(context, settings, AnnDataEnumState.initial());
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(1, null);
        assertThat(context.assignedInOrder()).isEmpty();
        assertThat(context.noMoreSplitsSignals(0)).isEqualTo(1);
        assertThat(context.noMoreSplitsSignals(1)).isEqualTo(1);
    }

    @Test
    void moreReadersThanSplits() {
        // part_one has 2 cells: one split
        SourceSettings settings = AnnDataSource.builder(store("part_one.h5ad")).build().settings();
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(4);
        context.registerReaders(0, 1, 2, 3);
        AnnDataSplitEnumerator e = start(context, settings, AnnDataEnumState.initial());
        for (int subtask = 0; subtask < 4; subtask++) {
            e.handleSplitRequest(subtask, null);
        }
        context.triggerAllActions();
        assertThat(context.assignedInOrder()).singleElement()
                .satisfies(s -> assertThat(s.segments()).containsExactly(Segment.range(0, 0, 2)));
        assertThat(context.assigned(0)).hasSize(1);
        assertThat(context.noMoreSplitsSignals(0)).isZero();
        for (int subtask = 1; subtask < 4; subtask++) {
            assertThat(context.noMoreSplitsSignals(subtask)).isEqualTo(1);
        }
        e.handleSplitRequest(0, null); // done with its split
        assertThat(context.noMoreSplitsSignals(0)).isEqualTo(1);
    }

    @Test
    void noMoreSplitsOncePerRegistration() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = planned(context, SEQUENTIAL, AnnDataEnumState.initial());
        assertThat(drain(e, context, 0, 100)).hasSize(10);
        assertThat(context.noMoreSplitsSignals(0)).isEqualTo(1);
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(0, null);
        assertThat(context.noMoreSplitsSignals(0)).isEqualTo(1);
        assertThat(context.noMoreSplitsSignals(1)).isZero(); // never asked

        // reader 0 fails and comes back: a new registration is told again, once
        context.unregisterReader(0);
        context.registerReaders(0);
        e.addReader(0);
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(0, null);
        assertThat(context.noMoreSplitsSignals(0)).isEqualTo(2);

        e.addReader(1);
        e.handleSplitRequest(1, null);
        assertThat(context.noMoreSplitsSignals(1)).isEqualTo(1);
        assertThat(context.assignedInOrder()).hasSize(10);
    }

    @Test
    void splitsAddedBackAreHandedOutFirst() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = planned(context, SEQUENTIAL, AnnDataEnumState.initial());
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(1, null);
        e.handleSplitRequest(1, null);
        List<AnnDataSplit> lost = context.assigned(1);
        assertThat(lost).extracting(AnnDataSplit::splitId).containsExactly("e0-1", "e0-2");

        context.unregisterReader(1);
        e.addSplitsBack(lost, 1);
        e.addSplitsBack(List.of(), 1); // a regional failover may return nothing
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(0, null);
        e.handleSplitRequest(0, null);
        assertThat(context.assigned(0)).extracting(AnnDataSplit::splitId)
                .containsExactly("e0-0", "e0-1", "e0-2", "e0-3");
        assertThat(context.assigned(0).subList(1, 3)).isEqualTo(lost);

        context.registerReaders(1);
        e.addReader(1);
        e.handleSplitRequest(1, null);
        assertThat(context.assigned(1)).extracting(AnnDataSplit::splitId).containsExactly("e0-1", "e0-2", "e0-4");
    }

    @Test
    void splitsAddedBackBeforeThePlanAreKeptCheckpointedAndHandedOutFirst() throws Exception {
        AnnDataSplit partlyRead = new AnnDataSplit(0, 4, List.of(Segment.range(1, 10, 20)), false, 0).withSkip(3);
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        context.registerReaders(0);
        AnnDataSplitEnumerator e = start(context, SEQUENTIAL, AnnDataEnumState.initial());
        e.addSplitsBack(List.of(partlyRead), 0);

        AnnDataEnumState whilePlanning = EnumeratorFixture.checkpoint(e, 1);
        assertThat(whilePlanning.plan()).isNull();
        assertThat(whilePlanning.returned()).containsExactly(partlyRead);

        e.handleSplitRequest(0, null);
        context.triggerAllActions();
        e.handleSplitRequest(0, null);
        assertThat(context.assigned(0)).containsExactly(partlyRead, SEQUENTIAL_FIRST);
        assertThat(e.snapshotState(2).returned()).isEmpty();
    }

    @Test
    void aReaderThatFailsWhileWaitingGetsNothingAndLosesNothing() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = start(context, SEQUENTIAL, AnnDataEnumState.initial());
        e.handleSplitRequest(0, null);
        context.unregisterReader(0);
        context.triggerAllActions();
        assertThat(context.assignedInOrder()).isEmpty();
        assertThat(context.noMoreSplitsSignals(0)).isZero();
        e.handleSplitRequest(1, null);
        assertThat(context.assigned(1)).containsExactly(SEQUENTIAL_FIRST);
    }

    @Test
    void planningFailureNamesTheStore() {
        String missing = store("no_such_store.h5ad");
        SourceSettings settings = AnnDataSource.builder(store("part_one.h5ad"), missing).build().settings();
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        start(context, settings, AnnDataEnumState.initial());
        assertThatThrownBy(context::triggerAllActions)
                .hasMessageContaining("could not plan the AnnData collection")
                .hasMessageContaining("no_such_store.h5ad");
    }

    @Test
    void everySplitOfAnEpochIsHandedOutOnceAcrossReaders() {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(3);
        context.registerReaders(0, 1, 2);
        AnnDataSplitEnumerator e = planned(context, settings(SamplingMode.BLOCK_SHUFFLED, 1),
                AnnDataEnumState.initial());
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int subtask = 0; subtask < 3; subtask++) {
                e.handleSplitRequest(subtask, null);
            }
        }
        context.assignedInOrder().forEach(s -> ids.add(s.splitId()));
        assertThat(ids).containsExactly("e0-0", "e0-1", "e0-2", "e0-3", "e0-4");
        // readers 2, 0 and 1 (in that order) found nothing left
        for (int subtask = 0; subtask < 3; subtask++) {
            assertThat(context.noMoreSplitsSignals(subtask)).isEqualTo(1);
        }
    }
}
