package io.github.flinkanndata.format;

/** The encodings an obs or var column can have, each with its own notion of a missing value. */
public enum ColumnKind {
    /** Codes into declared categories; code -1 is missing. All layouts (0.2.0 group, 0.7, pre-0.7). */
    CATEGORICAL("categorical"),
    /** A plain string array. */
    STRING("string-array"),
    /** A plain numeric array; a float NaN is missing. */
    NUMERIC("array"),
    /** A plain boolean array. */
    BOOLEAN("array"),
    /** {@code values} + {@code mask}; masked entries are missing. */
    NULLABLE_INTEGER("nullable-integer"),
    NULLABLE_BOOLEAN("nullable-boolean"),
    NULLABLE_STRING("nullable-string-array");

    private final String encodingType;

    ColumnKind(String encodingType) {
        this.encodingType = encodingType;
    }

    /** The anndata {@code encoding-type} that stores this kind of column. */
    public String encodingType() {
        return encodingType;
    }
}
