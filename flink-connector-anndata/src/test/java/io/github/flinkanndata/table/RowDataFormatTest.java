package io.github.flinkanndata.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.source.output.CellFieldMapper.Kind;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.table.MappedColumn.ObsType;
import java.util.List;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

/** From records to rows: casts to FLOAT, sparse columns, NULLs, and labels of the wrong type. */
class RowDataFormatTest {
    private static final List<String> PATHS = List.of("/data/a.h5ad", "/data/b.zarr");

    /** Sample 7, row 3 of store 1: X int64 dense, layer bool, obsm float64; obs as given. */
    private static CellRecord record(String[] obsKeys, Object[] obs) {
        MatrixRow x = MatrixRow.dense(DataType.INT64, new long[] {0, 5, 0, -2});
        MatrixRow flags = MatrixRow.dense(DataType.BOOL, new boolean[] {true, false});
        MatrixRow emb = MatrixRow.dense(DataType.FLOAT64, new double[] {0.5, -1.25});
        MatrixRow counts = MatrixRow.sparse(DataType.INT32, 6, new int[] {1, 4}, new int[] {3, 9});
        return new CellRecord(2, new Sample(7, 1, 3, new String[] {"X", "flags", "counts"},
                new MatrixRow[] {x, flags, counts}, new String[] {"emb"}, new MatrixRow[] {emb}, obsKeys, obs));
    }

    private static RowData convert(CellRecord r, MappedColumn... columns) {
        return new RowDataFormat(List.of(columns), PATHS, null).map(r);
    }

    private static float[] floats(ArrayData a) {
        return a.toFloatArray();
    }

    @Test
    void metadataAndMatricesCastToFloat() {
        RowData row = convert(record(new String[0], new Object[0]),
                MappedColumn.metadata("epoch", Kind.EPOCH), MappedColumn.metadata("global_idx", Kind.GLOBAL_INDEX),
                MappedColumn.metadata("store_idx", Kind.STORE_INDEX), MappedColumn.matrix("X", "X", false),
                MappedColumn.matrix("flags", "flags", false), MappedColumn.matrix("counts", "counts", false),
                MappedColumn.obsm("obsm_emb", "emb"));
        assertThat(row.getInt(0)).isEqualTo(2);
        assertThat(row.getLong(1)).isEqualTo(7L);
        assertThat(row.getInt(2)).isEqualTo(1);
        assertThat(floats(row.getArray(3))).containsExactly(0f, 5f, 0f, -2f);
        assertThat(floats(row.getArray(4))).containsExactly(1f, 0f);
        assertThat(floats(row.getArray(5))).containsExactly(0f, 3f, 0f, 0f, 9f, 0f);
        assertThat(floats(row.getArray(6))).containsExactly(0.5f, -1.25f);
    }

    @Test
    void sparseColumnsHoldTheEntriesOfEitherForm() {
        RowData row = convert(record(new String[0], new Object[0]),
                MappedColumn.matrix("X", "X", true), MappedColumn.matrix("counts", "counts", true));
        RowData x = row.getRow(0, 2);
        assertThat(x.getArray(0).toIntArray()).containsExactly(1, 3);
        assertThat(floats(x.getArray(1))).containsExactly(5f, -2f);
        RowData counts = row.getRow(1, 2);
        assertThat(counts.getArray(0).toIntArray()).containsExactly(1, 4);
        assertThat(floats(counts.getArray(1))).containsExactly(3f, 9f);
    }

    @Test
    void labelsMissingLabelsAndAbsentKeys() {
        RowData row = convert(record(new String[] {"cell_type", "donor", "n", "ok", "score", "gone"},
                        new Object[] {4, "d1", 3L, true, Missing.MISSING, Missing.MISSING}),
                MappedColumn.obs("cell_type", ObsType.CODE), MappedColumn.obs("donor", ObsType.STRING),
                MappedColumn.obs("n", ObsType.DOUBLE), MappedColumn.obs("ok", ObsType.BOOLEAN),
                MappedColumn.obs("score", ObsType.DOUBLE), MappedColumn.obs("gone", ObsType.CODE),
                MappedColumn.obs("batch", ObsType.BIGINT), MappedColumn.matrix("raw_X", "raw.X", false),
                MappedColumn.obsm("obsm_pca", "pca"));
        assertThat(row.getInt(0)).isEqualTo(4);
        assertThat(row.getString(1)).isEqualTo(StringData.fromString("d1"));
        assertThat(row.getDouble(2)).isEqualTo(3.0); // an integer label widens into a DOUBLE column
        assertThat(row.getBoolean(3)).isTrue();
        for (int i = 4; i < 9; i++) { // missing labels; a key, a matrix and an obsm entry the store lacks
            assertThat(row.isNullAt(i)).as("field %d", i).isTrue();
        }
    }

    /** Sample 7 of store 1 with obsm rows of shape (2, 3) int64, (2, 1, 2) float32 sparse and (2). */
    private static CellRecord shaped() {
        MatrixRow patch = MatrixRow.dense(DataType.INT64, new long[] {1, 2, 3, 4, 5, 6}).withShape(new int[] {2, 3});
        MatrixRow cube = MatrixRow.sparse(DataType.FLOAT32, 4, new int[] {3}, new float[] {-0.5f})
                .withShape(new int[] {2, 1, 2});
        MatrixRow pca = MatrixRow.dense(DataType.FLOAT64, new double[] {0.5, -1.25});
        return new CellRecord(0, new Sample(7, 1, 3, new String[0], new MatrixRow[0],
                new String[] {"patch", "cube", "pca"}, new MatrixRow[] {patch, cube, pca}, new String[0], new Object[0]));
    }

    @Test
    void obsmRowsOfMoreThanOneDimensionAreNestedArrays() {
        RowData row = convert(shaped(), MappedColumn.obsm("obsm_patch", "patch", 2),
                MappedColumn.obsm("obsm_cube", "cube", 3), MappedColumn.obsm("obsm_pca", "pca", 1),
                MappedColumn.obsm("obsm_gone", "gone", 2));
        ArrayData patch = row.getArray(0);
        assertThat(patch.size()).isEqualTo(2);
        assertThat(floats(patch.getArray(0))).containsExactly(1f, 2f, 3f);
        assertThat(floats(patch.getArray(1))).containsExactly(4f, 5f, 6f);
        ArrayData cube = row.getArray(1);
        assertThat(cube.size()).isEqualTo(2);
        assertThat(cube.getArray(0).size()).isEqualTo(1);
        assertThat(floats(cube.getArray(0).getArray(0))).containsExactly(0f, 0f);
        assertThat(floats(cube.getArray(1).getArray(0))).containsExactly(0f, -0.5f);
        assertThat(floats(row.getArray(2))).containsExactly(0.5f, -1.25f);
        assertThat(row.isNullAt(3)).isTrue();
    }

    @Test
    void anObsmColumnOfAnotherDepthFailsNamingTheTypeToDeclare() {
        assertThatThrownBy(() -> convert(shaped(), MappedColumn.obsm("obsm_patch", "patch")))
                .isInstanceOf(TableException.class)
                .hasMessage("Column 'obsm_patch' of the anndata table is declared ARRAY<FLOAT>, but the obsm entry "
                        + "'patch' of store /data/b.zarr has rows of shape [2, 3] (an entry of 3 dimensions): declare "
                        + "the column ARRAY<ARRAY<FLOAT>>.");
        assertThatThrownBy(() -> convert(shaped(), MappedColumn.obsm("obsm_pca", "pca", 2)))
                .isInstanceOf(TableException.class)
                .hasMessage("Column 'obsm_pca' of the anndata table is declared ARRAY<ARRAY<FLOAT>>, but the obsm "
                        + "entry 'pca' of store /data/b.zarr has rows of shape [2]: declare the column ARRAY<FLOAT>.");
    }

    @Test
    void aLabelOfAnotherTypeFailsNamingColumnStoreAndRow() {
        CellRecord r = record(new String[] {"batch"}, new Object[] {"b1"});
        assertThatThrownBy(() -> convert(r, MappedColumn.obs("batch", ObsType.BIGINT)))
                .isInstanceOf(TableException.class)
                .hasMessage("Column 'batch' of the anndata table is declared BIGINT, but store /data/b.zarr holds "
                        + "the label 'b1' at row 3, a String: declare the column STRING.");
    }
}
