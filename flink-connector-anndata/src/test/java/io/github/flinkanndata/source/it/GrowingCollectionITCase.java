package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.LabelEncoder;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.CellRecordTypeInfo;
import io.github.flinkanndata.testutil.StoreTruth;
import io.github.flinkanndata.testutil.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A growing collection end to end: an unbounded job over one initial store watches a directory;
 * two stores are copied in while it runs (new labels, fewer genes; genes all outside the space),
 * then the job stops with a savepoint, two more stores arrive (a wide zarr v3 directory and a
 * zarr zip), and the job is restored from the savepoint.
 *
 * <p>Across both runs: every label keeps one code and every code one label; the initial store's
 * codes are the sorted ones of a static collection and labels first seen later get the next
 * codes; every sample equals its store read alone and projected by name onto the initial store's
 * genes; each store joins after the first epoch and all its rows are emitted; the enumerator's
 * {@code droppedGenes} metric counts the genes outside the space, across the restore too.
 */
@Timeout(180)
class GrowingCollectionITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Path FIXTURES = TestData.fixtures();
    private static final Path INITIAL = FIXTURES.resolve("h5ad/rich_gzip.h5ad");
    // joined while running, one after the other
    private static final Path SMALL = FIXTURES.resolve("zarr2/gzip.zarr");
    private static final Path NUMERIC = FIXTURES.resolve("h5ad/numeric_var_index.h5ad");
    // joined after the restore, found together (sorted by name: wide, then zip)
    private static final Path WIDE = FIXTURES.resolve("zarr3/min_indices_u16.zarr");
    private static final Path ZIP = FIXTURES.resolve("zarr3/sharded.zarr.zip");
    private static final List<Path> STORE_ORDER = List.of(INITIAL, SMALL, NUMERIC, WIDE, ZIP);

    /** What the job emitted, in arrival order (both runs). */
    static final ConcurrentLinkedQueue<Seen> SEEN = new ConcurrentLinkedQueue<>();

    static final class Seen {
        final int epoch;
        final int store;
        final long row;
        final long global;
        final Object code;
        final double[] x;

        Seen(CellRecord r) {
            this.epoch = r.epoch();
            this.store = r.storeIndex();
            this.row = r.row();
            this.global = r.globalIndex();
            this.code = r.obs("cell_type");
            this.x = r.matrix("X").toDoubles();
        }
    }

    /** Records what passes, slowly enough that the job is still early when stores arrive. */
    static final class Observe implements MapFunction<CellRecord, CellRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public CellRecord map(CellRecord r) throws InterruptedException {
            SEEN.add(new Seen(r));
            Thread.sleep(1);
            return r;
        }
    }

    @Test
    void storesJoinRunningAndRestoredJobsWithStableCodes(@InjectClusterClient ClusterClient<?> client,
            @TempDir Path watched, @TempDir Path savepoints) throws Exception {
        SEEN.clear();
        JobID first = client.submitJob(jobGraph(watched, null)).get();
        waitUntil(client, first, () -> maxEpoch() >= 1, "the first job to start its second epoch");
        copy(SMALL, watched);
        waitUntil(client, first, () -> rowsSeen(1) == rows(SMALL), "every row of the first joining store");
        copy(NUMERIC, watched);
        waitUntil(client, first, () -> rowsSeen(2) == rows(NUMERIC), "every row of the second joining store");
        long numericOutside = StoreTruth.read(NUMERIC, "cell_type").outside(space());
        assertThat(numericOutside).as("the numeric store's genes are all outside").isEqualTo(5);
        waitUntil(client, first, () -> droppedGenes(first).equals(Optional.of(numericOutside)),
                "droppedGenes of the first job");

        String savepoint = client.stopWithSavepoint(first, false, savepoints.toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        int beforeRestore = SEEN.size();
        copy(WIDE, watched);
        copy(ZIP, watched);

        JobID second = client.submitJob(jobGraph(watched, savepoint)).get();
        waitUntil(client, second, () -> rowsSeen(3) == rows(WIDE) && rowsSeen(4) == rows(ZIP),
                "every row of the restored job's stores");
        long expectedDropped = numericOutside + StoreTruth.read(WIDE, "cell_type").outside(space())
                + StoreTruth.read(ZIP, "cell_type").outside(space());
        waitUntil(client, second, () -> droppedGenes(second).equals(Optional.of(expectedDropped)),
                "droppedGenes after the restore");
        client.cancel(second).get(30, TimeUnit.SECONDS);

        List<Seen> all = new ArrayList<>(SEEN);
        assertThat(all.size()).as("the restored job emitted").isGreaterThan(beforeRestore);
        assertCodesStable(all);
        assertSamplesAreProjections(all);
        assertJoinedAfterTheFirstEpoch(all);
        assertNoSampleTwiceInAnEpoch(all);
    }

    private static void assertCodesStable(List<Seen> all) throws Exception {
        Map<Integer, StoreTruth> truths = truths();
        Map<Object, Set<Object>> codesOfLabel = new HashMap<>();
        Map<Object, Set<Object>> labelsOfCode = new HashMap<>();
        for (Seen s : all) {
            Object label = truths.get(s.store).labels.get((int) s.row);
            if (label == Missing.MISSING) {
                assertThat(s.code).isEqualTo(Missing.MISSING);
                continue;
            }
            codesOfLabel.computeIfAbsent(label, k -> new HashSet<>()).add(s.code);
            labelsOfCode.computeIfAbsent(s.code, k -> new HashSet<>()).add(label);
        }
        codesOfLabel.forEach((label, codes) -> assertThat(codes).as("codes of %s", label).hasSize(1));
        labelsOfCode.forEach((code, labels) -> assertThat(labels).as("labels of code %s", code).hasSize(1));

        // the initial store's labels carry the codes of a static collection of it (sorted)
        LabelEncoder initial;
        try (AnnDataCollection c = AnnDataCollection.open(
                CollectionOptions.builder(INITIAL.toString()).obsKeys("cell_type").build())) {
            initial = c.encoders().get("cell_type");
        }
        Set<Object> newLabels = new TreeSet<>();
        for (Map.Entry<Object, Set<Object>> e : codesOfLabel.entrySet()) {
            Integer staticCode = initial.code(e.getKey());
            if (staticCode != null) {
                assertThat(e.getValue()).as("code of initial label %s", e.getKey()).containsExactly(staticCode);
            } else {
                newLabels.add(e.getKey());
            }
        }
        assertThat(newLabels).as("labels first seen in joining stores").containsExactly("alpha", "beta", "γ");
        Set<Object> newCodes = new TreeSet<>();
        newLabels.forEach(l -> newCodes.addAll(codesOfLabel.get(l)));
        int n = initial.size();
        assertThat(newCodes).as("new labels take the next codes").containsExactly(n, n + 1, n + 2);
    }

    private static void assertSamplesAreProjections(List<Seen> all) throws Exception {
        Map<Integer, StoreTruth> truths = truths();
        List<String> space = space();
        for (Seen s : all) {
            assertThat(s.x).as("store %d row %d", s.store, s.row)
                    .containsExactly(truths.get(s.store).projected((int) s.row, space));
        }
    }

    private static void assertJoinedAfterTheFirstEpoch(List<Seen> all) {
        TreeMap<Integer, Integer> firstEpoch = new TreeMap<>();
        for (Seen s : all) {
            firstEpoch.merge(s.store, s.epoch, Math::min);
        }
        assertThat(firstEpoch.keySet()).containsExactly(0, 1, 2, 3, 4);
        assertThat(firstEpoch.get(0)).isZero();
        for (int store = 1; store < 5; store++) {
            assertThat(firstEpoch.get(store)).as("first epoch of store %d", store)
                    .isGreaterThan(0).isGreaterThanOrEqualTo(firstEpoch.get(store - 1));
        }
    }

    private static void assertNoSampleTwiceInAnEpoch(List<Seen> all) {
        Set<String> seen = new HashSet<>();
        List<String> twice = new ArrayList<>();
        for (Seen s : all) {
            String key = s.epoch + ":" + s.global;
            if (!seen.add(key)) {
                twice.add(key);
            }
        }
        assertThat(twice).as("(epoch:global index) emitted twice").isEmpty();
    }

    private static JobGraph jobGraph(Path watched, String savepoint) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        AnnDataSource<CellRecord> source = AnnDataSource.builder(INITIAL.toString()).obsKeys("cell_type").join("inner")
                .sampling(SamplingMode.BLOCK_SHUFFLED).blockSize(8).windowBlocks(2).seed(5)
                .epochs(AnnDataSourceBuilder.UNBOUNDED).watchDirectories(watched.toString())
                .discoveryInterval(Duration.ofMillis(100)).build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells").uid("cells")
                .map(new Observe()).returns(CellRecordTypeInfo.INSTANCE).uid("observe")
                .sinkTo(new DiscardingSink<>()).uid("discard");
        JobGraph graph = env.getStreamGraph().getJobGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return graph;
    }

    private static Optional<Long> droppedGenes(JobID job) {
        for (Map.Entry<String, Metric> e : REPORTER.getMetricsByIdentifiers(job).entrySet()) {
            if (e.getKey().endsWith(".droppedGenes") && e.getValue() instanceof Gauge) {
                return Optional.of(((Number) ((Gauge<?>) e.getValue()).getValue()).longValue());
            }
        }
        return Optional.empty();
    }

    private static List<String> space() throws Exception {
        return StoreTruth.read(INITIAL, "cell_type").vars;
    }

    private static Map<Integer, StoreTruth> truths() throws Exception {
        Map<Integer, StoreTruth> out = new HashMap<>();
        for (int s = 0; s < STORE_ORDER.size(); s++) {
            out.put(s, StoreTruth.read(STORE_ORDER.get(s), "cell_type"));
        }
        return out;
    }

    private static long rows(Path store) throws Exception {
        return StoreTruth.read(store, "cell_type").rows.size();
    }

    private static long rowsSeen(int store) {
        return SEEN.stream().filter(s -> s.store == store).mapToLong(s -> s.row).distinct().count();
    }

    private static int maxEpoch() {
        return SEEN.stream().mapToInt(s -> s.epoch).max().orElse(-1);
    }

    /** Copies a store file or directory into {@code dir} (not atomically: discovery waits until it is stable). */
    private static void copy(Path store, Path dir) throws IOException {
        Path target = dir.resolve(store.getFileName());
        if (!Files.isDirectory(store)) {
            Files.copy(store, target);
            return;
        }
        try (Stream<Path> tree = Files.walk(store)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Path t = target.resolve(store.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    /** Waits for {@code condition}; fails at once if the job ended (failed) meanwhile. */
    private static void waitUntil(ClusterClient<?> client, JobID job, Check condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.ok()) {
            if (client.getJobStatus(job).get().isGloballyTerminalState()) {
                throw new AssertionError("job ended while waiting for " + what + ": "
                        + client.requestJobResult(job).get().getSerializedThrowable());
            }
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
