package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.A1;
import static io.github.flinkanndata.collection.Fixtures.A2;
import static io.github.flinkanndata.collection.Fixtures.A3;
import static io.github.flinkanndata.collection.Fixtures.A4;
import static io.github.flinkanndata.collection.Fixtures.M;
import static io.github.flinkanndata.collection.Fixtures.assertEncoder;
import static io.github.flinkanndata.collection.Fixtures.assertLabels;
import static io.github.flinkanndata.collection.Fixtures.assertRow;
import static io.github.flinkanndata.collection.Fixtures.indices;
import static io.github.flinkanndata.collection.Fixtures.on;
import static io.github.flinkanndata.collection.Fixtures.open;
import static io.github.flinkanndata.collection.Fixtures.shape;
import static io.github.flinkanndata.collection.Fixtures.stores;
import static io.github.flinkanndata.collection.Fixtures.x;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkanndata.format.tree.DataType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cases of lamindb's {@code test_mapped} (docs/semantics.md §15.2, T1-T20), with their expected
 * values from the document, on C12 = [A1, A2], C123 = [A1, A2, A3] and C42 = [A4, A2].
 */
class MappedCollectionCasesTest {
    private static final double THIRD = 1.0 / 3;

    @Test
    void t1ConstructsFromThePathList() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2))) {
            assertThat(c.size()).isEqualTo(4);
        }
    }

    @Test
    void t2ValidationErrors() {
        assertThatThrownBy(() -> on(A1, A2).encodeLabels(List.of("feat1")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encode_labels");
        assertThatThrownBy(() -> on(A1, A2).obsKeys("feat1").encodeLabels(List.of("feat3")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encode_labels");
        assertThatThrownBy(() -> on(A1, A2).obsKeys("feat1").unknownLabel(Map.of("feat3", "Unknown")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown_label");
    }

    @Test
    void t3OneUnknownLabelForAllKeys() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).obsKeys("feat1", "feat2").unknownLabel("A"))) {
            assertEncoder(c, "feat1", "A", -1, "B", 0);
            assertEncoder(c, "feat2", "A", -1, "B", 0);
            assertThat(c.get(0).obs("feat1")).isEqualTo(-1);
            assertThat(c.get(1).obs("feat1")).isEqualTo(0);
            assertThat(c.get(0).obs("feat2")).isEqualTo(-1);
            assertThat(c.get(1).obs("feat2")).isEqualTo(0);
        }
    }

    @Test
    void t4UnknownLabelPerKey() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).obsKeys("feat1", "feat2").unknownLabel(Map.of("feat1", "A")))) {
            assertEncoder(c, "feat1", "A", -1, "B", 0);
            assertEncoder(c, "feat2", "A", 0, "B", 1);
            assertThat(List.of(c.get(0).obs("feat1"), c.get(1).obs("feat1"))).containsExactly(-1, 0);
            assertThat(List.of(c.get(0).obs("feat2"), c.get(1).obs("feat2"))).containsExactly(0, 1);
        }
    }

    @Test
    void t5EncodeOnlyListedKeys() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).obsKeys("feat1", "feat2").unknownLabel("A")
                .encodeLabels(List.of("feat1")))) {
            assertEncoder(c, "feat1", "A", -1, "B", 0);
            assertThat(c.encoders()).doesNotContainKey("feat2");
            assertThat(c.get(0).obs("feat1")).isEqualTo(-1);
            assertThat(c.get(1).obs("feat1")).isEqualTo(0);
            assertThat(c.get(0).obs("feat2")).isEqualTo("A");
            assertThat(c.get(1).obs("feat2")).isEqualTo("B");
        }
    }

    @Test
    void t6BasicsWeightsAndVarHelpers() throws Exception {
        AnnDataCollection c = open(on(A1, A2).obsKeys("feat1"));
        assertThat(c.isClosed()).isFalse();
        assertThat(c.size()).isEqualTo(4);
        assertThat(c.get(0).keys()).containsExactly("_store_idx", "X", "feat1");
        assertThat(c.get(2).keys()).hasSize(3);
        assertThat(x(c, 0).width()).isEqualTo(3);
        assertRow(x(c, 2), 1, 2, 5);
        assertThat(c.labelWeights(List.of("feat1"), null)).containsExactly(0.5, 0.5, 0.5, 0.5);
        assertThat(c.labelWeights(List.of("feat1", "feat2"), null)).containsExactly(0.5, 0.5, 0.5, 0.5);
        assertThat(c.labelWeights(List.of("feat1", "feat2"), 1.0)).containsExactly(THIRD, THIRD, THIRD, THIRD);
        assertThat(c.labelWeightsByClass(List.of("feat1", "feat2"), 1.0))
                .containsExactly(Map.entry("A__A", THIRD), Map.entry("B__B", THIRD));
        for (int repeat = 0; repeat < 2; repeat++) {
            assertThat(c.checkVarsSorted(true)).isFalse();
            assertThat(c.checkVarsSorted(false)).isFalse();
            assertThat(c.checkVarsNonAligned(List.of("MYC", "TCF7", "GATA1"))).isEmpty();
        }
        assertThat(c.effectiveJoin()).isEqualTo(Join.NONE);
        assertThat(c.varIndices()).isNull();
        assertThat(c.shape()).isEqualTo(shape(4, 3L));
        c.close();
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void t7TryWithResourcesAndFloat32() throws Exception {
        AnnDataCollection outer;
        try (AnnDataCollection c = open(on(A1, A2).obsKeys("feat1").join(Join.INNER).dtype(OutputType.FLOAT32))) {
            outer = c;
            assertThat(c.isClosed()).isFalse();
            assertThat(c.size()).isEqualTo(4);
            assertThat(c.get(0).keys()).hasSize(3);
            assertThat(x(c, 0).type()).isEqualTo(DataType.FLOAT32);
            assertThat(x(c, 0).dense()).isInstanceOf(float[].class);
            assertThat(x(c, 2).type()).isEqualTo(DataType.FLOAT32);
        }
        assertThat(outer.isClosed()).isTrue();
    }

    @Test
    void t8ParallelChangesNothing() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).obsKeys("feat1").parallel(true))) {
            assertThat(c.get(0).keys()).hasSize(3);
            assertThat(c.get(0).storeIndex()).isZero();
            assertThat(c.get(2).storeIndex()).isEqualTo(1);
            assertThat(c.get(2).asMap()).containsEntry("_store_idx", 1);
        }
    }

    @Test
    void t9LayersAndObsm() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).layersKeys("layer1").obsmKeys("X_pca").obsKeys("feat1"))) {
            assertRow(c.get(0).layer("layer1"), 0, 2, 3);
            assertRow(c.get(2).layer("layer1"), 1, 2, 5);
            assertRow(c.get(2).obsm("X_pca"), 1, 2);
            assertRow(c.get(3).obsm("X_pca"), 3, 4);
            assertThat(c.shape()).isEqualTo(shape(4, 3L));
            assertThat(c.originalShapes()).containsExactly(shape(2, 3L), shape(2, 3L));
        }
    }

    @Test
    void t10MissingKeysAreOmitted() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).obsKeys("feat1", "feat_missing")
                .obsmKeys("X_pca", "X_missing").layersKeys("X", "raw.X"))) {
            assertThat(c.size()).isEqualTo(4);
            Sample s0 = c.get(0);
            assertThat(s0.layer("X").width()).isEqualTo(3);
            assertRow(s0.layer("raw.X"), 8, 9, 10, 11);
            assertThat(s0.keys()).contains("feat1", "obsm_X_pca").doesNotContain("feat_missing", "obsm_X_missing");
            assertThat(c.get(2).keys()).doesNotContain("raw.X");
        }
    }

    @Test
    void t11AndT12Defaults() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2))) {
            assertThat(c.shape()).isEqualTo(shape(4, 3L));
        }
        try (AnnDataCollection c = open(on(A1, A2).obsKeys("feat1"))) {
            assertThat(c.get(0).keys()).hasSize(3);
        }
    }

    @Test
    void t13InnerJoinWithoutSharedVars() {
        assertThatThrownBy(() -> open(on(A1, A2, A3).obsKeys("feat1").join(Join.INNER)))
                .isInstanceOf(CollectionException.class)
                .hasMessageContaining("share no variables").hasMessageContaining("outer");
    }

    @Test
    void t14OuterJoin() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2, A3).layersKeys("X").obsmKeys("X_pca").obsKeys("feat1")
                .join(Join.OUTER))) {
            assertThat(c.shape()).isEqualTo(shape(6, 6L));
            assertThat(c.effectiveJoin()).isEqualTo(Join.OUTER);
            assertThat(c.varJoint()).containsExactly("A", "B", "C", "GATA1", "MYC", "TCF7");
            assertThat(c.get(0).keys()).hasSize(4);
            assertRow(x(c, 0), 0, 0, 0, 3, 1, 2);
            assertRow(x(c, 1), 0, 0, 0, 6, 4, 5);
            assertRow(x(c, 2), 0, 0, 0, 5, 1, 2);
            assertRow(x(c, 3), 0, 0, 0, 8, 4, 5);
            assertRow(x(c, 4), 1, 2, 5, 0, 0, 0);
            assertRow(x(c, 5), 4, 5, 8, 0, 0, 0);
            assertThat(c.get(4).obs("feat1")).isSameAs(M);
            assertThat(x(c, 2).type().isInteger()).isTrue();
            assertThat(x(c, 4).type().isInteger()).isTrue();
            assertRow(c.get(3).obsm("X_pca"), 3, 4);
            assertThat(c.checkVarsNonAligned(List.of("MYC", "TCF7", "GATA1"))).containsExactly(2);
            assertThat(c.checkVarsSorted(true)).isFalse();
            assertThat(c.varIndices()).containsExactly(new int[] {4, 5, 3}, new int[] {4, 5, 3}, new int[] {0, 1, 2});
            assertEncoder(c, "feat1", "A", 0, "B", 1);
            List<Object> codes = new java.util.ArrayList<>();
            for (long g = 0; g < 6; g++) {
                codes.add(c.get(g).obs("feat1"));
            }
            assertThat(codes).containsExactly(0, 1, 0, 1, M, 1);
            assertLabels(c.mergedLabels("feat1"), "A", "B", "A", "B", M, "B");
            double[] w = c.labelWeights(List.of("feat1"), null);
            assertThat(w).hasSize(6);
            assertThat(w).containsExactly(new double[] {0.5, THIRD, 0.5, THIRD, 1.0, THIRD}, within(0.0));
        }
    }

    @Test
    void t15OuterJoinOfALayer() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2, A3).layersKeys("layer1").join(Join.OUTER))) {
            assertRow(c.get(0).layer("layer1"), 0, 0, 0, 3, 0, 2);
            assertRow(c.get(4).layer("layer1"), 1, 2, 5, 0, 0, 0);
        }
    }

    @Test
    void t16CscLayerIsRejected() {
        assertThatThrownBy(() -> open(on(A4, A2).layersKeys("layer1")))
                .isInstanceOf(CollectionException.class)
                .hasMessageContaining("layers/layer1").hasMessageContaining(A4).hasMessageContaining("CSC");
    }

    @Test
    void t17FilterKeepingEverything() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).obsFilter("feat1", "A", "B"))) {
            assertThat(c.shape()).isEqualTo(shape(4, 3L));
            assertRow(x(c, 1), 4, 5, 6);
            assertRow(x(c, 3), 4, 5, 8);
            assertThat(c.labelWeights(List.of("feat1"), null)).containsExactly(0.5, 0.5, 0.5, 0.5);
            assertThat(indices(c)).containsExactly(0L, 1L, 0L, 1L);
            assertThat(stores(c)).containsExactly(0, 0, 1, 1);
            assertThat(c.originalShapes()).containsExactly(shape(2, 3L), shape(2, 3L));
        }
    }

    @Test
    void t18FilterOneValue() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).obsFilter("feat1", "B"))) {
            assertThat(c.shape()).isEqualTo(shape(2, 3L));
            assertRow(x(c, 0), 4, 5, 6);
            assertRow(x(c, 1), 4, 5, 8);
            assertThat(c.labelWeights(List.of("feat2"), null)).containsExactly(0.5, 0.5);
            assertThat(indices(c)).containsExactly(1L, 1L);
            assertThat(stores(c)).containsExactly(0, 1);
            assertThat(c.originalShapes()).containsExactly(shape(1, 3L), shape(1, 3L));
        }
    }

    @Test
    void t19FilterTwoKeys() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2).obsFilter("feat1", "B").obsFilter("feat2", "A", "B"))) {
            assertThat(c.shape()).isEqualTo(shape(2, 3L));
            assertThat(c.originalShapes()).containsExactly(shape(1, 3L), shape(1, 3L));
            assertRow(x(c, 0), 4, 5, 6);
            assertRow(x(c, 1), 4, 5, 8);
            assertThat(c.labelWeights(List.of("feat2"), null)).containsExactly(0.5, 0.5);
        }
    }

    @Test
    void t20FiltersSelectingMissing() throws Exception {
        try (AnnDataCollection c = open(on(A1, A2, A3).join(Join.OUTER).obsFilter("feat1", M))) {
            assertThat(c.shape()).isEqualTo(shape(1, 6L));
            assertRow(x(c, 0), 1, 2, 5, 0, 0, 0);
            assertThat(indices(c)).containsExactly(0L);
            assertThat(stores(c)).containsExactly(2);
        }
        try (AnnDataCollection c = open(on(A1, A2, A3).join(Join.OUTER).obsFilter("feat1", M)
                .obsFilter("feat2", "A", "B"))) {
            assertThat(c.shape()).isEqualTo(shape(1, 6L));
            assertThat(indices(c)).containsExactly(0L);
            assertThat(stores(c)).containsExactly(2);
        }
        try (AnnDataCollection c = open(on(A1, A2, A3).join(Join.OUTER).obsFilter("feat1", M, "A", "B"))) {
            assertThat(c.shape()).isEqualTo(shape(6, 6L));
            assertThat(indices(c)).containsExactly(0L, 1L, 0L, 1L, 0L, 1L);
            assertThat(stores(c)).containsExactly(0, 0, 1, 1, 2, 2);
        }
        try (AnnDataCollection c = open(on(A1, A2, A3).join(Join.OUTER).obsFilter("feat1", "A", "B"))) {
            assertThat(c.shape()).isEqualTo(shape(5, 6L));
            assertThat(indices(c)).containsExactly(0L, 1L, 0L, 1L, 1L);
            assertThat(stores(c)).containsExactly(0, 0, 1, 1, 2);
        }
        try (AnnDataCollection c = open(on(A1, A2, A3).join(Join.OUTER).obsFilter("feat1", "A", M))) {
            assertThat(c.shape()).isEqualTo(shape(3, 6L));
            assertThat(indices(c)).containsExactly(0L, 0L, 0L);
            assertThat(stores(c)).containsExactly(0, 1, 2);
        }
    }
}
