"""Writes the stores of the format-read benchmark with the real anndata.

One CSR matrix (cells x genes, integer counts stored as float32, skewed gene popularity) in three
storage forms: h5ad gzip, h5ad uncompressed, zarr v3 sharded with zstd (anndata 0.13's default
layout; written explicitly because the pinned anndata is 0.12).

usage: python benchmarks/gen_format_stores.py OUTDIR [--cells N] [--genes G] [--nnz K]
"""
import argparse
import pathlib
import time

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp
import zarr


def make_matrix(cells: int, genes: int, nnz: int, seed: int = 7) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    # Zipf-like gene popularity: a few genes are in most cells, most genes are rare.
    popularity = 1.0 / np.arange(1, genes + 1) ** 0.8
    popularity /= popularity.sum()
    indptr = np.zeros(cells + 1, dtype=np.int64)
    indices = []
    for c in range(cells):
        k = max(1, int(rng.normal(nnz, nnz * 0.2)))
        k = min(k, genes)
        cols = np.unique(rng.choice(genes, size=k, replace=False, p=popularity))
        indices.append(cols)
        indptr[c + 1] = indptr[c] + len(cols)
    idx = np.concatenate(indices).astype(np.int32)
    data = rng.poisson(2.0, size=len(idx)).astype(np.float32) + 1
    return sp.csr_matrix((data, idx, indptr), shape=(cells, genes))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("outdir")
    p.add_argument("--cells", type=int, default=20000)
    p.add_argument("--genes", type=int, default=20000)
    p.add_argument("--nnz", type=int, default=1000)
    a = p.parse_args()
    out = pathlib.Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    t = time.time()
    x = make_matrix(a.cells, a.genes, a.nnz)
    obs = pd.DataFrame(
        {"cell_type": pd.Categorical(np.random.default_rng(1).integers(0, 50, a.cells).astype(str))},
        index=[f"c{i}" for i in range(a.cells)],
    )
    var = pd.DataFrame(index=[f"g{j}" for j in range(a.genes)])
    adata = ad.AnnData(X=x, obs=obs, var=var)
    print(f"matrix {a.cells}x{a.genes}, {x.nnz} non-zeros, built in {time.time() - t:.1f}s")

    adata.write_h5ad(out / "bench_gzip.h5ad", compression="gzip")
    adata.write_h5ad(out / "bench_none.h5ad")
    ad.settings.zarr_write_format = 3
    # ~4k cells' worth of non-zeros per shard, 64k-element inner chunks, zstd (anndata's default codec)
    shard = 1 << 22
    chunk = 1 << 16
    store = out / "bench_sharded.zarr"
    adata.write_zarr(store)
    g = zarr.open_group(store, mode="a")
    for part in ("data", "indices"):
        arr = g["X"][part][...]
        del g["X"][part]
        g["X"].create_array(part, data=arr, chunks=(chunk,), shards=(shard,),
                            compressors=zarr.codecs.ZstdCodec(level=0))
    zarr.consolidate_metadata(store)
    for f in sorted(out.iterdir()):
        size = sum(p.stat().st_size for p in f.rglob("*")) if f.is_dir() else f.stat().st_size
        print(f"{f.name}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
