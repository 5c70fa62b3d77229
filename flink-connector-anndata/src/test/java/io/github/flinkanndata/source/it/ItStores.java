package io.github.flinkanndata.source.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The stores the integration tests read and the bookkeeping they share. A sample occurrence is
 * keyed by {@code (epoch, global index)} packed into one {@code long}, so exactly-once checks are
 * set operations and the collecting sink can checkpoint plain longs.
 */
final class ItStores {
    /** Three stores of the reference set with different formats, dtypes and cell_type subsets: 96 cells. */
    static final String[] MIXED = {"mixed_m1.h5ad", "mixed_m2_v2.zarr", "mixed_m3_v3_sharded.zarr"};

    static final long MIXED_SIZE = 96;

    private ItStores() {}

    /** The mixed stores, the whole list repeated {@code times} times (a store may be listed twice). */
    static List<String> mixed(int times) {
        List<String> out = new ArrayList<>();
        for (int t = 0; t < times; t++) {
            for (String name : MIXED) {
                out.add(TestData.reference().resolve("stores").resolve(name).toString());
            }
        }
        return out;
    }

    static long key(CellRecord r) {
        return key(r.epoch(), r.globalIndex());
    }

    static long key(int epoch, long globalIndex) {
        return ((long) epoch << 32) | globalIndex;
    }

    static int epochOf(long key) {
        return (int) (key >>> 32);
    }

    static long indexOf(long key) {
        return key & 0xFFFF_FFFFL;
    }

    /** Every {@code (epoch, index)} of {@code epochs} epochs over {@code size} samples, exactly once. */
    static void assertExactlyOnce(Collection<Long> keys, int epochs, long size) {
        Set<Long> seen = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        for (long k : keys) {
            if (!seen.add(k)) {
                duplicates.add(epochOf(k) + ":" + indexOf(k));
            }
        }
        assertThat(duplicates).as("(epoch:index) emitted more than once").isEmpty();
        List<String> missing = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            for (long g = 0; g < size; g++) {
                if (!seen.contains(key(e, g))) {
                    missing.add(e + ":" + g);
                }
            }
        }
        assertThat(missing).as("(epoch:index) never emitted").isEmpty();
        assertThat(keys.size()).as("records").isEqualTo(epochs * size);
    }
}
