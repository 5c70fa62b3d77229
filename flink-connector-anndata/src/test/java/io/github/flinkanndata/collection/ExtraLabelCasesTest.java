package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.B;
import static io.github.flinkanndata.collection.Fixtures.IA;
import static io.github.flinkanndata.collection.Fixtures.IB;
import static io.github.flinkanndata.collection.Fixtures.IC;
import static io.github.flinkanndata.collection.Fixtures.ICN;
import static io.github.flinkanndata.collection.Fixtures.ICNZ;
import static io.github.flinkanndata.collection.Fixtures.L;
import static io.github.flinkanndata.collection.Fixtures.M;
import static io.github.flinkanndata.collection.Fixtures.N;
import static io.github.flinkanndata.collection.Fixtures.NZ;
import static io.github.flinkanndata.collection.Fixtures.assertEncoder;
import static io.github.flinkanndata.collection.Fixtures.assertLabels;
import static io.github.flinkanndata.collection.Fixtures.assertRow;
import static io.github.flinkanndata.collection.Fixtures.indices;
import static io.github.flinkanndata.collection.Fixtures.on;
import static io.github.flinkanndata.collection.Fixtures.open;
import static io.github.flinkanndata.collection.Fixtures.stores;
import static io.github.flinkanndata.collection.Fixtures.x;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.format.tree.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The extra cases of docs/semantics.md §15.4 about obs labels, encoders, filters and weights (X-N, X-F,
 * X-W, X-L, X-C), with the document's expectations (ours where Python differs, §14).
 */
class ExtraLabelCasesTest {
    private static final String[] N_KEYS = {"num", "flt", "nint", "cat", "nbool"};

    private static List<Object> column(AnnDataCollection c, String key) throws Exception {
        List<Object> out = new ArrayList<>();
        for (long g = 0; g < c.size(); g++) {
            out.add(c.get(g).obs(key));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, cache {1}")
    @CsvSource({"num.h5ad,true", "num.h5ad,false", "num.zarr,true", "num.zarr,false"})
    void xN1LabelsOfEveryColumnKind(String store, boolean cache) throws Exception {
        try (AnnDataCollection c = open(on(store).obsKeys(N_KEYS).encodeLabels(false).cacheCategories(cache))) {
            assertThat(c.encoders()).isEmpty();
            assertLabels(column(c, "num"), 3, 1, 3);
            assertLabels(column(c, "flt"), 0.5, M, 0.5);
            assertLabels(column(c, "nint"), 1, M, 2);
            assertLabels(column(c, "cat"), "b", "a", M);
            assertLabels(column(c, "nbool"), true, M, false);
            assertRow(x(c, 0), DataType.INT64, 0, 1, 2, 3);
            assertRow(x(c, 2), DataType.INT64, 8, 9, 10, 11);
            assertLabels(c.mergedLabels("num"), 3, 1, 3);
            assertLabels(c.mergedLabels("flt"), 0.5, M, 0.5);
            assertLabels(c.mergedLabels("nint"), 1, M, 2);
            assertLabels(c.mergedLabels("cat"), "b", "a", M);
            assertLabels(c.mergedLabels("nbool"), true, M, false);
            assertLabels(c.mergedCategories("num"), 1, 3);
            assertLabels(c.mergedCategories("flt"), 0.5);
            assertLabels(c.mergedCategories("nint"), 1, 2);
            assertLabels(c.mergedCategories("cat"), "a", "b");
            assertLabels(c.mergedCategories("nbool"), false, true);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {N, NZ})
    void xN2EncodersOfEveryColumnKind(String store) throws Exception {
        try (AnnDataCollection c = open(on(store).obsKeys(N_KEYS).obsmKeys("sp"))) {
            assertEncoder(c, "num", 1, 0, 3, 1);
            assertEncoder(c, "flt", 0.5, 0);
            assertEncoder(c, "nint", 1, 0, 2, 1);
            assertEncoder(c, "cat", "a", 0, "b", 1);
            assertEncoder(c, "nbool", false, 0, true, 1);
            assertThat(values(c.get(0))).containsExactly(1, 0, 0, 1, 1);
            assertThat(values(c.get(1))).containsExactly(0, M, M, 0, M);
            assertThat(values(c.get(2))).containsExactly(1, 0, 1, M, 0);
            assertRow(c.get(0).obsm("sp"), DataType.FLOAT64, 0, 1.5);
            assertRow(c.get(1).obsm("sp"), 2, 0);
            assertRow(c.get(2).obsm("sp"), 0, 0);
        }
    }

    private static List<Object> values(Sample s) {
        List<Object> out = new ArrayList<>();
        for (String k : s.obsKeys()) {
            out.add(s.obs(k));
        }
        return out;
    }

    @Test
    void xN3NullableEncodersHaveNoMissingEntry() throws Exception {
        try (AnnDataCollection c = open(on(N).obsKeys("num", "nint", "cat", "nbool"))) {
            assertEncoder(c, "nint", 1, 0, 2, 1);
            assertEncoder(c, "nbool", false, 0, true, 1);
            assertThat(values(c.get(0))).containsExactly(1, 0, 1, 1);
            assertThat(values(c.get(1))).containsExactly(0, M, 0, M);
            assertThat(values(c.get(2))).containsExactly(1, 1, M, 0);
        }
    }

    @Test
    void xN4NumericUnknownLabelAndFloat32() throws Exception {
        try (AnnDataCollection c = open(on(NZ).obsKeys("num").obsmKeys("sp").dtype("float32").unknownLabel(3))) {
            assertEncoder(c, "num", 3, -1, 1, 0);
            assertThat(column(c, "num")).containsExactly(-1, 0, -1);
            assertRow(x(c, 1), DataType.FLOAT32, 4, 5, 6, 7);
            assertRow(c.get(0).obsm("sp"), DataType.FLOAT32, 0, 1.5);
        }
    }

    @Test
    void xN5AndN6WeightClasses() throws Exception {
        try (AnnDataCollection c = open(on(N))) {
            assertThat(c.labelWeightsByClass(List.of("cat", "num"), null))
                    .containsExactly(Map.entry("b__3", 1.0), Map.entry("a__1", 1.0), Map.entry("nan__3", 1.0));
            assertThat(c.labelWeightsByClass(List.of("nint"), null))
                    .containsExactly(Map.entry("1", 1.0), Map.entry("nan", 1.0), Map.entry("2", 1.0));
            assertThat(c.labelWeights(List.of("num"), 2.0)).containsExactly(0.5, 2.0 / 3, 0.5);
        }
    }

    @Test
    void xF1FiltersOnNumbersStringsAndMissing() throws Exception {
        assertThat(filtered(N, "num", 3L)).containsExactly(0L, 2L);
        assertThat(filtered(N, "num", "3")).isEmpty();
        assertThat(filtered(N, "nint", M)).containsExactly(1L);
        assertThat(filtered(N, "cat", "b")).containsExactly(0L);
        try (AnnDataCollection c = open(on(N).obsFilter("num", 99))) {
            assertThat(indices(c)).isEmpty();
            assertThat(c.size()).isZero();
            assertThat(c.shape()).isEqualTo(new Shape(0, 4L));
            assertThat(c.originalShapes()).containsExactly(new Shape(0, 4L));
        }
    }

    private static List<Long> filtered(String store, String key, Object... values) throws Exception {
        try (AnnDataCollection c = open(on(store).obsFilter(key, values))) {
            return indices(c);
        }
    }

    @Test
    void xF2MissingAndLabelAcrossFormats() throws Exception {
        try (AnnDataCollection c = open(on(N, NZ).obsFilter("cat", M, "a"))) {
            assertThat(indices(c)).containsExactly(1L, 2L, 1L, 2L);
            assertThat(stores(c)).containsExactly(0, 0, 1, 1);
        }
    }

    @Test
    void xF3BooleanColumnMatchesTrueAndOne() throws Exception {
        assertThat(filtered(ICN, "b", true)).containsExactly(0L, 2L);
        assertThat(filtered(ICN, "b", 1)).containsExactly(0L, 2L);
    }

    @Test
    void xF4ToF6FilterKeyMissingInAStore() throws Exception {
        try (AnnDataCollection c = open(on(B, N).join(Join.OUTER).obsFilter("cat", "a"))) {
            assertThat(indices(c)).containsExactly(1L);
            assertThat(stores(c)).containsExactly(1);
        }
        try (AnnDataCollection c = open(on(B, N).join(Join.OUTER).obsFilter("cat", M))) {
            assertThat(indices(c)).containsExactly(2L);
            assertThat(stores(c)).containsExactly(1);
        }
        try (AnnDataCollection c = open(on(N, B).join(Join.OUTER).obsFilter("cat", M))) {
            assertThat(indices(c)).containsExactly(2L);
            assertThat(stores(c)).containsExactly(0);
        }
    }

    @Test
    void xW2WeightsStayAlignedWhenAStoreLacksTheKey() throws Exception {
        try (AnnDataCollection c = open(on(B, N).obsKeys("cat").join(Join.OUTER))) {
            assertLabels(c.mergedLabels("cat"), M, M, "b", "a", M);
            assertThat(c.labelWeights(List.of("cat"), null)).containsExactly(1.0 / 3, 1.0 / 3, 1, 1, 1.0 / 3);
        }
    }

    @Test
    void xW3IntAndFloatColumnsMerge() throws Exception {
        try (AnnDataCollection c = open(on(IA, IB).obsKeys("i"))) {
            assertThat(c.labelWeightsByClass(List.of("i"), null))
                    .containsExactly(Map.entry("3.0", 0.5), Map.entry("1.0", 1.0), Map.entry("2.5", 1.0));
            assertEncoder(c, "i", 1, 0, 2.5, 1, 3, 2);
            assertThat(column(c, "i")).containsExactly(2, 0, 2, 1);
        }
        try (AnnDataCollection c = open(on(IA, IB).obsFilter("i", 3))) {
            assertThat(indices(c)).containsExactly(0L, 0L);
            assertThat(stores(c)).containsExactly(0, 1);
        }
        assertThat(filtered(IA, "i", 1.0)).containsExactly(1L);
    }

    @Test
    void xW4ClassNamesRenderEachTypeLikePython() throws Exception {
        try (AnnDataCollection c = open(on(ICN))) {
            assertThat(c.labelWeightsByClass(List.of("f", "i", "b"), null)).containsExactly(
                    Map.entry("1.0__3__True", 1.0), Map.entry("3.0__1__False", 1.0), Map.entry("0.5__3__True", 1.0));
        }
    }

    @ParameterizedTest(name = "cache {0}")
    @ValueSource(booleans = {true, false})
    void xL1LegacyCodeMinusOneIsMissing(boolean cache) throws Exception {
        try (AnnDataCollection c = open(on(L).obsKeys("ct").cacheCategories(cache))) {
            assertEncoder(c, "ct", "B", 0, "T", 1);
            assertThat(column(c, "ct")).containsExactly(0, M, 1);
            assertLabels(c.mergedLabels("ct"), "B", M, "T");
            assertLabels(c.mergedCategories("ct"), "B", "T");
        }
        try (AnnDataCollection c = open(on(L).obsKeys("ct").encodeLabels(false).cacheCategories(cache))) {
            assertLabels(column(c, "ct"), "B", M, "T");
        }
    }

    @ParameterizedTest(name = "cache {0}")
    @ValueSource(booleans = {true, false})
    void xC1NumericCategories(boolean cache) throws Exception {
        try (AnnDataCollection c = open(on(IC).obsKeys("ic", "sc").cacheCategories(cache))) {
            assertEncoder(c, "ic", 10, 0, 20, 1);
            assertEncoder(c, "sc", "x", 0, "y", 1);
            assertThat(column(c, "ic")).containsExactly(1, 0, 1, 0);
            assertThat(column(c, "sc")).containsExactly(1, 0, 1, 0);
            assertLabels(c.mergedLabels("ic"), 20, 10, 20, 10);
        }
    }

    @Test
    void xC2AndC3NumericCategoriesOnUncachedPaths() throws Exception {
        assertThat(filtered(IC, "ic", 20)).containsExactly(0L, 2L);
        assertThat(filtered(IC, "sc", "x")).containsExactly(1L, 3L);
        try (AnnDataCollection c = open(on(IC))) {
            assertThat(c.labelWeights(List.of("ic"), null)).containsExactly(0.5, 0.5, 0.5, 0.5);
        }
        try (AnnDataCollection c = open(on(IC).obsKeys("ic"))) {
            assertThat(c.labelWeights(List.of("ic"), null)).containsExactly(0.5, 0.5, 0.5, 0.5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ICN, ICNZ})
    void xC4NumericCategoriesWithAMissingCode(String store) throws Exception {
        try (AnnDataCollection c = open(on(store).obsKeys("ic"))) {
            assertEncoder(c, "ic", 10, 0, 20, 1);
            assertThat(column(c, "ic")).containsExactly(1, M, 0);
            assertLabels(c.mergedLabels("ic"), 20, M, 10);
            assertThat(c.labelWeightsByClass(List.of("ic"), null))
                    .containsExactly(Map.entry("20", 1.0), Map.entry("nan", 1.0), Map.entry("10", 1.0));
        }
    }
}
