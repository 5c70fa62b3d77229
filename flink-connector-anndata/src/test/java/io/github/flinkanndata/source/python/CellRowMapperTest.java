package io.github.flinkanndata.source.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** From records to rows: float casts, both matrix forms, nulls, and labels of another type. */
class CellRowMapperTest {
    private static final String[] OBS = {"cell_type", "donor", "n", "ok", "score"};

    /** Sample 7, row 3 of store 1: X int64, counts sparse int32, obsm float64; obs as given. */
    private static CellRecord record(Object... obs) {
        MatrixRow x = MatrixRow.dense(DataType.INT64, new long[] {0, 5, 0, -2});
        MatrixRow counts = MatrixRow.sparse(DataType.INT32, 6, new int[] {1, 4}, new int[] {3, 9});
        MatrixRow emb = MatrixRow.dense(DataType.FLOAT64, new double[] {0.5, -1.25});
        return new CellRecord(2, new Sample(7, 1, 3, new String[] {"X", "counts"}, new MatrixRow[] {x, counts},
                new String[] {"emb"}, new MatrixRow[] {emb}, OBS, obs));
    }

    private static AnnDataSourceBuilder builder(OutputForm output) {
        return AnnDataSource.builder("a.h5ad", "b.zarr").layersKeys("X", "counts").obsmKeys("emb").obsKeys(OBS)
                .encodeLabels(List.of("cell_type")).output(output);
    }

    private static Row map(OutputForm output, Map<String, ObsFieldType> types, CellRecord r) {
        return new CellRowMapper(CellRowSchema.of(builder(output).build().settings(), types)).map(r);
    }

    private static final Map<String, ObsFieldType> TYPES = Map.of("n", ObsFieldType.DOUBLE, "ok",
            ObsFieldType.BOOLEAN, "score", ObsFieldType.DOUBLE);

    @Test
    void denseRowsCastEveryMatrixToFloat() {
        Row row = map(OutputForm.DENSE, TYPES, record(4, "d1", 3L, true, 0.25));
        assertThat(row.getArity()).isEqualTo(11);
        assertThat(row.getField(0)).isEqualTo(1);
        assertThat(row.getField(1)).isEqualTo(7L);
        assertThat(row.getField(2)).isEqualTo(2);
        assertThat((float[]) row.getField(3)).containsExactly(0f, 5f, 0f, -2f);
        assertThat((float[]) row.getField(4)).containsExactly(0f, 3f, 0f, 0f, 9f, 0f);
        assertThat((float[]) row.getField(5)).containsExactly(0.5f, -1.25f);
        assertThat(row.getField(6)).isEqualTo(4);
        assertThat(row.getField(7)).isEqualTo("d1");
        assertThat(row.getField(8)).isEqualTo(3.0); // a long label widens to a declared double
        assertThat(row.getField(9)).isEqualTo(true);
        assertThat(row.getField(10)).isEqualTo(0.25);
    }

    @Test
    void sparseRowsHoldIndicesValuesAndWidthOfEitherStoredForm() {
        Row row = map(OutputForm.SPARSE, TYPES, record(4, "d1", 3L, true, 0.25));
        Row x = (Row) row.getField(3);
        assertThat((int[]) x.getField(0)).containsExactly(1, 3);
        assertThat((float[]) x.getField(1)).containsExactly(5f, -2f);
        assertThat(x.getField(2)).isEqualTo(4);
        Row counts = (Row) row.getField(4);
        assertThat((int[]) counts.getField(0)).containsExactly(1, 4);
        assertThat((float[]) counts.getField(1)).containsExactly(3f, 9f);
        assertThat(counts.getField(2)).isEqualTo(6);
        assertThat((float[]) row.getField(5)).containsExactly(0.5f, -1.25f); // obsm stays dense
    }

    @Test
    void missingLabelsAndAbsentMatricesAreNull() {
        CellRecord r = new CellRecord(0, new Sample(0, 0, 0, new String[] {"X", "counts"},
                new MatrixRow[] {MatrixRow.dense(DataType.FLOAT32, new float[] {1f}), null},
                new String[] {"emb"}, new MatrixRow[] {null}, OBS,
                new Object[] {Missing.MISSING, Missing.MISSING, Missing.MISSING, Missing.MISSING, Missing.MISSING}));
        Row row = map(OutputForm.DENSE, TYPES, r);
        assertThat((float[]) row.getField(3)).containsExactly(1f);
        for (int i = 4; i < row.getArity(); i++) {
            assertThat(row.getField(i)).as("field %s", i).isNull();
        }
    }

    @Test
    void aLabelOfAnotherTypeNamesKeyStoreRowAndFittingType() {
        Map<String, ObsFieldType> types = Map.of("donor", ObsFieldType.LONG, "n", ObsFieldType.DOUBLE,
                "ok", ObsFieldType.BOOLEAN, "score", ObsFieldType.DOUBLE);
        assertThatThrownBy(() -> map(OutputForm.DENSE, types, record(4, "d1", 3L, true, 0.25)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("obs key 'donor' is declared long, but store b.zarr holds the label 'd1' at row 3, a"
                        + " String: declare its obs type string");
        assertThatThrownBy(() -> map(OutputForm.DENSE, TYPES, record(4, "d1", 3L, "yes", 0.25)))
                .hasMessageContaining("obs key 'ok' is declared boolean");
    }

    /** Store 1 holds patch rows of shape (2, 3) (int64) and a cube of shape (2, 1, 2), sparse. */
    private static CellRecord shaped() {
        MatrixRow patch = MatrixRow.dense(DataType.INT64, new long[] {1, 2, 3, 4, 5, 6}).withShape(new int[] {2, 3});
        MatrixRow cube = MatrixRow.sparse(DataType.FLOAT64, 4, new int[] {3}, new double[] {-0.5})
                .withShape(new int[] {2, 1, 2});
        return new CellRecord(0, new Sample(7, 1, 3, new String[0], new MatrixRow[0], new String[] {"patch", "cube"},
                new MatrixRow[] {patch, cube}, new String[0], new Object[0]));
    }

    private static Row mapShaped(Map<String, Integer> ndims) {
        AnnDataSourceBuilder b = AnnDataSource.builder("a.h5ad", "b.zarr").layersKeys().obsmKeys("patch", "cube");
        return new CellRowMapper(CellRowSchema.of(b.build().settings(), Map.of(), ndims)).map(shaped());
    }

    @Test
    void obsmRowsOfDeclaredEntriesOfMoreThanTwoDimensionsAreNestedFloatArrays() {
        Row row = mapShaped(Map.of("patch", 3, "cube", 4));
        assertThat(row.getArity()).isEqualTo(5);
        assertThat((float[][]) row.getField(3)).isDeepEqualTo(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertThat((float[][][]) row.getField(4)).isDeepEqualTo(new float[][][] {{{0, 0}}, {{0, -0.5f}}});
    }

    @Test
    void anObsmEntryOfAnotherNumberOfDimensionsFailsNamingTheOneToDeclare() {
        assertThatThrownBy(() -> mapShaped(Map.of("cube", 4))).isInstanceOf(IllegalStateException.class)
                .hasMessage("obsm key 'patch' is declared with 2 dimensions (the default: 1 or 2), but store b.zarr holds "
                        + "an entry of 3 (rows of shape [2, 3]): declare its obsm ndim 3");
        assertThatThrownBy(() -> mapShaped(Map.of("patch", 3, "cube", 3))).isInstanceOf(IllegalStateException.class)
                .hasMessage("obsm key 'cube' is declared with 3 dimensions, but store b.zarr holds an entry of 4 (rows of "
                        + "shape [2, 1, 2]): declare its obsm ndim 4");
    }
}
