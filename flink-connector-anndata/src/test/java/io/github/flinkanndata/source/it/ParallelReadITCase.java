package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parallel reads at p = 2 and 4, sequential and block-shuffled, dense and sparse output: over two
 * epochs every {@code (epoch, global index)} arrives exactly once, and every sample equals the
 * collection's {@code get(i)} (a sparse row densifies to exactly the dense row).
 */
@Timeout(60)
class ParallelReadITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final List<String> PATHS = ItStores.mixed(1);
    private static final int EPOCHS = 2;
    private static final Map<Long, Map<String, Object>> EXPECTED = new HashMap<>();

    @BeforeAll
    static void readCollection() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(source(SamplingMode.SEQUENTIAL, OutputForm.DENSE)
                .settings().collection())) {
            assertThat(c.size()).isEqualTo(ItStores.MIXED_SIZE);
            for (long i = 0; i < c.size(); i++) {
                EXPECTED.put(i, c.get(i).asMap());
            }
        }
    }

    /** Small splits (7 rows; blocks of 8 in windows of 2) so that every reader gets several. */
    private static AnnDataSource<CellRecord> source(SamplingMode sampling, OutputForm output) {
        return AnnDataSource.builder(PATHS).obsKeys("cell_type").join("outer").output(output)
                .sampling(sampling).rowsPerSplit(7).blockSize(8).windowBlocks(2).seed(11).epochs(EPOCHS)
                .build();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int p : new int[] {2, 4}) {
            for (SamplingMode sampling : new SamplingMode[] {SamplingMode.SEQUENTIAL, SamplingMode.BLOCK_SHUFFLED}) {
                for (OutputForm output : OutputForm.values()) {
                    out.add(Arguments.of(p, sampling, output));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "p={0} {1} {2}")
    @MethodSource("cases")
    void everySampleOncePerEpochAndEqualToTheCollection(int parallelism, SamplingMode sampling, OutputForm output)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        List<CellRecord> records = new ArrayList<>();
        try (CloseableIterator<CellRecord> it = env.fromSource(source(sampling, output),
                WatermarkStrategy.noWatermarks(), "cells").executeAndCollect()) {
            it.forEachRemaining(records::add);
        }

        List<Long> keys = new ArrayList<>();
        records.forEach(r -> keys.add(ItStores.key(r)));
        ItStores.assertExactlyOnce(keys, EPOCHS, ItStores.MIXED_SIZE);
        for (CellRecord r : records) {
            MatrixRow x = r.matrix("X");
            assertThat(x.isSparse()).as("output form of sample %d", r.globalIndex())
                    .isEqualTo(output == OutputForm.SPARSE);
            Map<String, Object> expected = EXPECTED.get(r.globalIndex());
            Map<String, Object> actual = r.sample().asMap(); // matrices densified
            assertThat(actual.keySet()).as("keys of sample %d", r.globalIndex())
                    .containsExactlyElementsOf(expected.keySet());
            for (String k : expected.keySet()) {
                assertThat(Objects.deepEquals(actual.get(k), expected.get(k)))
                        .as("%s of sample %d (epoch %d)", k, r.globalIndex(), r.epoch()).isTrue();
            }
        }
        if (sampling == SamplingMode.BLOCK_SHUFFLED) {
            assertThat(epochOrder(records, 0)).as("shuffled epochs differ").isNotEqualTo(epochOrder(records, 1));
        }
    }

    /** Indices of one epoch in arrival order (at p > 1 an interleaving, still seed-dependent). */
    private static List<Long> epochOrder(List<CellRecord> records, int epoch) {
        List<Long> out = new ArrayList<>();
        for (CellRecord r : records) {
            if (r.epoch() == epoch) {
                out.add(r.globalIndex());
            }
        }
        return out;
    }
}
