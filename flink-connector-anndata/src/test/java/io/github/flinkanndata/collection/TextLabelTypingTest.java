package io.github.flinkanndata.collection;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkanndata.testutil.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Labels written as text are typed by their column when the plan is made (docs/semantics.md D17),
 * and what matches nothing is reported (D18). The expected rows come from the same store read
 * without filter, compared by Java value: a filter on the text {@code 1} must select what a filter
 * on the string {@code "1"} (string column) or the number 1 (integer column) selects.
 */
class TextLabelTypingTest {
    // scanpy-style clustering labels: categories are the strings "1", "2"
    static final String LEIDEN = TestData.realStore("vitessce/anndata-0.10/anndata-dense.zarr").toString();
    // every obs encoding: cell_type (strings), i64 and i32 (integers), f64, flag (boolean), cat_int
    static final String RICH = TestData.fixtures().resolve("zarr2/rich_default.zarr").toString();

    static Object text(String v) {
        return LabelSpelling.parse(v);
    }

    static List<Object> column(String path, String key) throws Exception {
        List<Object> out = new ArrayList<>();
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(path)
                .obsKeys(key).encodeLabels(false).layersKeys(List.of()).build())) {
            for (long g = 0; g < c.size(); g++) {
                out.add(c.get(g).obs(key));
            }
        }
        return out;
    }

    static long count(List<Object> labels, Predicate<Object> p) {
        return labels.stream().filter(p).count();
    }

    static AnnDataCollection filtered(String path, String key, Object value) throws Exception {
        return AnnDataCollection.open(CollectionOptions.builder(path).obsKeys(key).encodeLabels(false)
                .layersKeys(List.of()).obsFilter(key, value).build());
    }

    @Test
    void aNumberWrittenAsTextSelectsTheStringCategoryOfAStringColumn() throws Exception {
        assertThat(text("1")).isInstanceOf(TextLabel.class);
        long expected = count(column(LEIDEN, "leiden"), "1"::equals);
        assertThat(expected).isPositive();
        try (AnnDataCollection c = filtered(LEIDEN, "leiden", text("1"))) {
            assertThat(c.size()).isEqualTo(expected);
            assertThat(c.get(0).obs("leiden")).isEqualTo("1");
            // the plan keeps the typed label, never the text form: a restored plan does not retype
            assertThat(c.plan().options().obsFilter().get("leiden")).containsExactly("1");
            assertThat(c.plan().warnings()).isEmpty();
            assertThat(CollectionPlanCodec.fromBytes(CollectionPlanCodec.toBytes(c.plan(), false))
                    .options().obsFilter().get("leiden")).containsExactly("1");
        }
    }

    @Test
    void theSameTextSelectsTheNumberOfANumericColumn() throws Exception {
        List<Object> i64 = column(RICH, "i64");
        Object some = i64.stream().filter(v -> v instanceof Long).findFirst().orElseThrow();
        long expected = count(i64, some::equals);
        try (AnnDataCollection c = filtered(RICH, "i64", text(String.valueOf(some)))) {
            assertThat(c.size()).isEqualTo(expected);
            assertThat(c.plan().options().obsFilter().get("i64")).containsExactly(some);
        }
        List<Object> flag = column(RICH, "flag");
        try (AnnDataCollection c = filtered(RICH, "flag", text("true"))) {
            assertThat(c.size()).isEqualTo(count(flag, Boolean.TRUE::equals)).isPositive();
        }
    }

    @Test
    void theStringPrefixStillForcesAString() throws Exception {
        try (AnnDataCollection c = filtered(LEIDEN, "leiden", text("s:1"))) {
            assertThat(c.size()).isEqualTo(count(column(LEIDEN, "leiden"), "1"::equals));
        }
        try (AnnDataCollection c = filtered(RICH, "i64", text("s:1"))) {
            assertThat(c.size()).isZero();
            assertThat(c.plan().warnings()).singleElement().asString().contains("'1'", "'i64'");
        }
    }

    @Test
    void anUnknownLabelWrittenAsTextEncodesTheStringCategory() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(LEIDEN)
                .obsKeys("leiden").layersKeys(List.of()).unknownLabel(text("1")).build())) {
            assertThat(c.plan().encoders().get("leiden").unknownLabel()).isEqualTo("1");
            List<Object> raw = column(LEIDEN, "leiden");
            for (long g = 0; g < c.size(); g++) {
                if ("1".equals(raw.get((int) g))) {
                    assertThat(c.get(g).obs("leiden")).isEqualTo(-1);
                } else {
                    assertThat(c.get(g).obs("leiden")).isNotEqualTo(-1);
                }
            }
            assertThat(c.plan().warnings()).isEmpty();
        }
    }

    @Test
    void valuesAndKeysThatMatchNothingAreReportedWithWhatExists() throws Exception {
        try (AnnDataCollection c = filtered(LEIDEN, "leiden", text("7"))) {
            assertThat(c.size()).isZero();
            assertThat(c.plan().warnings()).singleElement().asString()
                    .contains("'7'", "'leiden'", "'1'", "'2'");
        }
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(LEIDEN)
                .obsKeys("leidn").obsmKeys("X_umpa").layersKeys("X", "countz").build())) {
            assertThat(c.plan().warnings()).hasSize(3);
            assertThat(c.plan().warnings().get(0)).contains("obs key 'leidn'", "'leiden'");
            assertThat(c.plan().warnings().get(1)).contains("obsm key 'X_umpa'", "'X_umap'");
            assertThat(c.plan().warnings().get(2)).contains("layers key 'countz'");
            // as in lamindb, the samples simply lack what no store has
            assertThat(c.get(0).obsKeys()).isEmpty();
        }
        try (AnnDataCollection c = AnnDataCollection.open(CollectionOptions.builder(LEIDEN)
                .obsKeys("leiden").layersKeys(List.of()).unknownLabel("nope").build())) {
            assertThat(c.plan().warnings()).singleElement().asString().contains("'nope'", "'leiden'");
        }
    }
}
