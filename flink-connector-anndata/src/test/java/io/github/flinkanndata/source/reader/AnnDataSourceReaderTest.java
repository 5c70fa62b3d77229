package io.github.flinkanndata.source.reader;

import static io.github.flinkanndata.source.reader.ReaderHarness.assertSamples;
import static io.github.flinkanndata.source.reader.ReaderHarness.emissionOrder;
import static io.github.flinkanndata.source.reader.ReaderHarness.indices;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.enumerator.PlanEvent;
import io.github.flinkanndata.source.enumerator.PlanRequestEvent;
import io.github.flinkanndata.source.enumerator.SplitFinishedEvent;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Start-up, parking before the plan, decoding and metrics of the source reader. */
class AnnDataSourceReaderTest {
    private static AnnDataCollection collection;
    private static CollectionPlan plan;
    private static PlanEvent planEvent;

    @BeforeAll
    static void open() throws Exception {
        collection = AnnDataCollection.open(ReaderFixture.settings(OutputForm.DENSE).collection());
        plan = collection.plan();
        planEvent = ReaderHarness.planEvent(collection);
        assertThat(plan.nObsList()).containsExactly(6, 25, 17);
    }

    @AfterAll
    static void close() {
        collection.close();
    }

    private static AnnDataSplit sequential(int epoch, long ordinal, int store, long from, long to) {
        return new AnnDataSplit(epoch, ordinal, List.of(Segment.range(store, from, to)), false, 0);
    }

    @Test
    void startAsksForThePlanAndForASplit() throws Exception {
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(OutputForm.SPARSE))) {
            h.reader.start();
            assertThat(h.context.getSentEvents()).singleElement().isInstanceOf(PlanRequestEvent.class);
            assertThat(h.context.getNumSplitRequests()).isEqualTo(1);
            assertThat(h.reader.pollNext(h.output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        }
    }

    @Test
    void readerRestoredWithSplitsAsksForThePlanButNotForASplit() throws Exception {
        AnnDataSplit restored = sequential(0, 1, 1, 5, 15).withSkip(2);
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(OutputForm.SPARSE))) {
            h.reader.addSplits(List.of(restored));
            h.reader.start();
            assertThat(h.context.getSentEvents()).singleElement().isInstanceOf(PlanRequestEvent.class);
            assertThat(h.context.getNumSplitRequests()).isZero();
            assertThat(h.reader.snapshotState(1)).containsExactly(restored);

            h.reader.handleSourceEvents(planEvent);
            List<CellRecord> got = h.pollUntil(8);
            assertThat(indices(got)).isEqualTo(emissionOrder(restored, plan));
            assertThat(indices(h.finish())).hasSize(8);
            // the finished split makes it pull the next one
            assertThat(h.context.getNumSplitRequests()).isEqualTo(1);
        }
    }

    /**
     * A reader asks for its next split when a split starts emitting, so the fetcher can decode it
     * while this one is emitted, and reports the split's end to the enumerator, as its requests no
     * longer say which split ended. Both splits' samples come out exactly, in order.
     */
    @Test
    void asksForTheNextSplitWhenASplitStartsAndReportsWhenItEnds() throws Exception {
        AnnDataSplit a = sequential(0, 0, 1, 3, 20);
        AnnDataSplit b = ReaderFixture.shuffledSplit(plan);
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(OutputForm.SPARSE))) {
            h.reader.start();
            h.reader.handleSourceEvents(planEvent);
            assertThat(h.context.getNumSplitRequests()).isEqualTo(1);
            h.reader.addSplits(List.of(a));
            h.pollUntil(1);
            assertThat(h.context.getNumSplitRequests()).as("asked ahead at the first record of a").isEqualTo(2);
            assertThat(h.context.getSentEvents()).noneMatch(SplitFinishedEvent.class::isInstance);
            h.reader.addSplits(List.of(b)); // the answer, while a is emitted
            List<CellRecord> got = h.pollUntil(a.size() + 1);
            assertThat(h.context.getSentEvents()).filteredOn(SplitFinishedEvent.class::isInstance)
                    .containsExactly(new SplitFinishedEvent(a.splitId()));
            assertThat(h.context.getNumSplitRequests()).as("b started: asked ahead again").isEqualTo(3);
            got = h.finish();
            List<Long> expected = new ArrayList<>(emissionOrder(a, plan));
            expected.addAll(emissionOrder(b, plan));
            assertThat(indices(got)).isEqualTo(expected);
            assertThat(h.context.getSentEvents()).filteredOn(SplitFinishedEvent.class::isInstance)
                    .containsExactly(new SplitFinishedEvent(a.splitId()), new SplitFinishedEvent(b.splitId()));
            assertThat(h.context.getNumSplitRequests()).as("each split asks once").isEqualTo(3);
        }
    }

    @Test
    void splitsAssignedBeforeThePlanAreParkedCheckpointedAndReleasedByIt() throws Exception {
        AnnDataSplit a = sequential(0, 0, 2, 0, 9);
        AnnDataSplit b = ReaderFixture.shuffledSplit(plan);
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(OutputForm.SPARSE))) {
            h.reader.start();
            h.reader.addSplits(List.of(a));
            h.reader.addSplits(List.of(b));
            assertThat(h.reader.pollNext(h.output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
            assertThat(h.emitted()).isEmpty();
            assertThat(h.reader.snapshotState(1)).containsExactly(a, b);

            h.reader.handleSourceEvents(planEvent);
            h.reader.handleSourceEvents(planEvent); // answered twice: ignored
            List<CellRecord> got = h.pollUntil(a.size() + b.size());
            List<Long> expected = new ArrayList<>(emissionOrder(a, plan));
            expected.addAll(emissionOrder(b, plan));
            assertThat(indices(got)).isEqualTo(expected);
            assertThat(h.finish()).hasSize(a.size() + b.size());
            assertThat(h.reader.snapshotState(2)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(OutputForm.class)
    void sequentialSplitsEmitExactlyTheirSamples(OutputForm form) throws Exception {
        // fetchRows is 4: split 1 takes five fetches; kept rows of every store have gaps
        List<AnnDataSplit> splits = List.of(sequential(0, 0, 1, 3, 20), sequential(0, 1, 0, 0, 6),
                sequential(0, 2, 2, 10, 17));
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(form))) {
            h.reader.start();
            h.reader.handleSourceEvents(planEvent);
            h.reader.addSplits(splits);
            List<CellRecord> got = h.finish();
            List<Long> expected = new ArrayList<>();
            for (AnnDataSplit s : splits) {
                expected.addAll(emissionOrder(s, plan));
            }
            assertThat(indices(got)).isEqualTo(expected);
            assertSamples(got, collection, 0, form == OutputForm.SPARSE);
            assertThat(h.context.getNumSplitRequests()).isEqualTo(1 + splits.size());
        }
    }

    @ParameterizedTest
    @EnumSource(OutputForm.class)
    void shuffledAndWeightedSplitsEmitTheirSamplesInEmissionOrder(OutputForm form) throws Exception {
        AnnDataSplit shuffled = ReaderFixture.shuffledSplit(plan);
        AnnDataSplit weighted = ReaderFixture.weightedSplit(collection);
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(form))) {
            h.reader.start();
            h.reader.handleSourceEvents(planEvent);
            h.reader.addSplits(List.of(shuffled));
            List<CellRecord> first = h.pollUntil(shuffled.size());
            assertThat(indices(first)).isEqualTo(emissionOrder(shuffled, plan));
            assertSamples(first, collection, 1, form == OutputForm.SPARSE);

            h.reader.addSplits(List.of(weighted));
            List<CellRecord> all = h.finish();
            List<CellRecord> second = all.subList(shuffled.size(), all.size());
            assertThat(indices(second)).isEqualTo(emissionOrder(weighted, plan));
            assertSamples(second, collection, 0, form == OutputForm.SPARSE);
        }
    }

    @Test
    void pendingRecordsAndNumRecordsInCountSamples() throws Exception {
        AnnDataSplit a = sequential(2, 0, 1, 0, 17);
        AnnDataSplit b = sequential(2, 1, 2, 0, 6).withSkip(5);
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(OutputForm.SPARSE))) {
            h.reader.start();
            assertThat(h.metrics.gaugeValue("pendingRecords")).isEqualTo(0L);
            assertThat(h.metrics.gaugeValue("currentEpoch")).isEqualTo(-1);
            h.reader.addSplits(List.of(a, b)); // parked: still pending
            assertThat(h.metrics.gaugeValue("pendingRecords")).isEqualTo(18L);

            h.reader.handleSourceEvents(planEvent);
            h.pollUntil(5);
            assertThat(h.metrics.gaugeValue("pendingRecords")).isEqualTo(13L);
            assertThat(h.metrics.numRecordsIn()).isEqualTo(5);
            assertThat(h.metrics.gaugeValue("currentEpoch")).isEqualTo(2);

            h.pollUntil(18);
            assertThat(h.metrics.gaugeValue("pendingRecords")).isEqualTo(0L);
            assertThat(h.metrics.numRecordsIn()).isEqualTo(18);
            assertThat(h.metrics.numBytesIn()).isPositive();
        }
    }
}
