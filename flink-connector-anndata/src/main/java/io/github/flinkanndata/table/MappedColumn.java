package io.github.flinkanndata.table;

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
 */
@Internal
record MappedColumn(String name, Kind kind, @Nullable String key, @Nullable ObsType obsType, boolean sparse)
        implements Serializable {

    /** What a column holds. */
    enum Kind {
        /** {@code store_idx INT}: the store's position in the path list. */
        STORE_INDEX,
        /** {@code global_idx BIGINT}: the sample's index in the collection (lamindb's index). */
        GLOBAL_INDEX,
        /** {@code epoch INT}: the epoch the sample was drawn in. */
        EPOCH,
        /** A matrix row (X, raw.X, a layer), cast to FLOAT. */
        MATRIX,
        /** An obsm row, cast to FLOAT. */
        OBSM,
        /** An obs label. */
        OBS
    }

    /** The SQL type of an obs column. */
    enum ObsType {
        /** INT: the label's code (the key is encoded). */
        CODE,
        /** STRING: a string or categorical-of-strings label. */
        STRING,
        /** BIGINT: an integer label. */
        BIGINT,
        /** DOUBLE: a float label (integer labels widen). */
        DOUBLE,
        /** BOOLEAN: a boolean label. */
        BOOLEAN
    }

    static MappedColumn metadata(String name, Kind kind) {
        return new MappedColumn(name, kind, null, null, false);
    }

    static MappedColumn matrix(String name, String key, boolean sparse) {
        return new MappedColumn(name, Kind.MATRIX, key, null, sparse);
    }

    static MappedColumn obsm(String name, String key) {
        return new MappedColumn(name, Kind.OBSM, key, null, false);
    }

    static MappedColumn obs(String name, ObsType type) {
        return new MappedColumn(name, Kind.OBS, name, type, false);
    }
}
