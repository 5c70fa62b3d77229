package io.github.flinkanndata.format;

/** How a matrix element (X, a layer, raw/X, an obsm entry) is stored. */
public enum MatrixLayout {
    /** A dense array, 2-D (or 1-D for some obsm entries). */
    DENSE("dense"),
    /** Compressed sparse rows: {@code data}, {@code indices}, {@code indptr}. */
    CSR("csr"),
    /** Compressed sparse columns: detected and reported, never read row-wise. */
    CSC("csc"),
    /** A dataframe stored as an obsm entry: listed, but has no numeric rows. */
    DATAFRAME("dataframe");

    private final String id;

    MatrixLayout(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
