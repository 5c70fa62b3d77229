package io.github.flinkanndata.format.tree;

import java.util.Objects;

/**
 * An attribute value that points at another node: an HDF5 object reference, resolved by the
 * backend to the path of its target. anndata 0.7 stores a categorical column's categories this way
 * in h5ad files (zarr stores use a plain relative path string instead).
 */
public final class NodeRef {
    private final String path;

    public NodeRef(String path) {
        this.path = Objects.requireNonNull(path);
    }

    /** Absolute path of the target inside the store, without a leading slash. */
    public String path() {
        return path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeRef && ((NodeRef) o).path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return "NodeRef(" + path + ")";
    }
}
