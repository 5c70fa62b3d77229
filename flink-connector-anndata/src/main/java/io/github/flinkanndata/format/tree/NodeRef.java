package io.github.flinkanndata.format.tree;

import java.util.Objects;

/**
 * An attribute value that points at another node: an HDF5 object reference, resolved by the
 * backend to the path of its target. anndata 0.7 stores a categorical column's categories this way
 * in h5ad files (zarr stores use a plain relative path string instead).
 *
 * @param path absolute path of the target inside the store, without a leading slash
 */
public record NodeRef(String path) {
    public NodeRef {
        Objects.requireNonNull(path);
    }

    @Override
    public String toString() {
        return "NodeRef(" + path + ")";
    }
}
