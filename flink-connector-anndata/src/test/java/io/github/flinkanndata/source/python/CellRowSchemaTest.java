package io.github.flinkanndata.source.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.AnnDataSourceBuilder;
import io.github.flinkanndata.source.config.OutputForm;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** Field names and types of the row source, derived from the options; declarations that cannot hold. */
class CellRowSchemaTest {
    private static AnnDataSourceBuilder builder() {
        return AnnDataSource.builder("a.h5ad", "b.zarr"); // no store is opened
    }

    private static RowTypeInfo type(AnnDataSourceBuilder b, Map<String, ObsFieldType> obsTypes) {
        return (RowTypeInfo) CellRowFormat.rows(b.build(), obsTypes).getProducedType();
    }

    @Test
    void denseRowsWithEveryKind() {
        RowTypeInfo t = type(builder().layersKeys("X", "raw.X").obsmKeys("pca").obsKeys("cell_type", "donor", "n")
                .encodeLabels(List.of("cell_type")).output(OutputForm.DENSE),
                Map.of("n", ObsFieldType.LONG));
        assertThat(t.getFieldNames()).containsExactly("store_idx", "global_idx", "epoch", "X", "raw_X", "obsm_pca",
                "cell_type", "donor", "n");
        assertThat(t.getTypeAt(0)).isEqualTo(BasicTypeInfo.INT_TYPE_INFO);
        assertThat(t.getTypeAt(1)).isEqualTo(BasicTypeInfo.LONG_TYPE_INFO);
        assertThat(t.getTypeAt(2)).isEqualTo(BasicTypeInfo.INT_TYPE_INFO);
        assertThat(t.getTypeAt(3)).isEqualTo(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        assertThat(t.getTypeAt(4)).isEqualTo(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        assertThat(t.getTypeAt(5)).isEqualTo(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        assertThat(t.getTypeAt(6)).isEqualTo(BasicTypeInfo.INT_TYPE_INFO);
        assertThat(t.getTypeAt(7)).isEqualTo(BasicTypeInfo.STRING_TYPE_INFO); // raw, undeclared
        assertThat(t.getTypeAt(8)).isEqualTo(BasicTypeInfo.LONG_TYPE_INFO);
    }

    @Test
    void sparseMatricesAreRowsOfIndicesValuesAndSize() {
        RowTypeInfo t = type(builder(), Map.of());
        assertThat(t.getFieldNames()).containsExactly("store_idx", "global_idx", "epoch", "X");
        RowTypeInfo x = (RowTypeInfo) (Object) t.getTypeAt(3);
        assertThat(x.getFieldNames()).containsExactly("indices", "values", "size");
        assertThat(x.getTypeAt(0)).isEqualTo(PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO);
        assertThat(x.getTypeAt(1)).isEqualTo(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        assertThat(x.getTypeAt(2)).isEqualTo(BasicTypeInfo.INT_TYPE_INFO);
    }

    @Test
    void obsmEntriesDeclaredWithMoreThanTwoDimensionsAreNestedArrays() {
        RowTypeInfo t = (RowTypeInfo) CellRowFormat.rows(builder().obsmKeys("patch", "cube", "pca", "flat").build(),
                Map.of(), Map.of("patch", 3, "cube", 4, "flat", 2)).getProducedType();
        assertThat(t.getFieldNames()).containsExactly("store_idx", "global_idx", "epoch", "X", "obsm_patch",
                "obsm_cube", "obsm_pca", "obsm_flat");
        assertThat(t.getTypeAt(4)).isEqualTo(ObjectArrayTypeInfo.getInfoFor(float[][].class,
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        assertThat(t.getTypeAt(5)).isEqualTo(ObjectArrayTypeInfo.getInfoFor(float[][][].class,
                ObjectArrayTypeInfo.getInfoFor(float[][].class, PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO)));
        assertThat(t.getTypeAt(5).getTypeClass()).isEqualTo(float[][][].class);
        assertThat(t.getTypeAt(6)).isEqualTo(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        assertThat(t.getTypeAt(7)).isEqualTo(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);

        assertThatThrownBy(() -> CellRowFormat.rows(builder().obsmKeys("patch").build(), Map.of(),
                Map.of("cube", 3))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("obsm ndim given for 'cube', which is not one of the obsm keys [patch]");
        assertThatThrownBy(() -> CellRowFormat.rows(builder().obsmKeys("patch").build(), Map.of(),
                Map.of("patch", 0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("obsm ndim of 'patch' must be 1 or more");
        assertThat(((RowTypeInfo) CellRowFormat.rowsSpelled(builder().obsmKeys("patch").obsKeys("n")
                .encodeLabels(false).build(), Map.of("n", "long"), Map.of("patch", 3)).getProducedType())
                .getTypeAt("obsm_patch").getTypeClass()).isEqualTo(float[][].class);
    }

    @Test
    void declaredTypesMustFitTheKeys() {
        assertThatThrownBy(() -> type(builder().obsKeys("cell_type"), Map.of("donor", ObsFieldType.STRING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("obs type given for 'donor', which is not one of the obs keys [cell_type]");
        assertThatThrownBy(() -> type(builder().obsKeys("cell_type"), Map.of("cell_type", ObsFieldType.DOUBLE)))
                .hasMessageStartingWith("obs key 'cell_type' is encoded, so its field is INT (the code), not DOUBLE");
        assertThatThrownBy(() -> type(builder().obsKeys("cell_type").encodeLabels(false),
                Map.of("cell_type", ObsFieldType.INT)))
                .hasMessageStartingWith("obs key 'cell_type' is not encoded, so it has no INT code");
        // an encoded key may be declared INT: it is
        assertThat(type(builder().obsKeys("cell_type"), Map.of("cell_type", ObsFieldType.INT)).getTypeAt(4))
                .isEqualTo(BasicTypeInfo.INT_TYPE_INFO);
    }

    @Test
    void fieldNamesMustBeDistinct() {
        assertThatThrownBy(() -> type(builder().obsKeys("epoch"), Map.of()))
                .hasMessage("two row fields would be named 'epoch': the metadata field and the obs key 'epoch'");
        assertThatThrownBy(() -> type(builder().layersKeys("raw.X", "raw_X"), Map.of()))
                .hasMessage("two row fields would be named 'raw_X': the matrix key 'raw.X' and the matrix key 'raw_X'");
        assertThatThrownBy(() -> type(builder().obsmKeys("pca").obsKeys("obsm_pca"), Map.of()))
                .hasMessage("two row fields would be named 'obsm_pca': the obsm key 'pca' and the obs key 'obsm_pca'");
    }

    @Test
    void typesAreSpelledInAnyCase() {
        AnnDataSource<Row> s = CellRowFormat.rowsSpelled(builder().obsKeys("n").encodeLabels(false).build(),
                Map.of("n", "Double"));
        assertThat(((RowTypeInfo) s.getProducedType()).getTypeAt(4)).isEqualTo(BasicTypeInfo.DOUBLE_TYPE_INFO);
        assertThatThrownBy(() -> CellRowFormat.rowsSpelled(builder().obsKeys("n").build(), Map.of("n", "text")))
                .hasMessage("obs type of 'n' must be one of int, string, long, double, boolean, was 'text'");
    }
}
