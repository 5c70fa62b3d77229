package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceEnumerator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chaos of {@link ChaosITCase} with none of this connector's code: Flink's own {@link
 * NumberSequenceSource} (its enumerator and reader; no custom events, only Flink's split requests,
 * split assignments and "no more splits"), cut into small splits so that readers keep asking for
 * work around every restore. It separates Flink's own coordinator behaviour under regional failover
 * from this source's event pattern (see docs/reliability.md). Checks: no number is committed twice,
 * and the job (and its JobManager) survive the schedule.
 *
 * <p>By default it runs under full failover, the setting docs/reliability.md gives as the way
 * around the Flink 2.3 bug, and must pass. It is also the bug's reproducer: {@code
 * -Dchaos.failover=region} (same system properties as {@link ChaosITCase}: {@code chaos.failures},
 * {@code chaos.seed}, {@code chaos.checkpointTimeout}) ends the test JVM through the JobManager's
 * fatal-error handler (exit code 239) with "Some subtask gateway can be closed while others
 * cannot" (docs/reliability.md, "Flink's coordinator checkpoint race").
 */
class FlinkSourceChaosITCase {
    private static final int TASK_MANAGERS = 2;
    private static final String FAILOVER = System.getProperty("chaos.failover", "full");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(clusterConfig()).setNumberTaskManagers(TASK_MANAGERS).setNumberSlotsPerTaskManager(1)
            .build());

    private static final int FAILURES = Integer.getInteger("chaos.failures", 20);
    private static final long SEED = Long.getLong("chaos.seed", 8);
    private static final long CHECKPOINT_MILLIS = 50;
    private static final long CHECKPOINT_TIMEOUT_MILLIS = Long.getLong("chaos.checkpointTimeout", 60_000);
    /** Numbers per source: far more than the schedule needs, so the job outlives it. */
    private static final long NUMBERS = 200_000;
    private static final int NUMBERS_PER_SPLIT = 24;
    private static final String[] RUNS = {"flink-chaos-a", "flink-chaos-b", "flink-chaos-c"};

    private static Configuration clusterConfig() {
        Configuration conf = new Configuration();
        conf.set(JobManagerOptions.EXECUTION_FAILOVER_STRATEGY, FAILOVER);
        return conf;
    }

    @Test
    void flinkSourcesUnderChaos(@InjectMiniCluster MiniCluster cluster) throws Exception {
        List<CommittedCollector.Run> runs = new ArrayList<>();
        for (String name : RUNS) {
            runs.add(CommittedCollector.start(name));
        }
        ChaosMap.reset(12);
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10 * FAILURES + 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(TASK_MANAGERS);
        env.enableCheckpointing(CHECKPOINT_MILLIS);
        env.getCheckpointConfig().setCheckpointTimeout(CHECKPOINT_TIMEOUT_MILLIS);
        for (String run : RUNS) {
            env.fromSource(new SmallSplits(NUMBERS), WatermarkStrategy.noWatermarks(), run).uid(run + "-source")
                    .map(ChaosMap.numbers()).uid(run + "-chaos")
                    .process(new CommittedCollector(run)).returns(Types.VOID).uid(run + "-collector")
                    .sinkTo(new DiscardingSink<>()).uid(run + "-discard");
        }
        // failure points over the same amount of committed output as ChaosITCase's CI size
        ChaosDriver driver = new ChaosDriver(cluster, TASK_MANAGERS, () -> committedTotal(runs), 3 * 576, FAILURES,
                SEED, CHECKPOINT_MILLIS);
        JobClient job = env.executeAsync("flink-source-chaos");
        long[] committedAt = driver.run();
        long after = committedTotal(runs);
        ChaosDriver.waitUntil(() -> committedTotal(runs) > after + 100, "committed output after the schedule");
        job.cancel().get(60, TimeUnit.SECONDS);

        assertThat(committedAt[FAILURES - 1]).as("the last failure hit a job with committed progress").isPositive();
        long records = 0;
        for (CommittedCollector.Run run : runs) {
            List<Long> committed = run.committed();
            Set<Long> distinct = new HashSet<>(committed);
            assertThat(distinct).as("numbers committed once").hasSameSizeAs(committed);
            records += committed.size();
        }
        System.out.printf("flink-source chaos (%s failover): %d failures survived (%d task failures, %d task attempts"
                + " restarted), %d committed records checked%n", FAILOVER, FAILURES, ChaosMap.thrown(),
                ChaosMap.restartedAttempts(), records);
    }

    private static long committedTotal(List<CommittedCollector.Run> runs) {
        long n = 0;
        for (CommittedCollector.Run run : runs) {
            n += run.committedCount();
        }
        return n;
    }

    /** Flink's NumberSequenceSource with its enumerator, cut into splits of {@value #NUMBERS_PER_SPLIT}. */
    private static final class SmallSplits extends NumberSequenceSource {
        private static final long serialVersionUID = 1L;

        SmallSplits(long count) {
            super(0, count - 1);
        }

        @Override
        public SplitEnumerator<NumberSequenceSplit, java.util.Collection<NumberSequenceSplit>> createEnumerator(
                SplitEnumeratorContext<NumberSequenceSplit> context) {
            List<NumberSequenceSplit> splits = splitNumberRange(getFrom(), getTo(),
                    (int) (NUMBERS / NUMBERS_PER_SPLIT));
            return new IteratorSourceEnumerator<>(context, splits);
        }
    }
}
