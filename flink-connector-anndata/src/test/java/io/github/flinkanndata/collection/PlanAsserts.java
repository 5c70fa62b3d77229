package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.AnnDataStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Field-by-field comparison of plans and sample-by-sample comparison of what they decode, shared
 * by the plan codec tests.
 */
final class PlanAsserts {
    private PlanAsserts() {}

    /**
     * Asserts that {@code copy} holds everything {@code original} holds; the kept rows
     * themselves only if {@code withKeptRows}, otherwise their counts and the missing rows.
     */
    static void assertSamePlan(CollectionPlan copy, CollectionPlan original, boolean withKeptRows) {
        CollectionOptions o = original.options();
        CollectionOptions c = copy.options();
        assertThat(c.paths()).isEqualTo(o.paths());
        assertThat(c.layersKeys()).isEqualTo(o.layersKeys());
        assertThat(c.obsKeys()).isEqualTo(o.obsKeys());
        assertThat(c.obsmKeys()).isEqualTo(o.obsmKeys());
        assertThat(c.obsFilter()).isEqualTo(o.obsFilter()); // Long/Double/Boolean/String/MISSING equality
        assertThat(c.join()).isEqualTo(o.join());
        assertThat(c.encodeKeys()).isEqualTo(o.encodeKeys());
        assertThat(c.unknownLabelMap()).isEqualTo(o.unknownLabelMap());
        assertThat(c.unknownLabelForEveryKey()).isEqualTo(o.unknownLabelForEveryKey());
        assertThat(c.cacheCategories()).isEqualTo(o.cacheCategories());
        assertThat(c.parallel()).isEqualTo(o.parallel());
        assertThat(c.dtype()).isEqualTo(o.dtype());
        assertThat(c.containerOptions().chunkCacheBytes()).isEqualTo(o.containerOptions().chunkCacheBytes());
        assertThat(c.toString()).isEqualTo(o.toString());

        assertThat(copy.storeCount()).isEqualTo(original.storeCount());
        for (int s = 0; s < original.storeCount(); s++) {
            StorePlan sc = copy.store(s);
            StorePlan so = original.store(s);
            assertThat(sc.path()).isEqualTo(so.path());
            assertThat(sc.rows()).isEqualTo(so.rows());
            assertThat(sc.xCols()).isEqualTo(so.xCols());
            assertThat(sc.varIndices()).isEqualTo(so.varIndices());
            assertThat(sc.layerMask()).isEqualTo(so.layerMask());
            assertThat(sc.obsmMask()).isEqualTo(so.obsmMask());
            assertThat(sc.obsMask()).isEqualTo(so.obsMask());
            assertThat(sc.isFiltered()).isEqualTo(so.isFiltered());
            assertThat(sc.keptRows()).as("kept count of store %d", s).isEqualTo(so.keptRows());
            assertThat(copy.offset(s)).isEqualTo(original.offset(s));
            boolean rowsTravel = withKeptRows || !so.isFiltered();
            assertThat(sc.isComplete()).isEqualTo(rowsTravel);
            if (rowsTravel) {
                assertThat(sc.keptRowArray()).isEqualTo(so.keptRowArray());
            }
        }
        assertThat(copy.size()).isEqualTo(original.size());
        assertThat(copy.effectiveJoin()).isEqualTo(original.effectiveJoin());
        assertThat(copy.varJoint()).isEqualTo(original.varJoint());
        assertThat(copy.encoders()).isEqualTo(original.encoders());
        assertThat(new ArrayList<>(copy.encoders().keySet())).isEqualTo(new ArrayList<>(original.encoders().keySet()));
    }

    /** Every sample equal: index, store, row, asMap() deeply, and each matrix row's form. */
    static void assertSameSamples(List<Sample> actual, List<Sample> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Sample a = actual.get(i);
            Sample e = expected.get(i);
            assertThat(a.index()).isEqualTo(e.index());
            assertThat(a.storeIndex()).isEqualTo(e.storeIndex());
            assertThat(a.row()).as("row of sample %d", e.index()).isEqualTo(e.row());
            Map<String, Object> am = a.asMap();
            Map<String, Object> em = e.asMap();
            assertThat(new ArrayList<>(am.keySet())).isEqualTo(new ArrayList<>(em.keySet()));
            for (String k : em.keySet()) {
                Object av = am.get(k);
                Object ev = em.get(k);
                assertThat(av == null ? null : av.getClass()).as("type of %s in sample %d", k, e.index())
                        .isEqualTo(ev == null ? null : ev.getClass());
                assertThat(Objects.deepEquals(av, ev)).as("%s of sample %d: %s vs %s", k, e.index(), a, e).isTrue();
            }
            for (String k : e.layerKeys()) {
                assertSameRow(a.layer(k), e.layer(k));
            }
            for (String k : e.obsmKeys()) {
                assertSameRow(a.obsm(k), e.obsm(k));
            }
        }
    }

    private static void assertSameRow(MatrixRow a, MatrixRow e) {
        assertThat(a.type()).isEqualTo(e.type());
        assertThat(a.width()).isEqualTo(e.width());
        assertThat(a.isSparse()).isEqualTo(e.isSparse());
        if (e.isSparse()) {
            assertThat(a.indices()).isEqualTo(e.indices());
            assertThat(Objects.deepEquals(a.values(), e.values())).isTrue();
        }
    }

    /**
     * Decodes every store of {@code plan} with a {@link SampleDecoder} over a freshly opened store
     * (the reader side), in the given form.
     */
    static List<Sample> decodeAll(CollectionPlan plan, boolean sparse) throws Exception {
        List<Sample> out = new ArrayList<>();
        for (int s = 0; s < plan.storeCount(); s++) {
            try (AnnDataStore store = AnnDataStore.open(Path.of(plan.store(s).path()),
                    plan.options().containerOptions())) {
                SampleDecoder decoder = SampleDecoder.create(plan, s, store);
                long n = plan.store(s).keptRows();
                // two calls, so a decode starting mid-store is covered too
                out.addAll(decoder.decode(0, n / 2, sparse));
                out.addAll(decoder.decode(n / 2, n, sparse));
            }
        }
        return out;
    }
}
