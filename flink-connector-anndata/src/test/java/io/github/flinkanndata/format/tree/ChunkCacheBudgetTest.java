package io.github.flinkanndata.format.tree;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The JVM-wide budget of the chunk caches: one cache with room for much more than the budget
 * never holds more than the budget (a TaskManager with many open stores stays bounded), keeps
 * its newest entries, and gives its bytes back when cleared (a closed store).
 */
class ChunkCacheBudgetTest {

    @Test
    void aCacheLargerThanTheBudgetStaysWithinIt() {
        long budget = ChunkCache.globalCapacityBytes();
        long piece = Math.max(1, budget / 32);
        ChunkCache big = new ChunkCache(Long.MAX_VALUE / 4);
        byte[] value = new byte[1]; // the weight is declared: no need to allocate the budget
        try {
            for (int k = 0; k < 96; k++) {
                big.put(new ChunkCache.Key("a", k), value, piece);
                assertThat(big.usedBytes()).as("after %d puts", k + 1).isLessThanOrEqualTo(budget);
            }
            assertThat(big.get(new ChunkCache.Key("a", 95))).as("the newest entry").isSameAs(value);
            assertThat(big.get(new ChunkCache.Key("a", 0))).as("the eldest entry").isNull();
            assertThat(big.usedBytes()).isGreaterThan(0);
        } finally {
            long held = big.usedBytes();
            long before = ChunkCache.globalUsedBytes();
            big.clear();
            assertThat(big.usedBytes()).isZero();
            // tests run one at a time in a fork, so nothing else changes the total meanwhile
            assertThat(ChunkCache.globalUsedBytes()).isEqualTo(before - held);
        }
    }
}
