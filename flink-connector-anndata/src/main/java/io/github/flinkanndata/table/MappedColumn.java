package io.github.flinkanndata.table;

import io.github.flinkanndata.source.output.CellFieldMapper.Field;
import io.github.flinkanndata.source.output.CellFieldMapper.Kind;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * One physical column of an anndata table and the part of a {@code CellRecord} it shows.
 *
 * @param name the column name
 * @param kind what the column holds
 * @param key the collection key: a layers key ({@code X}, {@code raw.X}, a layer) for {@link
 *     Kind#MATRIX}, an obsm key (without the {@code obsm_} prefix) for {@link Kind#OBSM}, an obs
 *     key for {@link Kind#OBS}; null for the metadata kinds
 * @param obsType the SQL type of an obs column, null for every other kind
 * @param sparse for {@link Kind#MATRIX}: the column is {@code ROW<indices, values>} rather than
 *     {@code ARRAY<FLOAT>}
 * @param depth for {@link Kind#OBSM}: how deep the declared type nests arrays, which is the number
 *     of dimensions of the rows it takes: 1 ({@code ARRAY<FLOAT>}) for 1-D and 2-D entries, 2
 *     ({@code ARRAY<ARRAY<FLOAT>>}) for entries of shape {@code (n_obs, d1, d2)}, and so on; 0
 *     for every other kind
 */
@Internal
record MappedColumn(String name, Kind kind, @Nullable String key, @Nullable ObsType obsType, boolean sparse,
        int depth) implements Serializable {

    /** The SQL type of an obs column. */
    enum ObsType {
        /** INT: the label's code (the key is encoded). */
        CODE(Integer.class),
        /** STRING: a string or categorical-of-strings label. */
        STRING(String.class),
        /** BIGINT: an integer label. */
        BIGINT(Long.class),
        /** DOUBLE: a float label (integer labels widen). */
        DOUBLE(Double.class),
        /** BOOLEAN: a boolean label. */
        BOOLEAN(Boolean.class);

        /** The Java type of the column's labels, which {@code ObsLabels.fit} fits them to. */
        final Class<?> javaType;

        ObsType(Class<?> javaType) {
            this.javaType = javaType;
        }
    }

    /** The column as the per-cell mapping sees it. */
    Field field() {
        return new Field(name, kind, key, obsType == null ? null : obsType.javaType, sparse, depth);
    }

    static MappedColumn metadata(String name, Kind kind) {
        return new MappedColumn(name, kind, null, null, false, 0);
    }

    static MappedColumn matrix(String name, String key, boolean sparse) {
        return new MappedColumn(name, Kind.MATRIX, key, null, sparse, 0);
    }

    /** An {@code ARRAY<FLOAT>} obsm column: rows of 1-D and 2-D entries. */
    static MappedColumn obsm(String name, String key) {
        return obsm(name, key, 1);
    }

    /** An obsm column declared as {@code ARRAY<FLOAT>} nested {@code depth} times. */
    static MappedColumn obsm(String name, String key, int depth) {
        return new MappedColumn(name, Kind.OBSM, key, null, false, depth);
    }

    static MappedColumn obs(String name, ObsType type) {
        return new MappedColumn(name, Kind.OBS, name, type, false, 0);
    }
}
