package io.github.flinkanndata.source.reader;

import static io.github.flinkanndata.source.reader.ReaderHarness.assertSamples;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionGrowth;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.enumerator.PlanEvent;
import io.github.flinkanndata.source.enumerator.PlanRequestEvent;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import io.github.flinkanndata.testutil.TestData;
import java.util.List;
import org.apache.flink.api.connector.source.SourceEvent;
import org.junit.jupiter.api.Test;

/**
 * A reader of a growing collection never decodes a store its plan lacks: such a split is parked
 * (and checkpointed), the reader asks for a plan with enough stores, and the newer plan releases
 * it; an older plan arriving late changes nothing.
 */
class GrowingPlanReaderTest {
    private static final String RICH = TestData.fixtures().resolve("h5ad/rich_gzip.h5ad").toString();
    private static final String SMALL = TestData.fixtures().resolve("zarr2/gzip.zarr").toString();

    private static PlanEvent event(CollectionPlan plan) throws Exception {
        return new PlanEvent(CollectionPlanCodec.toBytes(plan, false));
    }

    private static List<PlanRequestEvent> planRequests(ReaderHarness h) {
        return h.context.getSentEvents().stream().filter(e -> e instanceof PlanRequestEvent)
                .map(e -> (PlanRequestEvent) e).toList();
    }

    @Test
    void aSplitOfANewStoreWaitsForTheNewerPlan() throws Exception {
        CollectionPlan one = CollectionGrowth.start(
                CollectionOptions.builder(RICH).obsKeys("cell_type").build(), null).plan();
        CollectionPlan two = CollectionGrowth.extend(one, SMALL).plan();
        AnnDataSplit oldStore = new AnnDataSplit(1, 0, List.of(Segment.range(0, 0, 4)), false, 0);
        AnnDataSplit newStore = new AnnDataSplit(1, 3, List.of(Segment.range(1, 2, 8)), false, 0);
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(OutputForm.SPARSE));
                AnnDataCollection truth = AnnDataCollection.open(two)) {
            h.reader.start();
            h.reader.handleSourceEvents(event(one));
            h.reader.addSplits(List.of(oldStore, newStore));
            List<PlanRequestEvent> requests = planRequests(h);
            assertThat(requests).extracting(PlanRequestEvent::storesNeeded).containsExactly(0, 2);
            assertThat(h.reader.snapshotState(1)).as("the parked split is checkpointed").contains(newStore);
            List<CellRecord> first = h.pollUntil(4);
            assertThat(first).extracting(CellRecord::storeIndex).containsOnly(0);

            h.reader.handleSourceEvents(event(two));
            List<CellRecord> all = h.pollUntil(10);
            assertThat(all.subList(4, 10)).extracting(CellRecord::globalIndex)
                    .containsExactly(52L, 53L, 54L, 55L, 56L, 57L)
                    .allMatch(g -> two.storeOf(g) == 1);
            assertSamples(all, truth, 1, true);

            // a late answer with the older plan changes nothing, and no further request goes out
            h.reader.handleSourceEvents(event(one));
            h.reader.addSplits(List.of(new AnnDataSplit(2, 3, List.of(Segment.range(1, 0, 2)), false, 0)));
            assertThat(h.pollUntil(12).subList(10, 12)).extracting(CellRecord::globalIndex).containsExactly(50L, 51L);
            assertThat(planRequests(h)).hasSize(2);
        }
    }

    @Test
    void aRestoredSplitOfAJoinedStoreWaitsForAPlanThatHasIt() throws Exception {
        CollectionPlan one = CollectionGrowth.start(
                CollectionOptions.builder(RICH).obsKeys("cell_type").build(), null).plan();
        CollectionPlan two = CollectionGrowth.extend(one, SMALL).plan();
        AnnDataSplit restored = new AnnDataSplit(4, 3, List.of(Segment.range(1, 0, 5)), false, 0).withSkip(2);
        try (ReaderHarness h = new ReaderHarness(ReaderFixture.settings(OutputForm.SPARSE))) {
            h.reader.addSplits(List.of(restored));
            h.reader.start();
            h.reader.handleSourceEvents(event(two));
            assertThat(h.pollUntil(3)).extracting(CellRecord::globalIndex).containsExactly(52L, 53L, 54L);
            List<SourceEvent> sent = h.context.getSentEvents();
            assertThat(sent).hasSize(1);
        }
    }
}
