package io.github.flinkanndata.examples.common;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.source.cache.StorePaths;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** {@link JobRuntime#local()}. */
final class LocalJobRuntime implements JobRuntime {
    /** Restarts of a failing job with checkpoints, unless the job sets its own strategy. */
    static final int RESTARTS = 3;

    @Override
    public StreamExecutionEnvironment environment(int parallelism, Configuration conf) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(withRestarts(conf));
        env.setParallelism(parallelism);
        return env;
    }

    @Override
    public StreamExecutionEnvironment localEnvironment(int parallelism, Configuration conf) {
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, withRestarts(conf));
    }

    @Override
    public AnnDataCollection open(CollectionOptions options) throws AnnDataFormatException {
        StorePaths.check(options.paths());
        return AnnDataCollection.open(options);
    }

    @Override
    public List<String> varIndex(String path) throws AnnDataFormatException, IOException {
        StorePaths.check(List.of(path));
        Path local = path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
        try (AnnDataStore store = AnnDataStore.open(local)) {
            return store.var().index();
        }
    }

    @Override
    public void close() {}

    private static Configuration withRestarts(Configuration conf) {
        Configuration c = new Configuration(conf);
        if (c.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isPresent()
                && !c.contains(RestartStrategyOptions.RESTART_STRATEGY)) {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTARTS);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        }
        return c;
    }
}
