package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.CellRecordTypeInfo;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A task fails mid-epoch, after checkpoints were confirmed; the job restarts from the latest
 * checkpoint and the committed output (the exactly-once {@link CommittedCollector}) holds every
 * {@code (epoch, global index)} of two epochs exactly once.
 *
 * <p>Two topologies: source, failing map and sink chained (each subtask is its own failover
 * region: only the failed reader restarts, its uncheckpointed splits come back through {@code
 * addSplitsBack}) and with a {@code rebalance()} (one region: the enumerator is reset to the
 * checkpoint too). Block-shuffled splits are permuted windows of 64 rows, so restored splits
 * resume in the middle of a permutation.
 */
@Timeout(90)
class FailoverITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final int REPEATS = 4; // 384 samples
    private static final int EPOCHS = 2;

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"SEQUENTIAL, regional", "SEQUENTIAL, global", "BLOCK_SHUFFLED, regional", "BLOCK_SHUFFLED, global"})
    void failureMidEpochKeepsEverySampleExactlyOnce(SamplingMode sampling, String topology) throws Exception {
        String name = "failover-" + sampling + "-" + topology;
        CommittedCollector.Run run = CommittedCollector.start(name);
        FailOnceMap.reset(run, 4);

        StreamExecutionEnvironment env = FailOnceMap.environment();

        AnnDataSource<CellRecord> source = AnnDataSource.builder(ItStores.mixed(REPEATS)).obsKeys("cell_type").join("outer")
                .sampling(sampling).rowsPerSplit(48).blockSize(8).windowBlocks(8).seed(5).epochs(EPOCHS).build();
        DataStream<CellRecord> cells = env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells").uid("cells")
                .map(new PacedMap<CellRecord>()).returns(CellRecordTypeInfo.INSTANCE).uid("paced"); // chained to the source
        if (topology.equals("global")) {
            cells = cells.rebalance();
        }
        cells.map(ItStores::key).returns(Types.LONG).uid("keys")
                .map(new FailOnceMap(150, 2)).uid("fail-once")
                .process(new CommittedCollector(name)).returns(Types.VOID).uid("collector")
                .sinkTo(new DiscardingSink<>());
        env.execute(name);

        assertThat(FailOnceMap.failed()).as("the failure was injected").isTrue();
        assertThat(FailOnceMap.committedAtFailure()).as("restored from a checkpoint with progress").isPositive();
        ItStores.assertExactlyOnce(run.committed(), EPOCHS, REPEATS * ItStores.MIXED_SIZE);
    }
}
