package io.github.flinkanndata.source.enumerator;

import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.checkpoint;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.drain;
import static io.github.flinkanndata.source.enumerator.EnumeratorFixture.planned;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.CollectionPlanCodec;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import io.github.flinkanndata.testutil.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enumerator of a growing collection: discovery grows the plan off the coordinator thread,
 * new stores are sampled from the next epoch on, the checkpoint records how many stores the
 * current epoch samples, and a restore continues with exactly the splits of an uninterrupted run.
 * The initial store has 50 cells (3 splits of 20), the joining one 20 (1 split).
 */
class GrowingEnumeratorTest {
    private static final Path RICH = TestData.fixtures().resolve("h5ad/rich_gzip.h5ad");
    private static final Path SMALL = TestData.fixtures().resolve("zarr2/gzip.zarr");

    @TempDir Path watched;

    private SourceSettings settings() {
        return AnnDataSource.builder(RICH.toString()).obsKeys("cell_type").sampling(SamplingMode.SEQUENTIAL)
                .rowsPerSplit(20).epochs(AnnDataSourceBuilder.UNBOUNDED).watchDirectories(watched.toString())
                .discoveryInterval(Duration.ofSeconds(1)).build().settings();
    }

    /** Two discovery rounds: a store is taken once two listings agree. */
    private static void discoverTwice(RecordingEnumeratorContext context) {
        context.getExecutorService().triggerPeriodicScheduledTasks();
        context.getExecutorService().triggerPeriodicScheduledTasks();
    }

    private static CollectionPlan plan(AnnDataEnumState state) throws Exception {
        return CollectionPlanCodec.fromBytes(state.plan());
    }

    private static boolean touches(AnnDataSplit s, int store) {
        return s.segments().stream().mapToInt(Segment::store).anyMatch(x -> x == store);
    }

    @Test
    void aDiscoveredStoreIsSampledFromTheNextEpochAndSurvivesARestore() throws Exception {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        context.registerReaders(0);
        AnnDataSplitEnumerator e = planned(context, settings(), AnnDataEnumState.initial());
        assertThat(drain(e, context, 0, 2)).extracting(AnnDataSplit::splitId).containsExactly("e0-0", "e0-1");

        copyTree(SMALL, watched.resolve("gzip.zarr"));
        discoverTwice(context);
        AnnDataEnumState mid = checkpoint(e, 1);
        assertThat(plan(mid).storeCount()).as("the plan holds the new store").isEqualTo(2);
        assertThat(mid.activeStores()).as("epoch 0 still samples the initial store only").isEqualTo(1);
        assertThat(mid.epoch()).isZero();
        assertThat(mid.cursor()).isEqualTo(2);

        // a reader holding the one-store plan asks for the plan with two stores
        e.handleSourceEvent(0, new PlanRequestEvent(2));
        List<PlanEvent> events = context.planEvents(0);
        assertThat(CollectionPlanCodec.fromBytes(events.get(events.size() - 1).plan()).storeCount()).isEqualTo(2);

        List<AnnDataSplit> rest = drain(e, context, 0, 6);
        assertThat(rest).extracting(AnnDataSplit::splitId)
                .containsExactly("e0-2", "e1-0", "e1-1", "e1-2", "e1-3", "e2-0");
        assertThat(touches(rest.get(0), 1)).as("the rest of epoch 0").isFalse();
        assertThat(rest.get(4).segments()).containsExactly(Segment.range(1, 0, 20));
        assertThat(checkpoint(e, 2).activeStores()).isEqualTo(2);

        // restored from the checkpoint taken before the epoch boundary: the same splits
        RecordingEnumeratorContext after = new RecordingEnumeratorContext(1);
        after.registerReaders(0);
        AnnDataSplitEnumerator restored = planned(after, settings(), mid);
        assertThat(drain(restored, after, 0, 6)).containsExactlyElementsOf(rest);
        discoverTwice(after);
        assertThat(plan(checkpoint(restored, 3)).storeCount()).as("a known store does not join twice").isEqualTo(2);
    }

    @Test
    void aStoreThatCannotJoinIsSkippedAndTheJobGoesOn() throws Exception {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        context.registerReaders(0);
        AnnDataSplitEnumerator e = planned(context, settings(), AnnDataEnumState.initial());
        Files.copy(TestData.fixtures().resolve("h5ad/csc_x.h5ad"), watched.resolve("csc_x.h5ad"));
        Files.write(watched.resolve("truncated.h5ad"), new byte[] {1, 2, 3});
        discoverTwice(context);
        discoverTwice(context);
        assertThat(plan(checkpoint(e, 1)).storeCount()).isEqualTo(1);
        assertThat(drain(e, context, 0, 4)).hasSize(4);
        assertThat(context.noMoreSplitsSignals(0)).isZero();
    }

    @Test
    void version1StatesRestoreAsAStaticCollection() throws Exception {
        // a v1 checkpoint of a static job: every planned store is active, nothing dropped
        SourceSettings staticSettings = AnnDataSource.builder(RICH.toString()).obsKeys("cell_type")
                .rowsPerSplit(20).epochs(2).build().settings();
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(1);
        context.registerReaders(0);
        AnnDataSplitEnumerator e = planned(context, staticSettings, AnnDataEnumState.initial());
        drain(e, context, 0, 1);
        AnnDataEnumState v2 = e.snapshotState(1);
        AnnDataEnumState v1 = new AnnDataEnumState(v2.plan(), v2.epoch(), v2.cursor(), v2.returned());
        RecordingEnumeratorContext after = new RecordingEnumeratorContext(1);
        after.registerReaders(0);
        AnnDataSplitEnumerator restored = planned(after, staticSettings, v1);
        assertThat(drain(restored, after, 0, 100)).extracting(AnnDataSplit::splitId)
                .containsExactly("e0-1", "e0-2", "e1-0", "e1-1", "e1-2");
        assertThat(restored.snapshotState(2).activeStores()).isEqualTo(AnnDataEnumState.ALL_STORES);
    }

    /**
     * A reader still emitting epoch 0 holds the others back at epoch 1: the enumerator never runs
     * more than one epoch ahead of what readers emit, so a store that joins now reaches the job
     * in the epoch after the one being emitted, not many epochs later.
     */
    @Test
    void theEnumeratorStaysWithinOneEpochOfTheOldestSplitBeingRead() throws Exception {
        RecordingEnumeratorContext context = new RecordingEnumeratorContext(2);
        context.registerReaders(0, 1);
        AnnDataSplitEnumerator e = planned(context, settings(), AnnDataEnumState.initial());
        e.handleSplitRequest(0, null);
        assertThat(context.assigned(0)).extracting(AnnDataSplit::splitId).containsExactly("e0-0");
        // reader 1 finishes its splits fast; reader 0 still emits e0-0
        assertThat(drain(e, context, 1, 10)).extracting(AnnDataSplit::splitId)
                .containsExactly("e0-1", "e0-2", "e1-0", "e1-1", "e1-2");

        copyTree(SMALL, watched.resolve("gzip.zarr"));
        discoverTwice(context);
        assertThat(e.snapshotState(1).activeStores()).as("epoch 1 samples the initial store only").isEqualTo(1);

        // reader 0 asked ahead when e0-0 started emitting: epoch 2 would be two epochs ahead of it
        e.handleSplitRequest(0, null);
        assertThat(context.assigned(0)).as("held back while e0-0 is emitted").hasSize(1);
        e.handleSourceEvent(0, new SplitFinishedEvent("e0-0")); // e0-0 ended: reader 1, waiting first, gets epoch 2 first
        assertThat(context.assigned(1)).last().extracting(AnnDataSplit::splitId).isEqualTo("e2-0");
        assertThat(context.assigned(0)).last().extracting(AnnDataSplit::splitId).isEqualTo("e2-1");
        List<AnnDataSplit> rest = drain(e, context, 1, 2);
        assertThat(rest).extracting(AnnDataSplit::splitId).containsExactly("e2-2", "e2-3");
        assertThat(touches(rest.get(1), 1))
                .as("epoch 2, the one after the epoch being emitted at the join, samples the new store").isTrue();
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
