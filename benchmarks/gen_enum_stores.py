"""Writes the collections of the enumeration benchmark with the real anndata writer.

OUT/c<C>/store_NNNN.{h5ad,zarr}: N small stores of C cells each, for every C given. Every other
store is zarr (v3), the rest h5ad, so planning opens both layouts. Each store has its own
gene subset (the outer join has work to do) and its own subset of 50 cell types (the merged
categories and the label encoder too). Stores of different C have the same genes and labels,
so their plans differ only in row counts: what the checkpoint-size check compares.

usage: python gen_enum_stores.py OUT --stores N --cells C [C ...] [--genes G]
"""
import argparse
import pathlib

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

N_TYPES = 50


def make_store(s, cells, genes, rng_seed):
    rng = np.random.default_rng(rng_seed)
    # 90% of a shared gene pool, a different 90% per store
    pool = np.array([f"g{g:05d}" for g in range(genes)])
    var = np.sort(rng.choice(pool, size=int(genes * 0.9), replace=False))
    types = rng.choice(N_TYPES, size=10, replace=False)
    x = sp.random(cells, len(var), density=0.05, format="csr", dtype=np.float32,
                  random_state=rng_seed, data_rvs=lambda n: rng.integers(1, 20, n))
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical([f"type_{t:02d}" for t in rng.choice(types, size=cells)]),
            "donor": pd.Categorical([f"donor_{s % 7}"] * cells),
        },
        index=[f"s{s}_c{i}" for i in range(cells)],
    )
    return ad.AnnData(X=x, obs=obs, var=pd.DataFrame(index=var))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--stores", type=int, default=1000)
    p.add_argument("--cells", type=int, nargs="+", default=[50, 500])
    p.add_argument("--genes", type=int, default=200)
    a = p.parse_args()
    for cells in a.cells:
        d = pathlib.Path(a.out) / f"c{cells}"
        d.mkdir(parents=True, exist_ok=True)
        for s in range(a.stores):
            adata = make_store(s, cells, a.genes, rng_seed=s)
            if s % 2:
                adata.write_zarr(d / f"store_{s:04d}.zarr")
            else:
                adata.write_h5ad(d / f"store_{s:04d}.h5ad")
        (d / ".done").touch()


if __name__ == "__main__":
    main()
