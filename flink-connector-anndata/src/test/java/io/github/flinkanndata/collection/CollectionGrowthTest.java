package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.testutil.StoreTruth;
import io.github.flinkanndata.testutil.TestData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * A growing collection's plans: the initial stores fix the gene space, joining stores are
 * projected onto it by name (checked against each store read alone), and vocabularies only
 * append. Stores: rich (50 cells, 40 genes, B/T/NK/Mono/DC labels), small (20 cells, 12 of those
 * genes, alpha/beta/γ) and wide (10 cells, 300 genes, alpha/beta/γ).
 */
class CollectionGrowthTest {
    static final String RICH = TestData.fixtures().resolve("h5ad/rich_gzip.h5ad").toString();
    static final String SMALL = TestData.fixtures().resolve("zarr2/gzip.zarr").toString();
    static final String WIDE = TestData.fixtures().resolve("zarr3/min_indices_u16.zarr").toString();

    private static CollectionOptions options(Join join, String... paths) {
        return CollectionOptions.builder(paths).obsKeys("cell_type").join(join).build();
    }

    /** Every sample of store {@code s} of {@code plan}, dense. */
    private static List<Sample> samplesOf(CollectionPlan plan, int s) throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(plan)) {
            return c.getRange(plan.offset(s), plan.offset(s + 1), false);
        }
    }

    private static void assertProjected(CollectionPlan plan, int s, String path, List<String> space) throws Exception {
        StoreTruth truth = StoreTruth.read(java.nio.file.Path.of(path), "cell_type");
        List<Sample> samples = samplesOf(plan, s);
        assertThat(samples).hasSize(truth.rows.size());
        LabelEncoder enc = plan.encoders().get("cell_type");
        for (int r = 0; r < samples.size(); r++) {
            Sample got = samples.get(r);
            assertThat(got.layer("X").toDoubles()).as("%s row %d", path, r).containsExactly(truth.projected(r, space));
            Object label = truth.labels.get(r);
            assertThat(got.obs("cell_type")).as("%s row %d code", path, r)
                    .isEqualTo(label == Missing.MISSING ? Missing.MISSING : enc.code(label));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Join.class, names = {"INNER", "OUTER"})
    void joiningStoresAreProjectedOntoTheInitialGeneSpace(Join join) throws Exception {
        CollectionGrowth.Result start = CollectionGrowth.start(options(join, RICH), null);
        List<String> space = StoreTruth.read(java.nio.file.Path.of(RICH), "cell_type").vars;
        assertThat(start.plan().varJoint()).containsExactlyElementsOf(space);
        assertThat(start.droppedGenes()).containsExactly(0);

        CollectionGrowth.Result small = CollectionGrowth.extend(start.plan(), SMALL);
        CollectionGrowth.Result wide = CollectionGrowth.extend(small.plan(), WIDE);
        CollectionPlan plan = wide.plan();
        assertThat(plan.storeCount()).isEqualTo(3);
        assertThat(plan.options().paths()).containsExactly(RICH, SMALL, WIDE);
        assertThat(plan.varJoint()).as("the gene space never changes").containsExactlyElementsOf(space);
        assertThat(plan.offset(1)).as("earlier stores keep their global indices").isEqualTo(start.plan().size());
        assertThat(small.droppedGenes()).containsExactly(
                StoreTruth.read(java.nio.file.Path.of(SMALL), "cell_type").outside(space));
        long wideOutside = StoreTruth.read(java.nio.file.Path.of(WIDE), "cell_type").outside(space);
        assertThat(wideOutside).as("the wide store has genes outside the space").isGreaterThan(200);
        assertThat(wide.droppedGenes()).containsExactly(wideOutside);

        assertProjected(plan, 0, RICH, space);
        assertProjected(plan, 1, SMALL, space);
        assertProjected(plan, 2, WIDE, space);
    }

    @Test
    void vocabulariesOnlyAppend() throws Exception {
        CollectionPlan start = CollectionGrowth.start(options(Join.INNER, RICH), null).plan();
        Map<Object, Integer> before = start.encoders().get("cell_type").asMap();
        assertThat(before.keySet()).as("sorted, as in a static collection")
                .containsExactly("B cell", "DC_ü", "Mono", "NK", "T cell", "unused_cat");

        CollectionPlan grown = CollectionGrowth.extend(start, SMALL).plan();
        Map<Object, Integer> after = grown.encoders().get("cell_type").asMap();
        for (Map.Entry<Object, Integer> e : before.entrySet()) {
            assertThat(after.get(e.getKey())).as("code of %s", e.getKey()).isEqualTo(e.getValue());
        }
        // new labels take the next codes, in sorted order among themselves
        assertThat(after.get("alpha")).isEqualTo(before.size());
        assertThat(after.get("beta")).isEqualTo(before.size() + 1);
        assertThat(after.get("γ")).isEqualTo(before.size() + 2);
        assertThat(after).hasSize(before.size() + 3);

        // a store with no new label leaves the encoder as it is
        CollectionPlan again = CollectionGrowth.extend(grown, WIDE).plan();
        assertThat(again.encoders().get("cell_type")).isEqualTo(grown.encoders().get("cell_type"));

        // a static collection of the same stores sorts all labels by code point ("alpha" before
        // "unused_cat"), so an existing label's code would move
        try (AnnDataCollection c = AnnDataCollection.open(options(Join.INNER, RICH, SMALL))) {
            LabelEncoder sorted = c.encoders().get("cell_type");
            assertThat(sorted.code("unused_cat")).isNotEqualTo(after.get("unused_cat"));
            assertThat(sorted.code("unused_cat")).isGreaterThan(sorted.code("alpha"));
        }
    }

    @Test
    void anExplicitGeneListFixesTheSpace() throws Exception {
        List<String> genes = List.of("GENE3", "GENE0", "not-a-gene");
        CollectionGrowth.Result r = CollectionGrowth.start(options(Join.OUTER, RICH), genes);
        assertThat(r.plan().varJoint()).containsExactlyElementsOf(genes);
        assertThat(r.plan().nVars()).isEqualTo(3);
        assertThat(r.droppedGenes()).containsExactly(38);
        CollectionPlan plan = CollectionGrowth.extend(r.plan(), SMALL).plan();
        assertProjected(plan, 0, RICH, genes);
        assertProjected(plan, 1, SMALL, genes);
    }

    @Test
    void grownPlansTravelAsVersion2AndBack() throws Exception {
        CollectionPlan plan = CollectionGrowth.extend(CollectionGrowth.start(options(Join.INNER, SMALL), null).plan(),
                RICH).plan();
        // rich lacks none of small's genes, but its 28 other genes are unmapped in the outer form;
        // in the inner form small's 12 genes are all in rich: use the outer form to force a -1
        CollectionPlan outer = CollectionGrowth.extend(CollectionGrowth.start(options(Join.OUTER, SMALL), null).plan(),
                RICH).plan();
        byte[] bytes = CollectionPlanCodec.toBytes(outer, false);
        assertThat(ByteBuffer.wrap(bytes).getInt(4)).isEqualTo(CollectionPlanCodec.VERSION_UNMAPPED_VARS);
        CollectionPlan back = CollectionPlanCodec.fromBytes(bytes);
        assertThat(back.store(1).varIndices()).containsExactly(outer.store(1).varIndices());
        assertThat(back.encoders()).isEqualTo(outer.encoders());
        assertThat(samplesOf(back, 1).get(3).layer("X").toDoubles())
                .containsExactly(samplesOf(outer, 1).get(3).layer("X").toDoubles());
        // a plan without unmapped genes is still written as version 1
        assertThat(ByteBuffer.wrap(CollectionPlanCodec.toBytes(plan, false)).getInt(4)).isEqualTo(1);
    }

    @Test
    void refusesWhatCannotGrow() throws Exception {
        assertThatThrownBy(() -> CollectionGrowth.start(options(Join.NONE, RICH), null))
                .isInstanceOf(CollectionException.class).hasMessageContaining("needs join inner or outer");
        assertThatThrownBy(() -> CollectionGrowth.start(options(Join.INNER, RICH), List.of("a", "b", "a")))
                .isInstanceOf(CollectionException.class).hasMessageContaining("repeats 'a'");
        assertThatThrownBy(() -> CollectionGrowth.start(options(Join.INNER, RICH), List.of()))
                .isInstanceOf(CollectionException.class).hasMessageContaining("empty");
        CollectionPlan plan = CollectionGrowth.start(options(Join.INNER, RICH), null).plan();
        String csc = TestData.fixtures().resolve("h5ad/csc_x.h5ad").toString();
        assertThatThrownBy(() -> CollectionGrowth.extend(plan, csc)).isInstanceOf(CollectionException.class)
                .hasMessageContaining("csc_x.h5ad").hasMessageContaining("CSC");
        String missing = TestData.fixtures().resolve("h5ad/no_such_store.h5ad").toString();
        assertThatThrownBy(() -> CollectionGrowth.extend(plan, missing))
                .hasMessageContaining("no_such_store.h5ad");
    }

    @Test
    void encoderExtensionKeepsCodesAndPlacesTheUnknownLabelFirst() throws Exception {
        LabelEncoder e = LabelEncoder.build("k", new ArrayList<>(List.of("a", "c")), "unknown");
        LabelEncoder grown = e.extend(List.of("b", "c", "unknown", "z"), "unknown", List.of("s.h5ad"));
        assertThat(grown.asMap()).containsExactly(Map.entry("unknown", -1), Map.entry("a", 0), Map.entry("c", 1),
                Map.entry("b", 2), Map.entry("z", 3));
        assertThat(grown.unknownLabel()).isEqualTo("unknown");
        assertThat(e.extend(List.of("a"), "unknown", List.of("s.h5ad"))).isSameAs(e);
        // numbers: equal labels of other types are not new
        LabelEncoder ints = LabelEncoder.build("n", new ArrayList<>(List.of(1L, 2L)), null);
        assertThat(ints.extend(List.of(2.0, 3L), null, List.of("s.h5ad")).asMap())
                .containsExactly(Map.entry(1L, 0), Map.entry(2L, 1), Map.entry(3L, 2));
        assertThatThrownBy(() -> ints.extend(List.of("x"), null, List.of("s.h5ad")))
                .isInstanceOf(CollectionException.class).hasMessageContaining("cannot mix")
                .hasMessageContaining("s.h5ad");
    }
}
