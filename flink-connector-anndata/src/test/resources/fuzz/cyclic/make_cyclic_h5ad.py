"""Generates h5ad files whose HDF5 link graph or object references form cycles.

Run from this folder with the pinned toolchain (python/requirements.txt: anndata 0.12.19,
h5py 3.16):  python make_cyclic_h5ad.py

Each file starts as a small valid AnnData written by anndata, then h5py rewires it:

  soft_self.h5ad    X is a soft link to /X (resolving it never reaches an object).
  soft_pair.h5ad    layers/a -> /layers/b and layers/b -> /layers/a.
  hard_cycle.h5ad   hard links back up the tree: obsm/root -> / and layers/self -> /layers, so
                    layers/self/self/... and obsm -> root -> obsm -> ... never end; and an obs column
                    stored the anndata 0.7 way (codes dataset whose 'categories' attribute is an
                    object reference), so reading it walks the whole cyclic graph to index
                    object addresses.
  ref_cycle.h5ad    the 0.7-style column's 'categories' reference points at the codes dataset
                    itself, and the root group carries an attribute referencing the root.

The readers must reject or read each of them within bounded time and memory, never recurse
without end (FuzzGuardsTest).
"""
import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp


def base(path):
    obs = pd.DataFrame(index=[f"c{i}" for i in range(4)])
    var = pd.DataFrame(index=[f"g{j}" for j in range(3)])
    x = sp.csr_matrix(np.arange(12, dtype=np.float32).reshape(4, 3))
    a = ad.AnnData(X=x, obs=obs, var=var, layers={"dense": np.ones((4, 3), dtype=np.float32)})
    a.write_h5ad(path)


def legacy_categorical(f, categories_target=None):
    """An obs column as anndata 0.7 wrote categoricals: codes plus a referenced categories array."""
    obs = f["obs"]
    obs.create_dataset("__categories_cell_type", data=np.array([b"B", b"T"], dtype="S1"))
    codes = obs.create_dataset("cell_type", data=np.array([0, 1, 1, 0], dtype=np.int8))
    target = categories_target if categories_target is not None else obs["__categories_cell_type"]
    codes.attrs["categories"] = target.ref
    order = list(obs.attrs["column-order"]) + ["cell_type"]
    obs.attrs["column-order"] = np.array(order, dtype=object)


def main():
    base("soft_self.h5ad")
    with h5py.File("soft_self.h5ad", "r+") as f:
        del f["X"]
        f["X"] = h5py.SoftLink("/X")

    base("soft_pair.h5ad")
    with h5py.File("soft_pair.h5ad", "r+") as f:
        f["layers/a"] = h5py.SoftLink("/layers/b")
        f["layers/b"] = h5py.SoftLink("/layers/a")

    base("hard_cycle.h5ad")
    with h5py.File("hard_cycle.h5ad", "r+") as f:
        f["obsm"]["root"] = f["/"]
        f["layers"]["self"] = f["layers"]
        legacy_categorical(f)
        assert f["layers/self/self/self"].id == f["layers"].id

    base("ref_cycle.h5ad")
    with h5py.File("ref_cycle.h5ad", "r+") as f:
        legacy_categorical(f)
        codes = f["obs/cell_type"]
        codes.attrs["categories"] = codes.ref
        f.attrs["self"] = f.ref


if __name__ == "__main__":
    main()
