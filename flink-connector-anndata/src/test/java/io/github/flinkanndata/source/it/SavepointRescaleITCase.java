package io.github.flinkanndata.source.it;

import io.github.flinkanndata.source.record.CellRecord;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.SamplingMode;
import io.github.flinkanndata.source.record.CellRecordTypeInfo;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stop-with-savepoint in the middle of an epoch, then resume from the savepoint at another
 * parallelism (job graphs submitted through the MiniCluster's client). The union of both runs'
 * committed output holds every {@code (epoch, global index)} of two epochs exactly once: the
 * enumerator resumes its split sequence, and readers' splits — redistributed over a different
 * number of readers — resume at their emitted position.
 */
@Timeout(90)
class SavepointRescaleITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final int REPEATS = 4; // 384 samples
    private static final int EPOCHS = 2;

    @ParameterizedTest(name = "{0}: p={1} -> p={2}")
    @CsvSource({"SEQUENTIAL, 2, 3", "BLOCK_SHUFFLED, 2, 1"})
    void resumeAtAnotherParallelism(SamplingMode sampling, int before, int after,
            @InjectClusterClient ClusterClient<?> client, @TempDir Path savepoints) throws Exception {
        String name = "savepoint-" + sampling;
        CommittedCollector.Run run = CommittedCollector.start(name);

        PacedMap.reset(3); // slow enough to stop the first job in the middle of epoch 0
        JobID first = client.submitJob(jobGraph(name, sampling, before, null)).get();
        waitUntil(() -> run.committedCount() >= 100, "first commits");
        String savepoint = client.stopWithSavepoint(first, false, savepoints.toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        assertThat(client.requestJobResult(first).get().isSuccess()).as("stopped job finished").isTrue();
        int firstRun = run.committedCount();
        assertThat(firstRun).as("stopped in the middle").isLessThan((int) (EPOCHS * REPEATS * ItStores.MIXED_SIZE));

        PacedMap.pauseMillis = 0;
        JobID second = client.submitJob(jobGraph(name, sampling, after, savepoint)).get();
        JobResult result = client.requestJobResult(second).get();
        assertThat(result.isSuccess()).as("resumed job: %s", result.getSerializedThrowable()).isTrue();

        assertThat(run.committedCount()).as("the resumed job emitted the rest").isGreaterThan(firstRun);
        ItStores.assertExactlyOnce(run.committed(), EPOCHS, REPEATS * ItStores.MIXED_SIZE);
    }

    private static JobGraph jobGraph(String name, SamplingMode sampling, int parallelism, String savepoint) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.enableCheckpointing(100);
        AnnDataSource<CellRecord> source = AnnDataSource.builder(ItStores.mixed(REPEATS)).obsKeys("cell_type").join("outer")
                .sampling(sampling).rowsPerSplit(16).blockSize(8).windowBlocks(4).seed(9).epochs(EPOCHS).build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells").uid("cells")
                .map(new PacedMap<CellRecord>()).returns(CellRecordTypeInfo.INSTANCE).uid("paced")
                .map(ItStores::key).returns(Types.LONG).uid("key")
                .process(new CommittedCollector(name)).returns(Types.VOID).uid("collector")
                .sinkTo(new DiscardingSink<>()).uid("discard");
        JobGraph graph = env.getStreamGraph().getJobGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return graph;
    }

    private static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
