package io.github.flinkanndata.source.it;

import static org.apache.flink.runtime.testutils.CommonTestUtils.terminateJob;
import static org.apache.flink.runtime.testutils.CommonTestUtils.waitForAllTaskRunning;
import static org.apache.flink.runtime.testutils.CommonTestUtils.waitForJobStatus;
import static org.apache.flink.runtime.testutils.CommonTestUtils.waitUntilCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.CellRecordTypeInfo;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RpcOptions;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.environment.TestEnvironment;
import org.apache.flink.connector.testframe.environment.TestEnvironmentSettings;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.connector.testframe.utils.MetricQuerier;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.metrics.MetricNames;
import org.apache.flink.runtime.rest.RestClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.collect.CollectResultIterator;
import org.apache.flink.streaming.api.operators.collect.CollectSinkOperatorFactory;
import org.apache.flink.streaming.api.operators.collect.CollectStreamSink;
import org.apache.flink.streaming.util.RestartStrategyUtils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.Timeout;

/**
 * Flink's connector test suite over {@link AnnDataExternalContext}: single split, multiple splits
 * and idle reader (bounded, one epoch), TaskManager failure (unbounded), savepoint, scale up and
 * down, and metrics (unbounded), exactly-once semantics.
 *
 * <p>Four cases are overridden, because their expectations describe a log-like source, where data
 * written later is read once and nothing else arrives; an AnnData source reads a fixed collection,
 * epoch after epoch:
 *
 * <ul>
 *   <li>{@code testSavepoint}, {@code testScaleUp}, {@code testScaleDown}: the base reads exactly
 *       the records written so far at parallelism 4 or 2, then expects exactly the "new" records
 *       after the restore. In unbounded mode our readers pull the next epoch's splits as soon as
 *       they are idle, so at parallelism > 1 records of epoch 1 may legitimately arrive before
 *       the last record of epoch 0: the base's first count cannot hold deterministically (at
 *       parallelism 1 it does, see the TaskManager case). The override keeps the base's
 *       environment, parallelisms, stop-with-savepoint and reused collect iterator, and checks
 *       what the source promises: each record is the next row of its {@code (store, epoch)}, no
 *       duplicate or gap across the savepoint and the rescale. The first job is paced (a chained
 *       map) and counts what it handed on, so the test reads past the first job's output into at
 *       least one epoch emitted by the restored readers, and until epochs 0 and 1 are complete.
 *   <li>{@code testSourceMetrics}: the base waits (without a timeout) for {@code numRecordsIn}
 *       to equal the written record count while the unbounded job runs; our source keeps emitting
 *       further epochs, so the sum passes that value and never stays on it. The override parks the
 *       pipeline right after one epoch (a chained gate) and checks that {@code numRecordsIn}, read
 *       through the same REST query, equals exactly the records the source emitted.
 * </ul>
 *
 * {@code testTaskManagerFailure} runs unchanged: at parallelism 1 with one store the unbounded
 * stream is store rows of epoch 0, then epoch 1, ...; the "records written after the failover"
 * are the next epoch (see {@link AnnDataExternalContext}).
 *
 * <p>No case cancels a job before its collect sink has delivered records: cancelling a job whose
 * collect sink is still initializing makes {@code CollectSinkFunction#close} throw a
 * NullPointerException that the TaskManager treats as fatal (FLINK-39330), and the single
 * TaskManager of the environment is gone for every later case.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AnnDataSourceTestSuiteITCase extends SourceTestSuiteBase<CellRecord> {
    @TestEnv
    MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestContext
    ExternalContextFactory<AnnDataExternalContext> stores = AnnDataExternalContext::new;

    @TestSemantics
    CheckpointingMode[] semantics = {CheckpointingMode.EXACTLY_ONCE};

    @Override
    @TestTemplate
    @DisplayName("Test source restarting from a savepoint")
    public void testSavepoint(TestEnvironment testEnv, DataStreamSourceExternalContext<CellRecord> externalContext,
            CheckpointingMode semantic) throws Exception {
        restartPerEpoch(testEnv, externalContext, semantic, 4, 4);
    }

    @Override
    @TestTemplate
    @DisplayName("Test source restarting with a higher parallelism")
    public void testScaleUp(TestEnvironment testEnv, DataStreamSourceExternalContext<CellRecord> externalContext,
            CheckpointingMode semantic) throws Exception {
        restartPerEpoch(testEnv, externalContext, semantic, 2, 4);
    }

    @Override
    @TestTemplate
    @DisplayName("Test source restarting with a lower parallelism")
    public void testScaleDown(TestEnvironment testEnv, DataStreamSourceExternalContext<CellRecord> externalContext,
            CheckpointingMode semantic) throws Exception {
        restartPerEpoch(testEnv, externalContext, semantic, 4, 2);
    }

    private void restartPerEpoch(TestEnvironment testEnv, DataStreamSourceExternalContext<CellRecord> externalContext,
            CheckpointingMode semantic, int before, int after) throws Exception {
        TestingSourceSettings settings = unbounded(semantic);
        for (int i = 0; i < AnnDataExternalContext.SPLITS; i++) {
            generateAndWriteTestData(i, externalContext, settings);
        }
        EpochStreamCheck check = new EpochStreamCheck((AnnDataExternalContext) externalContext);

        // the first job is paced so that it cannot run far ahead of the reads below
        PacedMap.reset(2);
        StreamExecutionEnvironment env = testEnv.createExecutionEnvironment(envSettings(externalContext, null));
        env.enableCheckpointing(50, CheckpointingMode.EXACTLY_ONCE);
        RestartStrategyUtils.configureNoRestartStrategy(env);
        CollectResultIterator<CellRecord> iterator = collect(pacedSource(env, externalContext, settings, before));
        JobClient first = env.executeAsync("Restart Test");
        iterator.setJobClient(first);
        String savepoint;
        try {
            check.consume(iterator, check.epochSize()); // somewhere in epoch 0 or 1 now
            savepoint = first.stopWithSavepoint(true, testEnv.getCheckpointUri(), SavepointFormatType.CANONICAL)
                    .get(30, TimeUnit.SECONDS);
            waitForJobStatus(first, List.of(JobStatus.FINISHED));
        } catch (Throwable t) {
            terminateJob(first);
            throw t;
        }
        // everything the first job handed to the sink before the savepoint; the iterator yields
        // exactly these, then the output of the restored job
        long firstJob = PacedMap.passed();

        PacedMap.pauseMillis = 0;
        StreamExecutionEnvironment restartEnv =
                testEnv.createExecutionEnvironment(envSettings(externalContext, savepoint));
        restartEnv.enableCheckpointing(50, CheckpointingMode.EXACTLY_ONCE);
        collect(pacedSource(restartEnv, externalContext, settings, after)); // same uids: state is restored
        JobClient second = restartEnv.executeAsync("Restart Test");
        try {
            waitForJobStatus(second, List.of(JobStatus.RUNNING));
            iterator.setJobClient(second);
            // at least one epoch of the restored job's own output, and epochs 0 and 1 complete
            check.consume(iterator, Math.max(0, firstJob + check.epochSize() - check.consumed()));
            check.consumeUntilComplete(iterator, 2);
        } finally {
            terminateJob(second);
            waitForJobStatus(second, List.of(JobStatus.CANCELED));
            iterator.close();
        }
    }

    private DataStream<CellRecord> pacedSource(StreamExecutionEnvironment env,
            DataStreamSourceExternalContext<CellRecord> externalContext, TestingSourceSettings settings,
            int parallelism) {
        return env.fromSource(tryCreateSource(externalContext, settings), WatermarkStrategy.noWatermarks(),
                        "Tested Source").uid("tested-source").setParallelism(parallelism)
                .map(new PacedMap<CellRecord>()).returns(CellRecordTypeInfo.INSTANCE).uid("paced").setParallelism(parallelism);
    }

    @Override
    @TestTemplate
    @DisplayName("Test source metrics")
    public void testSourceMetrics(TestEnvironment testEnv, DataStreamSourceExternalContext<CellRecord> externalContext,
            CheckpointingMode semantic) throws Exception {
        TestingSourceSettings settings = unbounded(semantic);
        int splits = AnnDataExternalContext.SPLITS;
        long epoch = 0;
        for (int i = 0; i < splits; i++) {
            epoch += generateAndWriteTestData(i, externalContext, settings).size();
        }
        String sourceName = "metricTestSource" + UUID.randomUUID().toString().replace("-", "");
        MetricsGate.reset(epoch);
        StreamExecutionEnvironment env = testEnv.createExecutionEnvironment(envSettings(externalContext, null));
        env.fromSource(tryCreateSource(externalContext, settings), WatermarkStrategy.noWatermarks(), sourceName)
                .setParallelism(splits)
                .map(new MetricsGate()).returns(CellRecordTypeInfo.INSTANCE).setParallelism(splits)
                .sinkTo(new DiscardingSink<>()).setParallelism(splits);
        JobClient job = env.executeAsync("Metrics Test");
        MetricQuerier querier = new MetricQuerier(new Configuration());
        ExecutorService executor = Executors.newCachedThreadPool();
        try {
            waitForAllTaskRunning(() -> MetricQuerier.getJobDetails(new RestClient(new Configuration(), executor),
                    testEnv.getRestEndpoint(), job.getJobID()));
            // every reader ends up parked on its first record past one epoch: counters are final
            waitUntilCondition(() -> MetricsGate.parked() == splits);
            long emitted = MetricsGate.entered();
            assertThat(emitted).isEqualTo(epoch + splits);
            waitUntilCondition(() -> {
                try {
                    return querier.getAggregatedMetricsByRestAPI(testEnv.getRestEndpoint(), job.getJobID(),
                            sourceName, MetricNames.IO_NUM_RECORDS_IN, null) == emitted;
                } catch (Exception e) {
                    return false; // metrics not fetched yet
                }
            });
        } finally {
            MetricsGate.release();
            executor.shutdown();
            terminateJob(job);
            waitForJobStatus(job, List.of(JobStatus.CANCELED));
        }
    }

    private static TestingSourceSettings unbounded(CheckpointingMode semantic) {
        return TestingSourceSettings.builder().setBoundedness(Boundedness.CONTINUOUS_UNBOUNDED)
                .setCheckpointingMode(semantic).build();
    }

    private static TestEnvironmentSettings envSettings(DataStreamSourceExternalContext<CellRecord> externalContext,
            String savepoint) {
        return TestEnvironmentSettings.builder().setConnectorJarPaths(externalContext.getConnectorJarPaths())
                .setSavepointRestorePath(savepoint).build();
    }

    /** The base's collect sink, wired by hand: its iterator builder is not visible here. */
    private static CollectResultIterator<CellRecord> collect(DataStream<CellRecord> stream) {
        TypeSerializer<CellRecord> serializer =
                stream.getType().createSerializer(stream.getExecutionConfig().getSerializerConfig());
        String accumulator = "dataStreamCollect_" + UUID.randomUUID();
        String uid = "dataStreamCollect";
        CollectStreamSink<CellRecord> sink =
                new CollectStreamSink<>(stream, new CollectSinkOperatorFactory<>(serializer, accumulator));
        sink.name("Data stream collect sink").uid(uid);
        stream.getExecutionEnvironment().addOperator(sink.getTransformation());
        return new CollectResultIterator<>(uid, serializer, accumulator,
                stream.getExecutionEnvironment().getCheckpointConfig(),
                RpcOptions.ASK_TIMEOUT_DURATION.defaultValue().toMillis());
    }
}
