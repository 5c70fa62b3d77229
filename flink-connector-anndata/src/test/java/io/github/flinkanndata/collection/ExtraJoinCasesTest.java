package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.B;
import static io.github.flinkanndata.collection.Fixtures.BC;
import static io.github.flinkanndata.collection.Fixtures.DUP;
import static io.github.flinkanndata.collection.Fixtures.E;
import static io.github.flinkanndata.collection.Fixtures.IV;
import static io.github.flinkanndata.collection.Fixtures.N;
import static io.github.flinkanndata.collection.Fixtures.assertEncoder;
import static io.github.flinkanndata.collection.Fixtures.assertRow;
import static io.github.flinkanndata.collection.Fixtures.on;
import static io.github.flinkanndata.collection.Fixtures.open;
import static io.github.flinkanndata.collection.Fixtures.stores;
import static io.github.flinkanndata.collection.Fixtures.x;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.tree.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The extra cases of docs/semantics.md §15.4 about the variable join and empty stores (X-J, X-E). */
class ExtraJoinCasesTest {

    @Test
    void xJ1OuterJoinKeepsEachStoresType() throws Exception {
        try (AnnDataCollection c = open(on(N, B).join(Join.OUTER))) {
            assertThat(c.varJoint()).containsExactly("g0", "g1", "g2", "g3", "gX");
            assertThat(c.varIndices()).containsExactly(new int[] {3, 1, 2, 0}, new int[] {1, 4, 3});
            assertRow(x(c, 0), DataType.INT64, 3, 1, 2, 0, 0);
            assertRow(x(c, 1), DataType.INT64, 7, 5, 6, 4, 0);
            assertRow(x(c, 2), DataType.INT64, 11, 9, 10, 8, 0);
            assertRow(x(c, 3), DataType.FLOAT64, 0, 0.7, 0, 2.2, 0);
            assertRow(x(c, 4), DataType.FLOAT64, 0, 0, 0, 0, 0);
        }
    }

    @Test
    void xJ2OuterJoinCastToInt32Truncates() throws Exception {
        try (AnnDataCollection c = open(on(N, B).join(Join.OUTER).dtype(OutputType.INT32))) {
            assertRow(x(c, 0), DataType.INT32, 3, 1, 2, 0, 0);
            assertRow(x(c, 1), DataType.INT32, 7, 5, 6, 4, 0);
            assertRow(x(c, 2), DataType.INT32, 11, 9, 10, 8, 0);
            assertRow(x(c, 3), DataType.INT32, 0, 0, 0, 2, 0);
            assertRow(x(c, 4), DataType.INT32, 0, 0, 0, 0, 0);
        }
    }

    @Test
    void xJ3AndJ4InnerJoinFollowsTheFirstStore() throws Exception {
        try (AnnDataCollection c = open(on(N, B).join(Join.INNER))) {
            assertThat(c.varJoint()).containsExactly("g3", "g1");
            assertThat(c.varIndices()).containsExactly(new int[] {0, 1}, new int[] {2, 0});
            assertRow(x(c, 0), 0, 1);
            assertRow(x(c, 1), 4, 5);
            assertRow(x(c, 2), 8, 9);
            assertRow(x(c, 3), 2.2, 0.7);
            assertRow(x(c, 4), 0, 0);
        }
        try (AnnDataCollection c = open(on(B, N).join(Join.INNER))) {
            assertThat(c.varJoint()).containsExactly("g1", "g3");
            assertThat(c.varIndices()).containsExactly(new int[] {0, 2}, new int[] {1, 0});
            assertRow(x(c, 0), 0.7, 2.2);
            assertRow(x(c, 1), 0, 0);
            assertRow(x(c, 2), 1, 0);
            assertRow(x(c, 3), 5, 4);
            assertRow(x(c, 4), 9, 8);
        }
    }

    @Test
    void xJ5NoJoinReadsVarsLazily() throws Exception {
        try (AnnDataCollection c = open(on(N, B).join(Join.NONE))) {
            assertThat(c.shape()).isEqualTo(new Shape(5, null));
            assertThat(c.varJoint()).isNull();
            assertThat(c.originalShapes()).containsExactly(new Shape(3, null), new Shape(2, null));
            assertRow(x(c, 0), 0, 1, 2, 3);
            assertRow(x(c, 1), 4, 5, 6, 7);
            assertRow(x(c, 2), 8, 9, 10, 11);
            assertRow(x(c, 3), 0.7, 0, 2.2);
            assertRow(x(c, 4), 0, 0, 0);
            assertThat(c.checkVarsSorted(true)).isFalse();
            assertThat(c.originalShapes()).containsExactly(new Shape(3, 4L), new Shape(2, 3L));
            assertThat(c.checkVarsNonAligned(List.of("g1", "gX", "g3"))).containsExactly(0);
        }
    }

    @Test
    void xJ6SingleStoreShortCircuits() throws Exception {
        try (AnnDataCollection c = open(on(N).join(Join.OUTER))) {
            assertThat(c.effectiveJoin()).isEqualTo(Join.NONE);
            assertThat(c.varJoint()).containsExactly("g3", "g1", "g2", "g0");
            assertThat(c.shape()).isEqualTo(new Shape(3, 4L));
        }
    }

    @Test
    void xJ7OuterSortIsCodePointOrder() throws Exception {
        try (AnnDataCollection c = open(on(IV, BC).join(Join.OUTER))) {
            assertThat(c.varJoint()).containsExactly("1", "3", "B", "C");
            assertThat(c.varIndices()).containsExactly(new int[] {1, 0}, new int[] {2, 3});
        }
    }

    @Test
    void xJ8DisjointVars() throws Exception {
        assertThatThrownBy(() -> open(on(BC, IV).join(Join.INNER)))
                .isInstanceOf(CollectionException.class).hasMessageContaining("share no variables");
        try (AnnDataCollection c = open(on(BC, IV).join(Join.NONE))) {
            assertThat(c.checkVarsSorted(true)).isFalse();
            assertThat(c.checkVarsSorted(false)).isFalse();
            assertThat(c.checkVarsNonAligned(List.of("B", "C"))).containsExactly(1);
        }
    }

    @Test
    void xJ9DuplicateNamesAreFineWhenIdentical() throws Exception {
        try (AnnDataCollection c = open(on(DUP).join(Join.INNER))) {
            assertThat(c.effectiveJoin()).isEqualTo(Join.NONE);
            assertThat(c.varJoint()).containsExactly("A", "A", "B");
            assertRow(x(c, 0), 1, 1, 1);
        }
        try (AnnDataCollection c = open(on(DUP, DUP).join(Join.OUTER))) {
            assertThat(c.effectiveJoin()).isEqualTo(Join.NONE);
            assertThat(c.varJoint()).containsExactly("A", "A", "B");
            assertThat(c.shape()).isEqualTo(new Shape(2, 3L));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Join.class, names = {"INNER", "OUTER"})
    void xJ10DuplicateNamesFailAJoin(Join join) {
        assertThatThrownBy(() -> open(on(DUP, BC).join(join)))
                .isInstanceOf(CollectionException.class).hasMessageContaining("duplicate var name 'A'")
                .hasMessageContaining(DUP);
    }

    @Test
    void xJ11OuterFoldAndSortOnSyntheticLists() {
        assertThat(VarJoin.outerFold(List.of(List.of("B", "A"), List.of()))).containsExactly("B", "A");
        assertThat(VarJoin.outerFold(List.of(List.of(), List.of("B", "A")))).containsExactly("B", "A");
        assertThat(VarJoin.outerFold(List.of(List.of("MYC", "TCF7", "GATA1"), List.of("MYC", "TCF7", "GATA1"),
                List.of("A", "B", "C")))).containsExactly("A", "B", "C", "GATA1", "MYC", "TCF7");
        assertThat(VarJoin.outerFold(List.of(List.of("B", "A"), List.of("B", "A"), List.of("C"))))
                .containsExactly("A", "B", "C");
        assertThat(VarJoin.outerFold(List.of(List.of("B", "A"), List.of("A", "B")))).containsExactly("A", "B");
        assertThat(VarJoin.outerFold(List.of(List.of("a", "B"), List.of("A", "c", "b"))))
                .containsExactly("A", "B", "a", "b", "c");
        assertThat(VarJoin.outerFold(List.of(List.of("3", "1"), List.of("B", "C")))).containsExactly("1", "3", "B", "C");
    }

    @ParameterizedTest
    @EnumSource(Join.class)
    void sparseRowsDensifyToTheDenseRows(Join join) throws Exception {
        // N is dense (gather / scatter), B is CSR (inverse column map / column map)
        try (AnnDataCollection c = open(on(N, B).join(join).layersKeys("X").obsmKeys("sp"))) {
            List<Sample> dense = c.getRange(0, c.size());
            List<Sample> sparse = c.getRange(0, c.size(), true);
            for (int g = 0; g < dense.size(); g++) {
                MatrixRow s = sparse.get(g).layer("X");
                assertThat(s.isSparse()).isTrue();
                assertThat(s.type()).isEqualTo(dense.get(g).layer("X").type());
                assertThat(s.toDoubles()).isEqualTo(dense.get(g).layer("X").toDoubles());
                assertThat(s.indices()).isSorted();
            }
            // B's row 0 under each join: the stored non-zeros, at their output positions
            MatrixRow b0 = sparse.get(3).layer("X");
            int[] expected = join == Join.INNER ? new int[] {0, 1} : join == Join.OUTER ? new int[] {1, 3} : new int[] {0, 2};
            assertThat(b0.indices()).containsExactly(expected);
            assertThat(sparse.get(0).obsm("sp").indices()).containsExactly(1);
        }
    }

    @Test
    void xE1EmptyStoreContributesNothing() throws Exception {
        try (AnnDataCollection c = open(on(E, B))) {
            assertThat(c.size()).isEqualTo(2);
            assertThat(stores(c)).containsExactly(1, 1);
            Sample s = c.get(0);
            assertThat(s.keys()).containsExactly("_store_idx", "X");
            assertThat(s.storeIndex()).isEqualTo(1);
            assertRow(s.layer("X"), 0.7, 0, 2.2);
            assertThat(c.shape()).isEqualTo(new Shape(2, 3L));
        }
    }

    @Test
    void xE2EmptyStoreWithCategories() throws Exception {
        try (AnnDataCollection c = open(on(E, N).obsKeys("cat").join(Join.OUTER))) {
            assertThat(c.size()).isEqualTo(3);
            assertEncoder(c, "cat", "a", 0, "b", 1);
            assertThat(c.labelWeights(List.of("cat"), null)).containsExactly(1, 1, 1);
        }
    }
}
