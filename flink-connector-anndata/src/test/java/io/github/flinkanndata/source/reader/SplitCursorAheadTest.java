package io.github.flinkanndata.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.tree.SlabPool;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.Segment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decoding started ahead ({@link SplitCursor#decodeAhead}) hands out exactly what decoding on
 * demand does, sample for sample and value for value, for plain, block-shuffled and weighted
 * splits, also when it is cancelled or asked for with another fetch size; and it reports when
 * everything left of a split is decoded or being decoded, which is when the reader starts on the
 * next split.
 */
class SplitCursorAheadTest {
    private static final int FETCH = 4;
    private static AnnDataCollection collection;
    private static CollectionPlan plan;
    private static ThreadPoolExecutor pool;

    @BeforeAll
    static void open() throws Exception {
        collection = AnnDataCollection.open(ReaderFixture.settings(OutputForm.SPARSE).collection());
        plan = collection.plan();
        pool = DecodePool.get(0);
    }

    @AfterAll
    static void close() {
        collection.close();
    }

    private static List<AnnDataSplit> splits() throws Exception {
        return List.of(
                new AnnDataSplit(0, 0, List.of(Segment.range(1, 3, 20)), false, 0), // plain, 5 fetches
                new AnnDataSplit(0, 0, List.of(Segment.range(1, 3, 20)), false, 0).withSkip(6),
                ReaderFixture.shuffledSplit(plan),
                ReaderFixture.shuffledSplit(plan).withSkip(5),
                ReaderFixture.weightedSplit(collection));
    }

    /** Each fetch's samples as (index, values) strings, decoded on demand. */
    private static List<String> onDemand(AnnDataSplit split, StoreHandles stores) throws Exception {
        SplitCursor c = new SplitCursor(split, true);
        List<String> out = new ArrayList<>();
        while (!c.done()) {
            out.add(describe(c.next(FETCH, plan, stores, pool)));
        }
        return out;
    }

    private static String describe(List<Sample> samples) {
        StringBuilder b = new StringBuilder();
        for (Sample s : samples) {
            b.append(s.index()).append('{');
            s.asMap().forEach((k, v) -> b.append(k).append('=').append(Arrays.deepToString(new Object[] {v})).append(','));
            b.append("};");
        }
        return b.toString();
    }

    @Test
    void decodingAheadHandsOutWhatDecodingOnDemandDoes() throws Exception {
        try (StoreHandles stores = new StoreHandles(8, StoreResolver.LOCAL)) {
            for (AnnDataSplit split : splits()) {
                List<String> expected = onDemand(split, stores);
                SplitCursor c = new SplitCursor(split, true);
                List<String> got = new ArrayList<>();
                while (!c.done()) {
                    c.decodeAhead(FETCH, plan, stores, pool);
                    assertThat(c.decodedToEnd()).as("%s at %s", split, c.position())
                            .isEqualTo(split.permuted() || split.segments().get(0).draws() != null
                                    || c.position() + FETCH >= split.size());
                    got.add(describe(c.next(FETCH, plan, stores, pool)));
                }
                assertThat(got).as("%s", split).isEqualTo(expected);
                assertThat(c.decodedToEnd()).isTrue();
            }
        }
    }

    @Test
    void cancelledOrMismatchedDecodingAheadIsDecodedAgain() throws Exception {
        try (StoreHandles stores = new StoreHandles(8, StoreResolver.LOCAL)) {
            for (AnnDataSplit split : splits()) {
                List<String> expected = onDemand(split, stores);
                SplitCursor c = new SplitCursor(split, true);
                List<String> got = new ArrayList<>();
                int step = 0;
                while (!c.done()) {
                    if (step % 2 == 0) {
                        c.decodeAhead(FETCH, plan, stores, pool);
                        c.cancel();
                    } else {
                        c.decodeAhead(FETCH + 1, plan, stores, pool); // another fetch size than asked next
                    }
                    step++;
                    got.add(describe(c.next(FETCH, plan, stores, pool)));
                }
                assertThat(got).as("%s", split).isEqualTo(expected);
            }
        }
    }

    /**
     * Cursors sharing a {@link SlabPool}, taking turns fetch by fetch (so that arrays released by
     * one are decoded into by the others while it goes on), hand out exactly what decoding into
     * new arrays does: a lease is released only when no sample still to be handed out reads it.
     */
    @Test
    void cursorsDecodingIntoPooledArraysHandOutWhatNewArraysHold() throws Exception {
        SlabPool slabs = new SlabPool(64 << 20);
        try (StoreHandles stores = new StoreHandles(8, StoreResolver.LOCAL)) {
            List<AnnDataSplit> all = new ArrayList<>(splits());
            all.addAll(splits());
            List<List<String>> expected = new ArrayList<>();
            List<SplitCursor> cursors = new ArrayList<>();
            List<List<String>> got = new ArrayList<>();
            for (AnnDataSplit split : all) {
                expected.add(onDemand(split, stores));
                cursors.add(new SplitCursor(split, true, slabs));
                got.add(new ArrayList<>());
            }
            boolean more = true;
            while (more) {
                more = false;
                for (int i = 0; i < cursors.size(); i++) {
                    SplitCursor c = cursors.get(i);
                    if (!c.done()) {
                        more = true;
                        c.decodeAhead(FETCH, plan, stores, pool);
                        got.get(i).add(describe(c.next(FETCH, plan, stores, pool)));
                        c.consumed();
                    }
                }
            }
            for (int i = 0; i < all.size(); i++) {
                assertThat(got.get(i)).as("%s", all.get(i)).isEqualTo(expected.get(i));
            }
            assertThat(slabs.freeBytes()).as("arrays came back to the pool").isPositive();
        }
    }
}
