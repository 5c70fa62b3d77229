package io.github.flinkanndata.source.reader;

import static io.github.flinkanndata.source.reader.ReaderHarness.emissionOrder;
import static io.github.flinkanndata.source.reader.ReaderHarness.indices;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.enumerator.PlanEvent;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.AnnDataSplitSerializer;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reader checkpointed in the middle of a split and restored in a new reader continues with
 * exactly the next sample: the first part and the restored part together are the uninterrupted
 * emission, without loss, duplicate or reordering — also inside a shuffled window and for weighted
 * draws, whose order is recomputed from the split alone.
 */
class ReaderRestoreTest {
    private static final SourceSettings SETTINGS = ReaderFixture.settings(OutputForm.SPARSE);

    private static AnnDataCollection collection;
    private static CollectionPlan plan;
    private static PlanEvent planEvent;

    @BeforeAll
    static void open() throws Exception {
        collection = AnnDataCollection.open(SETTINGS.collection());
        plan = collection.plan();
        planEvent = ReaderHarness.planEvent(collection);
    }

    @AfterAll
    static void close() {
        collection.close();
    }

    /** What one reader emits for {@code split} from start to finish. */
    private static List<CellRecord> uninterrupted(AnnDataSplit split) throws Exception {
        try (ReaderHarness h = new ReaderHarness(SETTINGS)) {
            h.reader.start();
            h.reader.handleSourceEvents(planEvent);
            h.reader.addSplits(List.of(split));
            List<CellRecord> all = h.finish();
            assertThat(all).hasSize(split.size() - split.skip());
            return all;
        }
    }

    /**
     * Emits {@code k} samples of {@code split} (assigned fresh, or restored when it has a skip),
     * then checkpoints: returns the emitted records and the split as the checkpoint holds it.
     */
    private static Part readAndCheckpoint(AnnDataSplit split, int k) throws Exception {
        try (ReaderHarness h = new ReaderHarness(SETTINGS)) {
            boolean restored = split.skip() > 0;
            if (restored) {
                h.reader.addSplits(List.of(split));
            }
            h.reader.start();
            assertThat(h.context.getNumSplitRequests()).isEqualTo(restored ? 0 : 1);
            h.reader.handleSourceEvents(planEvent);
            if (!restored) {
                h.reader.addSplits(List.of(split));
            }
            List<CellRecord> got = h.pollUntil(k);
            List<AnnDataSplit> state = h.reader.snapshotState(1);
            assertThat(state).singleElement().satisfies(s -> {
                assertThat(s.splitId()).isEqualTo(split.splitId());
                assertThat(s.skip()).isEqualTo(split.skip() + k);
            });
            // as a checkpoint stores it
            AnnDataSplitSerializer ser = AnnDataSplitSerializer.INSTANCE;
            return new Part(got, ser.deserialize(ser.getVersion(), ser.serialize(state.get(0))));
        }
    }

    /** A new reader restored with {@code split}: everything it emits until no more splits. */
    private static List<CellRecord> restoreAndFinish(AnnDataSplit split) throws Exception {
        try (ReaderHarness h = new ReaderHarness(SETTINGS)) {
            h.reader.addSplits(List.of(split));
            h.reader.start();
            assertThat(h.context.getNumSplitRequests()).isZero();
            h.reader.handleSourceEvents(planEvent);
            List<CellRecord> rest = h.finish();
            assertThat(h.context.getNumSplitRequests()).as("asks for work once the split is done").isEqualTo(1);
            return rest;
        }
    }

    private static void assertRestoresExactly(AnnDataSplit split, int k) throws Exception {
        List<CellRecord> full = uninterrupted(split);
        assertThat(indices(full)).isEqualTo(emissionOrder(split, plan));

        Part first = readAndCheckpoint(split, k);
        assertThat(first.checkpointed).isEqualTo(split.withSkip(k));
        List<CellRecord> joined = new ArrayList<>(first.records);
        joined.addAll(restoreAndFinish(first.checkpointed));
        assertThat(indices(joined)).as("restored after %s of %s", k, split.size()).isEqualTo(indices(full));
        assertThat(joined).containsExactlyElementsOf(full);
    }

    @Test
    void restoreMidSplitInsideAShuffledWindow() throws Exception {
        AnnDataSplit split = ReaderFixture.shuffledSplit(plan);
        assertThat(split.permuted()).isTrue();
        int n = split.size();
        for (int k : new int[] {1, 3, 4, n / 2, n - 1, n}) {
            assertRestoresExactly(split, k);
        }
    }

    @Test
    void restoreMidWeightedSplit() throws Exception {
        AnnDataSplit split = ReaderFixture.weightedSplit(collection);
        for (int k : new int[] {1, 6, 15}) {
            assertRestoresExactly(split, k);
        }
    }

    @Test
    void restoreMidSequentialSplitBetweenFetches() throws Exception {
        // fetchRows is 4: position 6 lies inside the second fetch
        AnnDataSplit split = new AnnDataSplit(3, 2, List.of(Segment.range(1, 2, 23)), false, 0);
        for (int k : new int[] {4, 6}) {
            assertRestoresExactly(split, k);
        }
    }

    @Test
    void restoreTwiceInARow() throws Exception {
        AnnDataSplit split = ReaderFixture.shuffledSplit(plan);
        List<CellRecord> full = uninterrupted(split);
        Part first = readAndCheckpoint(split, 3);
        Part second = readAndCheckpoint(first.checkpointed, 5);
        assertThat(second.checkpointed).isEqualTo(split.withSkip(8));
        List<CellRecord> joined = new ArrayList<>(first.records);
        joined.addAll(second.records);
        joined.addAll(restoreAndFinish(second.checkpointed));
        assertThat(joined).containsExactlyElementsOf(full);
    }

    private static final class Part {
        final List<CellRecord> records;
        final AnnDataSplit checkpointed;

        Part(List<CellRecord> records, AnnDataSplit checkpointed) {
            this.records = records;
            this.checkpointed = checkpointed;
        }
    }
}
