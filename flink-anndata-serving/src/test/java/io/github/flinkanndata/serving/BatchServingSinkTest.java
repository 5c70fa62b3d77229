package io.github.flinkanndata.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/** The keys that route the pieces of rank {@code r} to sink subtask {@code r mod n}. */
class BatchServingSinkTest {
    @Test
    void everySubtaskHasAKeyThatFlinkSendsToIt() {
        for (int n = 1; n <= 64; n++) {
            int[] keys = BatchServingSink.keysBySubtask(n);
            assertThat(keys).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(KeyGroupRangeAssignment.assignKeyToParallelOperator(keys[i], n, n))
                        .as("subtask of the key for subtask %d of %d", i, n).isEqualTo(i);
            }
        }
    }
}
