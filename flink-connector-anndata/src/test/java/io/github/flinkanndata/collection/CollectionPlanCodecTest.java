package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.A1;
import static io.github.flinkanndata.collection.Fixtures.A2;
import static io.github.flinkanndata.collection.Fixtures.A3;
import static io.github.flinkanndata.collection.Fixtures.B;
import static io.github.flinkanndata.collection.Fixtures.E;
import static io.github.flinkanndata.collection.Fixtures.IC;
import static io.github.flinkanndata.collection.Fixtures.ICN;
import static io.github.flinkanndata.collection.Fixtures.ICNZ;
import static io.github.flinkanndata.collection.Fixtures.M;
import static io.github.flinkanndata.collection.Fixtures.N;
import static io.github.flinkanndata.collection.Fixtures.NZ;
import static io.github.flinkanndata.collection.Fixtures.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.tree.ContainerOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plans of the real reference stores survive {@link CollectionPlanCodec}, with and without kept
 * rows: the decoded plan equals the original field by field, re-encodes to the same bytes, and
 * gives exactly the original's samples through {@link SampleDecoder} and {@link
 * AnnDataCollection#open(CollectionPlan)}, which complete a plan without kept rows themselves.
 */
class CollectionPlanCodecTest {
    static final String M1 = "mixed_m1.h5ad";
    static final String M2 = "mixed_m2_v2.zarr";
    static final String M3 = "mixed_m3_v3_sharded.zarr";
    static final String NS = "nullable_str.h5ad";
    static final String N3 = "num_v3_sharded.zarr";

    static Stream<Arguments> combos() {
        Map<String, Object> unknownFeat2 = new LinkedHashMap<>();
        unknownFeat2.put("feat2", "A");
        return Stream.of(
                Arguments.of("default inner join that short-circuits", on(A1, A2)),
                Arguments.of("outer, layers and raw.X, obsm, filter, unknown map, float64",
                        on(A1, A2, A3).join(Join.OUTER).obsKeys("feat1", "feat2").unknownLabel(unknownFeat2)
                                .layersKeys("X", "layer1", "raw.X").obsmKeys("X_pca").obsFilter("feat2", "A", "B")
                                .dtype(OutputType.FLOAT64)),
                Arguments.of("outer unfiltered, one unknown label for every key",
                        on(A1, A2, A3).join(Join.OUTER).layersKeys("X", "layer1", "raw.X")
                                .obsKeys("feat1", "feat2").unknownLabel("A")),
                Arguments.of("outer, filter on MISSING or B",
                        on(A1, A3, A2).join(Join.OUTER).obsKeys("feat1").obsFilter("feat1", M, "B")),
                Arguments.of("join none, numeric stores, categorical filter with MISSING, sparse obsm",
                        on(N, NZ, N3).join(Join.NONE).obsKeys("num", "flt", "nint", "cat", "nbool")
                                .obsmKeys("sp").obsFilter("cat", M, "a")),
                Arguments.of("two filter keys (boolean and integer), integer encoder with unknown map",
                        on(N, NZ, N3).obsKeys("num", "nbool", "cat").obsFilter("nbool", true, M)
                                .obsFilter("num", 3).encodeLabels(List.of("num")).unknownLabel(Map.of("num", 1))),
                Arguments.of("mixed outer, cell_type filter with MISSING, unknown label, float32",
                        on(M1, M2, M3).join(Join.OUTER).layersKeys("X", "counts").obsmKeys("X_emb")
                                .obsKeys("cell_type", "donor", "score", "n_genes", "batch")
                                .obsFilter("cell_type", "T cell", "B cell", M).unknownLabel("T cell")
                                .dtype(OutputType.FLOAT32)),
                Arguments.of("mixed inner, nullable integer filter, encode one key with unknown map",
                        on(M1, M2, M3).join(Join.INNER).layersKeys("X", "counts")
                                .obsKeys("cell_type", "batch", "donor").obsFilter("batch", 0, 2)
                                .encodeLabels(List.of("cell_type")).unknownLabel(Map.of("cell_type", "NK"))),
                Arguments.of("mixed none, float filter, nothing encoded, flags and cache size",
                        on(M3, M1, M2).join(Join.NONE).obsKeys("score", "n_genes").obsFilter("score", 0.5, 1.25)
                                .encodeLabels(false).cacheCategories(false).parallel(true)
                                .containerOptions(ContainerOptions.defaults().withChunkCacheBytes(0))),
                Arguments.of("mixed none, string filter, int8 output",
                        on(M1, M2, M3).join(Join.NONE).obsKeys("donor", "cell_type").obsFilter("donor", "d1", "d3")
                                .dtype("int8").containerOptions(ContainerOptions.defaults().withChunkCacheBytes(12345))),
                Arguments.of("integer categories, filter with MISSING, numeric unknown label",
                        on(IC, ICN, ICNZ).obsKeys("ic", "f", "i", "b").obsFilter("ic", 20, M).unknownLabel(10)),
                Arguments.of("filter that empties stores, an empty store, outer join",
                        on(A1, E, B).join(Join.OUTER).obsKeys("feat1").obsFilter("feat1", "A")),
                Arguments.of("repeated obs and encode keys",
                        on(A1, A2).obsKeys("feat1", "feat2", "feat1").encodeLabels(List.of("feat2", "feat1", "feat2"))
                                .obsFilter("feat1", "A", "B")),
                Arguments.of("nullable strings, filter with MISSING",
                        on(NS, NS).obsKeys("s").obsFilter("s", "x", M).encodeLabels(false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combos")
    void decodedPlansGiveIdenticalSamples(String name, CollectionOptionsBuilder builder) throws Exception {
        try (AnnDataCollection original = AnnDataCollection.open(builder.build())) {
            assertRoundTrips(original);
        }
    }

    /** Every reference case our rule can open, round-tripped the same way. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.flinkanndata.collection.ReferenceConformanceTest#cases")
    void referenceCasesRoundTrip(ReferenceCase c) throws Exception {
        AnnDataCollection original;
        try {
            original = AnnDataCollection.open(c.builder().build());
        } catch (IllegalArgumentException | AnnDataFormatException e) {
            // nothing to round-trip; we may only refuse what lamindb refuses too (the conformance
            // test compares the errors themselves)
            assertThat(c.pythonFailed()).as("refused a case lamindb opens: %s", e.getMessage()).isTrue();
            return;
        }
        try (original) {
            assertRoundTrips(original);
        }
    }

    private static void assertRoundTrips(AnnDataCollection original) throws Exception {
        CollectionPlan plan = original.plan();
        List<Sample> dense = original.getRange(0, original.size(), false);
        List<Sample> sparse = original.getRange(0, original.size(), true);
        for (boolean withKeptRows : new boolean[] {true, false}) {
            byte[] bytes = CollectionPlanCodec.toBytes(plan, withKeptRows);
            CollectionPlan copy = CollectionPlanCodec.fromBytes(bytes);
            PlanAsserts.assertSamePlan(copy, plan, withKeptRows);
            // one canonical form: a decoded plan writes the same bytes again
            assertThat(CollectionPlanCodec.toBytes(copy, withKeptRows)).isEqualTo(bytes);
            assertThat(CollectionPlanCodec.toBytes(copy, false)).isEqualTo(CollectionPlanCodec.toBytes(plan, false));

            PlanAsserts.assertSameSamples(PlanAsserts.decodeAll(copy, false), dense);
            PlanAsserts.assertSameSamples(PlanAsserts.decodeAll(copy, true), sparse);
            try (AnnDataCollection reopened = AnnDataCollection.open(copy)) {
                assertThat(reopened.plan().isComplete()).isTrue();
                // element-wise: StandardComparisonStrategy compares the long[] deeply
                assertThat(reopened.indicesList()).containsExactlyElementsOf(original.indicesList());
                PlanAsserts.assertSameSamples(reopened.getRange(0, reopened.size(), false), dense);
                for (long g = 0; g < original.size(); g++) {
                    PlanAsserts.assertSameSamples(List.of(reopened.get(g)), List.of(dense.get((int) g)));
                }
            }
        }
    }

    @Test
    void aPlanWithoutKeptRowsKnowsTheCountsButNotTheRows() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(on(A1, A2, A3).join(Join.OUTER).obsKeys("feat1")
                .obsFilter("feat1", "B").build())) {
            CollectionPlan copy = CollectionPlanCodec.fromBytes(CollectionPlanCodec.toBytes(c.plan(), false));
            assertThat(copy.nObsList()).containsExactly(1, 1, 1);
            assertThat(copy.size()).isEqualTo(3);
            assertThat(copy.storeOf(2)).isEqualTo(2);
            assertThat(copy.store(1).isFiltered()).isTrue();
            assertThatThrownBy(() -> copy.store(1).row(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(A2).hasMessageContaining("completeStore");
            assertThatThrownBy(copy::indicesList).isInstanceOf(IllegalStateException.class);
            // such a plan cannot be written with rows it does not have
            assertThatThrownBy(() -> CollectionPlanCodec.toBytes(copy, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kept-row count");
            for (int s = 0; s < copy.storeCount(); s++) {
                try (AnnDataStore store = AnnDataStore.open(Fixtures.store(List.of(A1, A2, A3).get(s)))) {
                    StorePlan completed = CollectionPlanner.completeStore(copy, s, store);
                    assertThat(completed.keptRowArray()).isEqualTo(c.plan().store(s).keptRowArray());
                    assertThat(completed.isComplete()).isTrue();
                }
            }
        }
    }

    @Test
    void aStoreWhoseFilterKeepsOtherRowsIsRefusedAsChanged() throws Exception {
        // A1 keeps its row 0 (feat1 = A); A3, same shape, has no A: a store swapped after planning
        try (AnnDataCollection c = AnnDataCollection.open(on(A1, A2).obsKeys("feat1").obsFilter("feat1", "A").build());
                AnnDataStore swapped = AnnDataStore.open(Fixtures.store(A3))) {
            CollectionPlan copy = CollectionPlanCodec.fromBytes(CollectionPlanCodec.toBytes(c.plan(), false));
            String path = Fixtures.store(A1).toString();
            assertThatThrownBy(() -> CollectionPlanner.completeStore(copy, 0, swapped))
                    .isInstanceOf(CollectionException.class)
                    .hasMessageContaining("store changed since planning").hasMessageContaining(path)
                    .hasMessageContaining("keeps 0 rows, the plan has 1");
            assertThatThrownBy(() -> SampleDecoder.create(copy, 0, swapped))
                    .isInstanceOf(CollectionException.class).hasMessageContaining("store changed since planning");
        }
    }

    @Test
    void aStoreWithOtherRowCountIsRefusedAsChanged() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(on(A1, N).join(Join.NONE).obsFilter("num", 3).build());
                AnnDataStore swapped = AnnDataStore.open(Fixtures.store(A1))) {
            CollectionPlan copy = CollectionPlanCodec.fromBytes(CollectionPlanCodec.toBytes(c.plan(), false));
            assertThatThrownBy(() -> CollectionPlanner.completeStore(copy, 1, swapped))
                    .isInstanceOf(CollectionException.class).hasMessageContaining("store changed since planning")
                    .hasMessageContaining(Fixtures.store(N).toString());
        }
    }

    @Test
    void aCompletePlanIsReturnedAsItIs() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(on(A1, A2).obsFilter("feat1", "A").build());
                AnnDataStore store = AnnDataStore.open(Fixtures.store(A1))) {
            assertThat(CollectionPlanner.completeStore(c.plan(), 0, store)).isSameAs(c.plan().store(0));
        }
    }

    @Test
    void plansNestInlineInOtherBytes() throws Exception {
        try (AnnDataCollection a = AnnDataCollection.open(on(A1, A2).obsFilter("feat1", "A").build());
                AnnDataCollection b = AnnDataCollection.open(on(N).obsKeys("cat").build())) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF("before");
            CollectionPlanCodec.write(a.plan(), out, true);
            out.writeLong(42);
            CollectionPlanCodec.write(b.plan(), out, false);
            out.writeUTF("after");
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
            assertThat(in.readUTF()).isEqualTo("before");
            PlanAsserts.assertSamePlan(CollectionPlanCodec.read(in), a.plan(), true);
            assertThat(in.readLong()).isEqualTo(42);
            PlanAsserts.assertSamePlan(CollectionPlanCodec.read(in), b.plan(), false);
            assertThat(in.readUTF()).isEqualTo("after");
            assertThat(in.available()).isZero();
        }
    }

    @Test
    void stringsLongerThanWriteUtfAllowsRoundTrip() throws Exception {
        String longPath = "/data/" + "ä".repeat(40_000) + "/part.h5ad"; // > 64 KiB of UTF-8
        String gene = "GENE-\uD83E\uDDEC"; // a supplementary code point (DNA emoji)
        CollectionOptions o = CollectionOptions.builder(longPath).obsKeys(gene).build();
        StorePlan store = new StorePlan(longPath, 3, null, 1, null, new boolean[] {true}, new boolean[0],
                new boolean[] {true});
        LabelEncoder enc = LabelEncoder.build(gene, List.of(gene, "z"), null);
        CollectionPlan plan = new CollectionPlan(o, List.of(store), Join.NONE, List.of(gene), Map.of(gene, enc));
        CollectionPlan copy = CollectionPlanCodec.fromBytes(CollectionPlanCodec.toBytes(plan, true));
        PlanAsserts.assertSamePlan(copy, plan, true);
        assertThat(copy.store(0).path()).isEqualTo(longPath);
    }

    @Test
    void aStringWithAnUnpairedSurrogateIsRefusedNotAltered() {
        CollectionOptions o = CollectionOptions.builder("bad\uD800path.h5ad").build();
        StorePlan store = new StorePlan("bad\uD800path.h5ad", 1, null, 1, null, new boolean[] {true},
                new boolean[0], new boolean[0]);
        CollectionPlan plan = new CollectionPlan(o, List.of(store), Join.NONE, List.of("g"), Map.of());
        assertThatThrownBy(() -> CollectionPlanCodec.toBytes(plan, true))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("unpaired surrogate");
    }
}
