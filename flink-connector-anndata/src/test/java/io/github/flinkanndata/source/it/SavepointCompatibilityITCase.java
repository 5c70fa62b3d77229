package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restores every committed savepoint ({@code src/test/resources/savepoints/<version>/<case>/},
 * taken by {@link SavepointGeneratorITCase} from that connector version) into a fresh job of this
 * build, and checks that the continuation completes the epochs exactly once relative to what the
 * savepointed run had committed. A state format change that cannot read an older version's
 * enumerator state, split state or plan fails here.
 */
@Timeout(120)
class SavepointCompatibilityITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static List<Path> savepoints() throws IOException {
        return CommittedSavepoints.committed();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("savepoints")
    void restoresAndCompletesExactlyOnce(Path savepoint, @InjectClusterClient ClusterClient<?> client)
            throws Exception {
        CommittedSavepoints.restoreAndCheck(client, savepoint);
    }

    @Test
    void everyVersionHasEveryCase() throws IOException {
        Set<String> versions = new TreeSet<>();
        Set<String> expected = new TreeSet<>();
        SavepointCase.CASES.forEach(c -> expected.add(c.name));
        for (Path p : CommittedSavepoints.committed()) {
            versions.add(p.getParent().getFileName().toString());
        }
        assertThat(versions).as("committed savepoint versions").isNotEmpty();
        for (String v : versions) {
            Set<String> cases = new TreeSet<>();
            for (Path p : CommittedSavepoints.committed()) {
                if (p.getParent().getFileName().toString().equals(v)) {
                    cases.add(p.getFileName().toString());
                }
            }
            assertThat(cases).as("cases of version %s", v).isEqualTo(expected);
        }
    }
}
