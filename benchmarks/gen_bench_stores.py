"""Writes the synthetic collection of the side-by-side benchmark with the real writers.

N stores x C cells x G genes, ~K non-zeros per cell drawn with Zipf-like gene popularity,
integer counts stored as float32 CSR; obs: cell_type (50 categories, a different subset per
store), donor, batch; the same var in every store. Four storage forms of the same cells:

  h5ad_none/    anndata.write_h5ad, uncompressed
  h5ad_gzip/    anndata.write_h5ad(compression="gzip")
  zarr_zstd/    anndata.write_zarr (v3), X/data and X/indices rewritten by zarr-python 3 as
                sharded arrays with zstd: anndata 0.13's default layout (anndata 0.12 is pinned)
  annbatch/     annbatch.DatasetCollection.add_adatas (annbatch's own writer): pre-shuffled,
                sharded zarr, blosc-lz4, 64 cells per chunk, "1GB" shards; one dataset per
                C cells so both sides see N stores
plus, for the scale targets:
  many/         1,000 tiny h5ad stores (enumeration)
  rows_small/, rows_large/   10 narrow stores with 1,000 and 10,000 cells (checkpoint size)
and chunk manifests (manifest_<form>.json) for the decode-only ceiling.

usage: python gen_bench_stores.py OUT --stores N --cells C --genes G --nnz K [--many M]
"""
import argparse
import json
import pathlib
import time

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp
import zarr

N_TYPES = 50


def make_matrix(rng, cells, genes, nnz):
    popularity = 1.0 / np.arange(1, genes + 1) ** 0.8
    popularity /= popularity.sum()
    # gene identities shuffled so popular genes are spread over the columns
    perm = rng.permutation(genes)
    cdf = np.cumsum(popularity)
    # draws with replacement, deduplicated per cell: oversample so ~nnz survive
    over = 1.0
    if nnz >= genes:
        over = 1.0
    else:
        # expected distinct of m draws: sum(1-(1-p)^m); find m giving nnz
        lo, hi = nnz, nnz * 20
        for _ in range(40):
            mid = (lo + hi) / 2
            if np.sum(1 - (1 - popularity) ** mid) < nnz:
                lo = mid
            else:
                hi = mid
        over = hi / nnz
    k = np.maximum(1, rng.normal(nnz, nnz * 0.2, size=cells)).astype(np.int64)
    draws = np.maximum(1, (k * over).astype(np.int64))
    rows, cols = [], []
    batch = max(1, 4_000_000 // max(1, int(nnz * over)))
    for s in range(0, cells, batch):
        e = min(cells, s + batch)
        d = draws[s:e]
        r = np.repeat(np.arange(s, e, dtype=np.int64), d)
        c = perm[np.searchsorted(cdf, rng.random(r.size) * cdf[-1])]
        key = np.unique(r * genes + c)
        rows.append(key // genes)
        cols.append(key % genes)
    r = np.concatenate(rows)
    c = np.concatenate(cols).astype(np.int32)
    indptr = np.zeros(cells + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=cells), out=indptr[1:])
    data = (rng.poisson(1.0, size=c.size) + 1).astype(np.float32)
    return sp.csr_matrix((data, c, indptr), shape=(cells, genes))


def make_adata(store, cells, genes, nnz, seed=7):
    rng = np.random.default_rng(seed + 1000 * store)
    x = make_matrix(rng, cells, genes, nnz)
    subset = np.sort(rng.choice(N_TYPES, size=30, replace=False))
    types = [f"type_{t:02d}" for t in range(N_TYPES)]
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical([types[t] for t in rng.choice(subset, size=cells)], categories=[types[t] for t in subset]),
            "donor": pd.Categorical([f"donor_{store}_{d}" for d in rng.integers(0, 4, cells)]),
            "batch": pd.Categorical([f"batch_{store}"] * cells),
        },
        index=[f"s{store}_c{i}" for i in range(cells)],
    )
    var = pd.DataFrame(index=[f"g{j}" for j in range(genes)])
    return ad.AnnData(X=x, obs=obs, var=var)


def shard_zarr(store_path, shard_elems, chunk_elems):
    g = zarr.open_group(store_path, mode="a")
    for part in ("data", "indices"):
        arr = g["X"][part][...]
        del g["X"][part]
        g["X"].create_array(part, data=arr, chunks=(chunk_elems,), shards=(shard_elems,),
                            compressors=zarr.codecs.ZstdCodec(level=0))
    zarr.consolidate_metadata(store_path)


def size_of(p):
    p = pathlib.Path(p)
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size


def h5_manifest(path):
    out = {"file": str(path), "parts": {}}
    with h5py.File(path, "r") as f:
        out["cells"] = int(f["X"].attrs["shape"][0])
        for part in ("data", "indices"):
            ds = f["X"][part]
            entries = []
            if ds.chunks is None:
                off = ds.id.get_offset()
                total = ds.size * ds.dtype.itemsize
                step = 1 << 20
                for o in range(0, total, step):
                    n = min(step, total - o)
                    entries.append([off + o, n, n])
                codec = "none"
            else:
                filters = ds.compression or "none"
                codec = {"gzip": "zlib"}.get(filters, filters)
                chunk_bytes = ds.chunks[0] * ds.dtype.itemsize
                total = ds.size * ds.dtype.itemsize
                for i in range(ds.id.get_num_chunks()):
                    info = ds.id.get_chunk_info(i)
                    start = info.chunk_offset[0] * ds.dtype.itemsize
                    entries.append([info.byte_offset, info.size, min(chunk_bytes, total - start)])
            out["parts"][part] = {"dtype": ds.dtype.str, "codec": codec, "chunks": entries, "nnz": int(ds.size)}
    return out


def zarr_manifest(group_path):
    group_path = pathlib.Path(group_path)
    out = {"parts": {}}
    root = json.loads((group_path / "X" / "zarr.json").read_text())
    out["cells"] = int(root["attributes"]["shape"][0])
    for part in ("data", "indices"):
        meta = json.loads((group_path / "X" / part / "zarr.json").read_text())
        shard = meta["chunk_grid"]["configuration"]["chunk_shape"][0]
        sh = [c for c in meta["codecs"] if c["name"] == "sharding_indexed"][0]["configuration"]
        inner = sh["chunk_shape"][0]
        codecs = [c["name"] for c in sh["codecs"]]
        codec = "zstd" if "zstd" in codecs else "blosc" if "blosc" in codecs else "none"
        itemsize = np.dtype(meta["data_type"]).itemsize
        n = meta["shape"][0]
        entries = []
        files = sorted((group_path / "X" / part / "c").iterdir(), key=lambda p: int(p.name))
        for f in files:
            k = int(f.name)
            n_inner = shard // inner
            size = f.stat().st_size
            with open(f, "rb") as fh:
                fh.seek(size - (16 * n_inner + 4))
                idx = np.frombuffer(fh.read(16 * n_inner), dtype="<u8").reshape(-1, 2)
            for i, (o, ln) in enumerate(idx):
                if o == 2**64 - 1:
                    continue
                start = k * shard + i * inner
                decoded = inner * itemsize  # edge chunks are stored full-size
                entries.append([str(f), int(o), int(ln), decoded])
        out["parts"][part] = {"dtype": meta["data_type"], "codec": codec, "chunks": entries, "nnz": int(n)}
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--stores", type=int, default=10)
    p.add_argument("--cells", type=int, default=20000)
    p.add_argument("--genes", type=int, default=30000)
    p.add_argument("--nnz", type=int, default=2000)
    p.add_argument("--many", type=int, default=1000)
    p.add_argument("--only", choices=["base", "annbatch"], help="write only these parts")
    a = p.parse_args()
    out = pathlib.Path(a.out)
    if a.only != "annbatch":
        base(a, out)
    if a.only != "base":
        annbatch_store(a, out)


def base(a, out):
    for d in ("h5ad_none", "h5ad_gzip", "zarr_zstd"):
        (out / d).mkdir(parents=True, exist_ok=True)
    ad.settings.zarr_write_format = 3
    t0 = time.time()
    for s in range(a.stores):
        t = time.time()
        adata = make_adata(s, a.cells, a.genes, a.nnz)
        adata.write_h5ad(out / "h5ad_none" / f"store_{s:02d}.h5ad")
        adata.write_h5ad(out / "h5ad_gzip" / f"store_{s:02d}.h5ad", compression="gzip")
        zpath = out / "zarr_zstd" / f"store_{s:02d}.zarr"
        adata.write_zarr(zpath)
        # anndata 0.13 default: sharded X parts, zstd; ~C/5 cells per shard, 64k-element inner chunks
        nnz_per_cell = max(1, adata.X.nnz // max(1, a.cells))
        shard_shard = max(1 << 16, ((a.cells // 5) * nnz_per_cell) // (1 << 16) * (1 << 16))
        shard_zarr(zpath, shard_shard, 1 << 16)
        print(f"store {s}: {adata.X.nnz / a.cells:.0f} nnz/cell, {time.time() - t:.1f}s", flush=True)
    man = {
        "h5ad_none": h5_manifest(out / "h5ad_none" / "store_00.h5ad"),
        "h5ad_gzip": h5_manifest(out / "h5ad_gzip" / "store_00.h5ad"),
        "zarr_zstd": zarr_manifest(out / "zarr_zstd" / "store_00.zarr"),
    }
    for form, m in man.items():
        (out / f"manifest_{form}.json").write_text(json.dumps(m))
    # scale stores: 1,000 tiny stores (enumeration), and a rows pair for checkpoint size
    many = out / "many"
    many.mkdir(exist_ok=True)
    for s in range(a.many):
        make_adata(s, 50, 200, 20).write_h5ad(many / f"tiny_{s:04d}.h5ad")
    for name, cells in (("rows_small", 1000), ("rows_large", 10000)):
        (out / name).mkdir(exist_ok=True)
        for s in range(10):
            make_adata(s, cells, 1000, 50).write_h5ad(out / name / f"store_{s:02d}.h5ad")
    print(f"base stores generated in {time.time() - t0:.0f}s")


def annbatch_store(a, out):
    # annbatch's own preferred store, written by annbatch itself from the uncompressed h5ad files
    import annbatch
    try:
        import zarrs  # noqa: F401
        zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"})
    except ImportError:
        pass
    t = time.time()
    annbatch.DatasetCollection(out / "annbatch" / "collection.zarr").add_adatas(
        adata_paths=[str(out / "h5ad_none" / f"store_{s:02d}.h5ad") for s in range(a.stores)],
        dataset_size=a.cells,
        shuffle_chunk_size=min(1000, a.cells),
        rng=np.random.default_rng(0),
    )
    zarr.config.reset()
    print(f"annbatch collection written in {time.time() - t:.1f}s", flush=True)
    m = zarr_manifest(out / "annbatch" / "collection.zarr" / "dataset_0")
    (out / "manifest_annbatch.json").write_text(json.dumps(m))
    sizes = {d: size_of(out / d) for d in ("h5ad_none", "h5ad_gzip", "zarr_zstd", "annbatch")}
    (out / "sizes.json").write_text(json.dumps(sizes))
    for d, b in sizes.items():
        print(f"{d}: {b / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
