package io.github.flinkanndata.format.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVM-wide budget of the chunk caches: one cache with room for much more than the budget
 * never holds more than the budget (a TaskManager with many open stores stays bounded), keeps
 * its newest entries, and gives its bytes back when cleared (a closed store); a store that filled
 * the budget gives way to a store opened after it (least recently used across caches), and a cache
 * dropped without being cleared gives its bytes back when it is collected.
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

    @Test
    void aStoreThatFilledTheBudgetGivesWayToALaterOne() {
        long budget = ChunkCache.globalCapacityBytes();
        long piece = Math.max(1, budget / 32);
        byte[] value = new byte[1];
        ChunkCache first = new ChunkCache(Long.MAX_VALUE / 4);
        ChunkCache later = new ChunkCache(Long.MAX_VALUE / 4);
        try {
            for (int k = 0; k < 64; k++) { // read for a long time: the budget is full of its chunks
                first.put(new ChunkCache.Key("first", k), value, piece);
            }
            long firstHeld = first.usedBytes();
            assertThat(firstHeld).isGreaterThan(budget / 2);
            for (int k = 0; k < 8; k++) {
                later.put(new ChunkCache.Key("later", k), value, piece);
            }
            // before: the later store evicted its own new entries at once and cached nothing
            for (int k = 0; k < 8; k++) {
                assertThat(later.get(new ChunkCache.Key("later", k))).as("later chunk %d", k).isSameAs(value);
            }
            assertThat(later.usedBytes()).isEqualTo(8 * piece);
            assertThat(first.usedBytes()).as("the first store's eldest chunks made room").isLessThan(firstHeld);
            assertThat(ChunkCache.globalUsedBytes()).isLessThanOrEqualTo(budget);
            // recently read chunks of the first store outlive older ones of the later store
            first.get(new ChunkCache.Key("first", 63));
            for (int k = 8; k < 8 + 28; k++) { // with first#63, fewer than the budget holds
                later.put(new ChunkCache.Key("later", k), value, piece);
            }
            assertThat(first.get(new ChunkCache.Key("first", 63))).as("read last, kept").isSameAs(value);
            assertThat(later.get(new ChunkCache.Key("later", 0))).as("the eldest, evicted").isNull();
        } finally {
            first.clear();
            later.clear();
        }
    }

    @Test
    void aCacheDroppedWithoutClearingGivesItsBytesBack() throws InterruptedException {
        long before = ChunkCache.globalUsedBytes();
        long held = fillAndDrop(ChunkCache.globalCapacityBytes() / 4);
        assertThat(held).isPositive();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ChunkCache.globalUsedBytes() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(ChunkCache.globalUsedBytes()).as("budget in use after the dropped cache was collected")
                .isLessThanOrEqualTo(before);
    }

    /** Fills a cache with {@code bytes} of chunks and forgets it (a container never closed). */
    private static long fillAndDrop(long bytes) {
        ChunkCache dropped = new ChunkCache(Long.MAX_VALUE / 4);
        for (int k = 0; k < 8; k++) {
            dropped.put(new ChunkCache.Key("dropped", k), new byte[1], Math.max(1, bytes / 8));
        }
        return dropped.usedBytes();
    }
}
