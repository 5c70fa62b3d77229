package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.record.CellRecord;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks an unbounded source's output against {@link AnnDataExternalContext}'s stores, record by
 * record: each record must be the next row of its {@code (store, epoch)} stream, with exactly the
 * written content. Epochs may interleave across parallel readers, but inside one store and epoch
 * the order is the store's; a duplicate or a gap breaks the sequence and fails at once.
 */
final class EpochStreamCheck {
    private final AnnDataExternalContext stores;
    private final int[] rows;
    private final Map<Integer, int[]> next = new HashMap<>();
    private long consumed;

    EpochStreamCheck(AnnDataExternalContext stores) {
        this.stores = stores;
        this.rows = stores.rowsPerStore();
    }

    /** Samples per epoch. */
    long epochSize() {
        long n = 0;
        for (int r : rows) {
            n += r;
        }
        return n;
    }

    void accept(CellRecord record) {
        int store = record.storeIndex();
        int[] positions = next.computeIfAbsent(record.epoch(), e -> new int[rows.length]);
        int pos = positions[store];
        assertThat(pos).as("record %d: store %d already complete in epoch %d: %s", consumed, store,
                record.epoch(), record).isLessThan(rows[store]);
        assertThat(record).as("record %d: row %d of store %d in epoch %d", consumed, pos, store, record.epoch())
                .isEqualTo(stores.epoch(store, record.epoch()).get(pos));
        positions[store]++;
        consumed++;
    }

    void consume(Iterator<CellRecord> it, long n) {
        for (long i = 0; i < n; i++) {
            assertThat(it.hasNext()).as("the unbounded stream ended").isTrue();
            accept(it.next());
        }
    }

    /** Consumes until every store is complete in epochs {@code 0..epochs-1}. */
    void consumeUntilComplete(Iterator<CellRecord> it, int epochs) {
        long cap = consumed + 20L * epochSize(); // epochs cannot run that far ahead of each other
        while (!complete(epochs)) {
            assertThat(consumed).as("epochs 0..%d never completed", epochs - 1).isLessThan(cap);
            assertThat(it.hasNext()).as("the unbounded stream ended").isTrue();
            accept(it.next());
        }
    }

    boolean complete(int epochs) {
        for (int e = 0; e < epochs; e++) {
            int[] positions = next.getOrDefault(e, new int[rows.length]);
            for (int s = 0; s < rows.length; s++) {
                if (positions[s] < rows[s]) {
                    return false;
                }
            }
        }
        return true;
    }

    long consumed() {
        return consumed;
    }
}
