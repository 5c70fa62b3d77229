package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.testutil.GrowingStores;
import io.github.flinkanndata.testutil.JoinLatency;
import io.github.flinkanndata.testutil.StoreTruth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Join latency of the DataStream surface ({@code CellRecord} output): a store renamed into the
 * watched directory while the job runs reaches the consumer within two of its epochs of the
 * enumerator's "sampled from the next epoch on" ({@link JoinLatency}), at parallelism 1 and 2; the
 * first epoch with it samples both stores once each, with the new labels on the next codes.
 */
@Timeout(60)
class JoinLatencyITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(REPORTER.addToConfiguration(boundedInFlight()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /**
     * What sits after the readers is the job's, not the source's: with Flink's defaults a small
     * record (40 genes here) lets tens of epochs wait in network buffers and collect batches. The
     * bound holds with buffer debloating and small collect batches (README, "Growing collections").
     */
    static Configuration boundedInFlight() {
        Configuration c = new Configuration();
        c.setString("taskmanager.network.memory.buffer-debloat.enabled", "true");
        c.setString("collect-sink.batch-size.max", "4kb");
        return c;
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2})
    void aJoinedStoreReachesTheConsumerWithinTwoEpochs(int parallelism, @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.zarr");
        Path staged = dir.resolve("staged.zarr");
        Path watched = dir.resolve("watched");
        java.nio.file.Files.createDirectories(watched);
        GrowingStores.writeInitial(first);
        GrowingStores.writeJoining(staged);
        StoreTruth joining = StoreTruth.read(staged, "label");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(boundedInFlight());
        env.setParallelism(parallelism);
        AnnDataSource<CellRecord> source = AnnDataSource.builder(first.toString()).obsKeys("label")
                .sampling(SamplingMode.BLOCK_SHUFFLED).blockSize(64).seed(3)
                .epochs(AnnDataSourceBuilder.UNBOUNDED).watchDirectories(watched.toString())
                .discoveryInterval(Duration.ofMillis(200)).build();
        CloseableIterator<CellRecord> records = env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells")
                .collectAsync();
        JobClient job = env.executeAsync("join latency");
        JoinLatency.Result r;
        try (records) {
            Iterator<JoinLatency.Seen> seen = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return records.hasNext();
                }

                @Override
                public JoinLatency.Seen next() {
                    CellRecord c = records.next();
                    return new JoinLatency.Seen(c.epoch(), c.storeIndex(), c.globalIndex(), c.obs("label"),
                            io.github.flinkanndata.source.record.FloatArrays.of(c.matrix("X").dense()));
                }
            };
            r = JoinLatency.run(seen, REPORTER, job.getJobID(), staged, watched, 2 * GrowingStores.ROWS);
        } finally {
            job.cancel();
        }
        System.out.println("join latency, DataStream CellRecord, parallelism " + parallelism + ": " + r);
        assertThat(r.epochs()).as("%s", r).isLessThanOrEqualTo(2);
        assertFirstJoinedEpoch(r, joining);
    }

    /** Both stores once each; new labels on the next codes; joined samples projected by name. */
    static void assertFirstJoinedEpoch(JoinLatency.Result r, StoreTruth joining) {
        TreeSet<Long> globals = new TreeSet<>();
        Map<Object, TreeSet<Object>> codes = new java.util.HashMap<>();
        for (JoinLatency.Seen s : r.firstJoinedEpochSamples) {
            assertThat(globals.add(s.global)).as("sample %d twice", s.global).isTrue();
            if (s.store == 1) {
                int row = (int) (s.global - GrowingStores.ROWS);
                codes.computeIfAbsent(joining.labels.get(row), k -> new TreeSet<>()).add(s.code);
                double[] want = joining.projected(row, GrowingStores.GENES);
                float[] wantF = new float[want.length];
                for (int i = 0; i < want.length; i++) {
                    wantF[i] = (float) want[i];
                }
                assertThat(s.x).as("joined row %d", row).containsExactly(wantF);
            }
        }
        assertThat(globals).hasSize(2 * GrowingStores.ROWS);
        assertThat(globals.first()).isZero();
        assertThat(globals.last()).isEqualTo(2L * GrowingStores.ROWS - 1);
        assertThat(codes).as("codes of the joined store's labels")
                .isEqualTo(Map.of("T cell", new TreeSet<>(List.of(1)), "NK", new TreeSet<>(List.of(2)),
                        "alpha", new TreeSet<>(List.of(3))));
    }
}
