package io.github.flinkanndata.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.testutil.GrowingStores;
import io.github.flinkanndata.testutil.JoinLatency;
import io.github.flinkanndata.testutil.StoreTruth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A growing anndata table: a store renamed into {@code scan.watch-directories} while the query
 * runs reaches the result within two of its epochs of the enumerator's "sampled from the next
 * epoch on" ({@link JoinLatency}), at parallelism 1 and 2; the first epoch with it has both
 * stores once each, the new labels on the next codes and the joined rows projected by gene name.
 */
@Timeout(60)
class GrowingTableITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(REPORTER.addToConfiguration(boundedInFlight()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** What sits after the source is the job's: bounded as README "Growing collections" says. */
    private static Configuration boundedInFlight() {
        Configuration c = new Configuration();
        c.setString("taskmanager.network.memory.buffer-debloat.enabled", "true");
        c.setString("collect-sink.batch-size.max", "4kb");
        return c;
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2})
    void aStoreRenamedIntoTheWatchedDirectoryReachesTheQuery(int parallelism, @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.zarr");
        Path staged = dir.resolve("staged.zarr");
        Path watched = dir.resolve("watched");
        Files.createDirectories(watched);
        GrowingStores.writeInitial(first);
        GrowingStores.writeJoining(staged);
        StoreTruth joining = StoreTruth.read(staged, "label");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(boundedInFlight());
        env.setParallelism(parallelism);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.executeSql(TableFixtures.ddl("cells", "global_idx BIGINT, store_idx INT, epoch INT, X ARRAY<FLOAT>,"
                + " label INT", List.of(first.toString()), "scan.obs-keys", "label", "scan.output", "dense",
                "scan.sampling", "block_shuffled", "scan.block-size", "64", "scan.seed", "3", "scan.epochs", "-1",
                "scan.watch-directories", watched.toString(), "scan.discovery-interval", "200 ms"));
        TableResult result = tEnv.executeSql("SELECT epoch, store_idx, global_idx, label, X FROM cells");
        JoinLatency.Result r;
        try (CloseableIterator<Row> rows = result.collect()) {
            Iterator<JoinLatency.Seen> seen = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public JoinLatency.Seen next() {
                    Row row = rows.next();
                    Float[] x = (Float[]) row.getField(4);
                    float[] values = new float[x.length];
                    for (int i = 0; i < x.length; i++) {
                        values[i] = x[i];
                    }
                    return new JoinLatency.Seen((Integer) row.getField(0), (Integer) row.getField(1),
                            (Long) row.getField(2), row.getField(3), values);
                }
            };
            r = JoinLatency.run(seen, REPORTER, result.getJobClient().orElseThrow().getJobID(), staged, watched,
                    2 * GrowingStores.ROWS);
        }
        System.out.println("join latency, SQL, parallelism " + parallelism + ": " + r);
        assertThat(r.epochs()).as("%s", r).isLessThanOrEqualTo(2);

        TreeSet<Long> globals = new TreeSet<>();
        Map<Object, TreeSet<Object>> codes = new HashMap<>();
        for (JoinLatency.Seen s : r.firstJoinedEpochSamples) {
            assertThat(globals.add(s.global)).as("sample %d twice", s.global).isTrue();
            if (s.store == 1) {
                int row = (int) (s.global - GrowingStores.ROWS);
                codes.computeIfAbsent(joining.labels.get(row), k -> new TreeSet<>()).add(s.code);
                double[] want = joining.projected(row, GrowingStores.GENES);
                for (int g = 0; g < want.length; g++) {
                    assertThat((double) s.x[g]).as("joined row %d gene %d", row, g).isEqualTo(want[g]);
                }
            }
        }
        assertThat(globals).hasSize(2 * GrowingStores.ROWS);
        assertThat(codes).isEqualTo(Map.of("T cell", new TreeSet<>(List.of(1)), "NK", new TreeSet<>(List.of(2)),
                "alpha", new TreeSet<>(List.of(3))));
    }
}
