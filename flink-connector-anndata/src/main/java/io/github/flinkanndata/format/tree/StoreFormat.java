package io.github.flinkanndata.format.tree;

/** The container kind of a store. */
public enum StoreFormat {
    /** An HDF5 file ({@code .h5ad}). */
    H5AD("h5ad"),
    /** A zarr store, v2 or v3, as a directory or a zip file. */
    ZARR("zarr");

    private final String id;

    StoreFormat(String id) {
        this.id = id;
    }

    /** The lower-case name used in JSON output and options. */
    public String id() {
        return id;
    }
}
