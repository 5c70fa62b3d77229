package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.A4;
import static io.github.flinkanndata.collection.Fixtures.N;
import static io.github.flinkanndata.collection.Fixtures.assertEncoder;
import static io.github.flinkanndata.collection.Fixtures.on;
import static io.github.flinkanndata.collection.Fixtures.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extra cases of docs/semantics.md §15.4 about keys, options and errors (X-K1 to X-K7). */
class ExtraKeyCasesTest {

    @Test
    void xK1AbsentKeysAreOmitted() throws Exception {
        try (AnnDataCollection c = open(on(N).obsmKeys("nope"))) {
            assertThat(c.get(0).keys()).containsExactly("_store_idx", "X");
        }
        try (AnnDataCollection c = open(on(N).layersKeys("nope"))) {
            assertThat(c.get(0).keys()).containsExactly("_store_idx");
            assertThat(c.get(0).asMap()).containsOnlyKeys("_store_idx");
        }
        try (AnnDataCollection c = open(on(N).layersKeys("raw.X", "X"))) {
            assertThat(c.get(0).keys()).containsExactly("_store_idx", "X");
        }
    }

    @Test
    void xK2UnknownLabelThatIsNoCategoryIsIgnored() throws Exception {
        try (AnnDataCollection c = open(on(N).unknownLabel("zzz").obsKeys("cat"))) {
            assertEncoder(c, "cat", "a", 0, "b", 1);
            assertThat(c.encoders().get("cat").unknownLabel()).isNull();
        }
    }

    @Test
    void xK3UnknownLabelKeyNotEncoded() {
        assertThatThrownBy(() -> on(N).obsKeys("cat", "num").encodeLabels(List.of("num"))
                .unknownLabel(Map.of("cat", "a")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown_label keys must be encoded obs keys");
    }

    @Test
    void xK4UnknownLabelMapWithoutObsKeysIsAccepted() throws Exception {
        CollectionOptions o = on(N).unknownLabel(Map.of("x", "y")).build();
        assertThat(o.encodeKeys()).isEmpty();
        try (AnnDataCollection c = AnnDataCollection.open(o)) {
            assertThat(c.encoders()).isEmpty();
        }
    }

    @Test
    void xK5EmptyEncodeListMeansFalse() throws Exception {
        CollectionOptions o = on(N).obsKeys("cat").encodeLabels(List.of()).build();
        assertThat(o.encodeKeys()).isEmpty();
        try (AnnDataCollection c = AnnDataCollection.open(o)) {
            assertThat(c.get(0).obs("cat")).isEqualTo("b");
        }
    }

    @Test
    void xK6Errors() throws Exception {
        assertThatThrownBy(() -> on(N).join("left").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("join must be inner, outer or none");
        try (AnnDataCollection c = open(on(N))) {
            assertThatThrownBy(() -> c.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(c.get(-1).row()).isEqualTo(2); // Python wraps negative indices
            assertThatThrownBy(() -> c.get(-4)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThatThrownBy(() -> CollectionOptions.builder(List.of()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        String nowhere = Fixtures.store("does-not-exist.h5ad").toString();
        assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder(nowhere).build()))
                .isInstanceOf(AnnDataFormatException.class).hasMessageContaining(nowhere);
    }

    @Test
    void xK7CscLayerOnlyMattersWhenRequested() throws Exception {
        try (AnnDataCollection c = open(on(A4).layersKeys("X"))) {
            assertThat(c.shape()).isEqualTo(new Shape(2, 3L));
        }
        assertThatThrownBy(() -> open(on(A4).layersKeys("X", "layer1")))
                .isInstanceOf(CollectionException.class).hasMessageContaining("layers/layer1")
                .hasMessageContaining("CSC");
    }

    @Test
    void aKeyInNoStoreHasNoCategoriesAndAnEmptyEncoder() throws Exception {
        // docs/semantics.md §8.4/§8.5 (observed): empty merged categories, empty encoder; §8.2: labels fail
        try (AnnDataCollection c = open(on(N).obsKeys("nope", "cat"))) {
            assertThat(c.encoders().get("nope").size()).isZero();
            assertThat(c.mergedCategories("nope")).isEmpty();
            assertThat(c.get(0).keys()).containsExactly("_store_idx", "X", "cat");
            assertThatThrownBy(() -> c.mergedLabels("nope")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("nope");
            assertThatThrownBy(() -> c.labelWeights(List.of("nope"), null)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aStoreWithoutXIsAnError() {
        // anndata 0.11 writes AnnData(shape=(10, 20)) without X; the row count comes from X (§3)
        String noX = io.github.flinkanndata.testutil.TestData.realStore("anndata-archives/v0.11.4/adata.h5ad").toString();
        assertThatThrownBy(() -> AnnDataCollection.open(CollectionOptions.builder(Fixtures.store(N).toString(), noX).build()))
                .isInstanceOf(CollectionException.class).hasMessageContaining(noX).hasMessageContaining("element 'X'")
                .hasMessageContaining("no X");
    }

    @Test
    void validationFollowsTheDocumentedOrder() {
        // join (step 1) is reported before encode_labels (step 4), which is reported before
        // unknown_label (step 5), which is reported before the empty path list
        assertThatThrownBy(() -> CollectionOptions.builder(List.of()).join("left").encodeLabels(List.of("k")).build())
                .hasMessageContaining("join");
        assertThatThrownBy(() -> CollectionOptions.builder(List.of()).encodeLabels(List.of("k"))
                .unknownLabel(Map.of("z", "a")).build()).hasMessageContaining("encode_labels");
        assertThatThrownBy(() -> CollectionOptions.builder(List.of()).obsKeys("k")
                .unknownLabel(Map.of("z", "a")).build()).hasMessageContaining("unknown_label");
        assertThatThrownBy(() -> CollectionOptions.builder(List.of("a")).dtype("float16").build())
                .hasMessageContaining("dtype must be one of float32, float64");
    }
}
