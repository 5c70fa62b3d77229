package io.github.flinkanndata.examples.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-cell QC and normalisation on hand-made records. */
class CellFeaturesFunctionTest {
    private static final GeneCatalog GENES = new GeneCatalog(List.of("CD3E", "MT-ND1", "mt-Co1", "MTOR", "LYZ"), "MT-");

    private static CellRecord cell(MatrixRow row, Object label) {
        return new CellRecord(0, new Sample(7, 1, 3, new String[] {"counts"}, new MatrixRow[] {row},
                new String[0], new MatrixRow[0], new String[] {"cell_type"}, new Object[] {label}));
    }

    private static CellFeatures map(CellRecord r) {
        return new CellFeaturesFunction("counts", "cell_type", GENES, 10_000).map(r);
    }

    @Test
    void qcAndNormalisationOfASparseRowWithAnExplicitZero() {
        CellFeatures f = map(cell(MatrixRow.sparse(DataType.INT32, 5, new int[] {0, 1, 2, 4}, new int[] {6, 3, 0, 1}),
                "T cell"));
        assertThat(f.globalIndex).isEqualTo(7);
        assertThat(f.storeIndex).isEqualTo(1);
        assertThat(f.group).isEqualTo("T cell");
        assertThat(f.librarySize).isEqualTo(10);
        assertThat(f.genesDetected).as("the stored zero is not detected").isEqualTo(3);
        assertThat(f.mitoFraction).isCloseTo(0.3, within(1e-15)); // MT-ND1 3 (+ mt-Co1 0), not MTOR
        assertThat(f.indices).containsExactly(0, 1, 4);
        assertThat(f.values).containsExactly(Math.log1p(6000), Math.log1p(3000), Math.log1p(1000));
    }

    @Test
    void aDenseRowGivesTheSameFeatures() {
        CellFeatures f = map(cell(MatrixRow.dense(DataType.FLOAT32, new float[] {6, 3, 0, 0, 1}), "T cell"));
        assertThat(f.indices).containsExactly(0, 1, 4);
        assertThat(f.values).containsExactly(Math.log1p(6000), Math.log1p(3000), Math.log1p(1000));
        assertThat(f.mitoFraction).isCloseTo(0.3, within(1e-15));
    }

    @Test
    void aCellWithoutCountsHasNoMitoFractionAndAnEmptyRow() {
        CellFeatures f = map(cell(MatrixRow.sparse(DataType.INT32, 5, new int[0], new int[0]), Missing.MISSING));
        assertThat(f.librarySize).isZero();
        assertThat(f.genesDetected).isZero();
        assertThat(f.mitoFraction).isNull();
        assertThat(f.indices).isEmpty();
        assertThat(f.group).isEqualTo(CellFeatures.MISSING_GROUP);
        assertThat(CellFeatures.labelOf(f.group)).isNull();
    }

    @Test
    void withoutMitochondrialGenesThereIsNoMitoFraction() {
        GeneCatalog plain = new GeneCatalog(List.of("A", "B"), "MT-");
        CellFeatures f = new CellFeaturesFunction("counts", "cell_type", plain, 10_000)
                .map(cell(MatrixRow.dense(DataType.INT64, new long[] {2, 2}), null));
        assertThat(f.mitoFraction).isNull();
        assertThat(f.group).as("a store without the label column").isEqualTo(CellFeatures.MISSING_GROUP);
        assertThat(f.values).containsExactly(Math.log1p(5000), Math.log1p(5000));
    }

    @Test
    void scaledDataIsRefusedNamingTheCell() {
        assertThatThrownBy(() -> map(cell(MatrixRow.dense(DataType.FLOAT32, new float[] {1, -0.5f, 0, 0, 0}), "B")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a matrix of counts").hasMessageContaining("cell 7")
                .hasMessageContaining("MT-ND1").hasMessageContaining("--layer");
    }

    @Test
    void aMissingLayerOrAWrongWidthIsReported() {
        CellRecord other = new CellRecord(0, new Sample(7, 1, 3, new String[0], new MatrixRow[0],
                new String[0], new MatrixRow[0], new String[] {"cell_type"}, new Object[] {"B"}));
        assertThatThrownBy(() -> map(other)).hasMessageContaining("no matrix 'counts'");
        assertThatThrownBy(() -> map(cell(MatrixRow.dense(DataType.INT32, new int[] {1, 2}), "B")))
                .hasMessageContaining("has 2 genes");
    }
}
