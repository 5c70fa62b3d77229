package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator of committed savepoints, run on every build: takes this build's savepoints of
 * every {@link SavepointCase} (stop-with-savepoint in the middle of the epochs) and restores each
 * into a fresh job, checking the continuation exactly once. By default they go to a temporary
 * folder; with {@code -Dsavepoints.write=<connector version>} they are written to {@code
 * src/test/resources/savepoints/<connector version>/} for committing (an existing folder is never
 * overwritten). See docs/reliability.md for the procedure.
 */
@Timeout(180)
class SavepointGeneratorITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(clusterConfig()).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /**
     * State goes to files beside {@code _metadata}, referenced by relative paths: state inlined into
     * {@code _metadata} would keep the absolute path of the file it was not written to, a machine
     * path in a committed file.
     */
    private static Configuration clusterConfig() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.FS_SMALL_FILE_THRESHOLD, MemorySize.ZERO);
        return conf;
    }

    @Test
    void takesAndRestoresThisBuildsSavepoints(@InjectClusterClient ClusterClient<?> client, @TempDir Path tmp)
            throws Exception {
        String version = System.getProperty("savepoints.write", "").trim();
        Path out = version.isEmpty() ? tmp.resolve("generated") : SavepointCase.ROOT.resolve(version);
        if (!version.isEmpty()) {
            assertThat(version).as("-Dsavepoints.write takes a version like 0.2.0").matches("[0-9][0-9A-Za-z.-]*");
            assertThat(out).as("committed savepoints are never overwritten").doesNotExist();
        }
        SavepointStores.ensure();
        for (SavepointCase spec : SavepointCase.CASES) {
            Path dir = out.resolve(spec.name);
            SavepointCase taken = CommittedSavepoints.take(client, spec, dir, Files.createDirectories(
                    tmp.resolve("scratch-" + spec.name)));
            assertThat(taken.committed).as("%s: committed output at the savepoint", spec.name).isNotEmpty();
            CommittedSavepoints.restoreAndCheck(client, dir);
        }
    }
}
