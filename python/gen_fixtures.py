#!/usr/bin/env python3
"""Write the AnnData fixture stores for the Java format readers, plus OUTDIR/expected.json.

Usage: python/.venv/bin/python python/gen_fixtures.py [OUTDIR]
       (default OUTDIR: flink-connector-anndata/src/test/resources/fixtures)

Every store is written by the pinned real writers (anndata's dispatched writer on h5py or
zarr-python, plus a few low-level h5py/zarr touches that anndata has no switch for). The
values are deterministic (fixed seeds); the bytes need not be (zip timestamps, HDF5 metadata).
expected.json is computed by reading every store back and is the oracle for the Java tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anndata as ad
import h5py
import numcodecs
import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata.io import write_elem
from zarr.codecs import BloscCodec, Crc32cCodec, GzipCodec, ZstdCodec

from fixture_common import (
    REPO_ROOT,
    WriteSpec,
    attr_str,
    dense_json,
    dump_json,
    generator_versions,
    json_scalar,
    open_group,
    read_adata,
    rel,
    remove_path,
    write_store,
)

DEFAULT_OUT = REPO_ROOT / "flink-connector-anndata/src/test/resources/fixtures"
MANAGED_DIRS = ("h5ad", "zarr2", "zarr3")

# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------


def cell_names(n: int, prefix: str = "cell") -> list[str]:
    out = []
    for i in range(n):
        if i % 10 == 3:
            out.append(f"zelle_{i:03d}_ü")
        elif i % 10 == 7:
            out.append(f"{prefix}_{i:03d}_\U0001F600")  # above U+FFFF (a surrogate pair in Java)
        elif i == 0:
            out.append("細胞_000")
        else:
            out.append(f"{prefix}_{i:03d}")
    return out


def gene_names(m: int, prefix: str = "GENE") -> list[str]:
    out = []
    for j in range(m):
        if j % 9 == 4:
            out.append(f"gène_{j}")
        elif j % 13 == 5:
            out.append(f"\U0001D50A_{j}")  # MATHEMATICAL FRAKTUR CAPITAL G
        else:
            out.append(f"{prefix}{j}")
    return out


def int_matrix(rng, n, m, density=0.3, zero_rows=(), zero_block=None, high=9):
    x = rng.integers(1, high + 1, size=(n, m)) * (rng.random((n, m)) < density)
    for r in zero_rows:
        if r < n:
            x[r] = 0
    if zero_block is not None:
        (r0, r1), (c0, c1) = zero_block
        x[r0:r1, c0:c1] = 0
    return x


ZERO_ROWS = (3, 10, 11, 12, 13, 29)  # a row alone and a whole 7-row chunk (7..13 partly)


def full_obs(n: int, rng, index_name: str | None = "cell_id") -> pd.DataFrame:
    ct_cats = ["B cell", "T cell", "NK", "Mono", "DC_ü", "unused_cat"]
    codes = rng.integers(0, 5, n)
    codes[::9] = -1
    cell_type = pd.Categorical.from_codes(codes, categories=ct_cats)
    cat_int = pd.Categorical.from_codes(rng.integers(0, 3, n), categories=[20, 10, 30])
    cat_ord = pd.Categorical.from_codes(
        rng.integers(0, 3, n), categories=["low", "mid", "high"], ordered=True
    )
    f64 = (rng.integers(0, 40, n) / 4.0).astype(np.float64)
    f64[::5] = np.nan
    nint = pd.array([int(v) if i % 6 != 2 else None for i, v in enumerate(rng.integers(-5, 100, n))], dtype="Int64")
    nbool = pd.array([bool(v) if i % 7 != 1 else None for i, v in enumerate(rng.integers(0, 2, n))], dtype="boolean")
    nstr = pd.array([f"n{i % 4}_é" if i % 8 != 5 else None for i in range(n)], dtype="string")
    df = pd.DataFrame(
        {
            "cell_type": cell_type,
            "cat_int": cat_int,
            "cat_ordered": cat_ord,
            "name_str": np.array([f"s{i % 5}_\U0001F9EC" if i % 5 == 4 else f"s{i % 5}" for i in range(n)], dtype=object),
            "i64": rng.integers(-(2**40), 2**40, n).astype(np.int64),
            "i32": rng.integers(-1000, 1000, n).astype(np.int32),
            "u8": rng.integers(0, 256, n).astype(np.uint8),
            "f64": f64,
            "flag": rng.integers(0, 2, n).astype(bool),
            "nint": nint,
            "nbool": nbool,
            "nstr": nstr,
        },
        index=pd.Index(cell_names(n), name=index_name),
    )
    return df


def basic_obs(n: int, rng) -> pd.DataFrame:
    codes = rng.integers(0, 3, n)
    codes[1::8] = -1
    f64 = (rng.integers(0, 20, n) / 2.0).astype(np.float64)
    f64[2::6] = np.nan
    return pd.DataFrame(
        {
            "cell_type": pd.Categorical.from_codes(codes, categories=["alpha", "beta", "γ"]),
            "name_str": np.array([f"r{i % 3}" for i in range(n)], dtype=object),
            "f64": f64,
            "nint": pd.array([i if i % 5 != 0 else None for i in range(n)], dtype="Int64"),
        },
        index=pd.Index(cell_names(n)),
    )


def rich_adata(seed: int, x_kind: str, n: int = 50, m: int = 40, raw: bool = True,
               nullable_var_index: bool = False) -> ad.AnnData:
    """50 x 40 with every element kind. x_kind: dense_f32 | dense_i64 | dense_f64 | csr_f32 | csr_f32_i64ptr."""
    rng = np.random.default_rng(seed)
    base = int_matrix(rng, n, m, zero_rows=ZERO_ROWS)
    if x_kind == "dense_f32":
        X = (base * 0.25).astype(np.float32)
    elif x_kind == "dense_i64":
        X = base.astype(np.int64)
    elif x_kind == "dense_f64":
        X = (base * 0.5).astype(np.float64)
    elif x_kind == "csr_f32":
        X = sp.csr_matrix((base * 0.25).astype(np.float32))
        X.indptr = X.indptr.astype(np.int32)
        X.indices = X.indices.astype(np.int32)
    elif x_kind == "csr_f32_i64ptr":
        X = sp.csr_matrix((base * 0.25).astype(np.float32))
        X.indptr = X.indptr.astype(np.int64)
        X.indices = X.indices.astype(np.int64)
    else:
        raise ValueError(x_kind)
    var = pd.DataFrame(
        {"highly_variable": (np.arange(m) % 3 == 0)},
        index=pd.Index(gene_names(m), dtype="string" if nullable_var_index else object),
    )
    a = ad.AnnData(X=X, obs=full_obs(n, rng), var=var)
    counts = int_matrix(rng, n, m, density=0.4, zero_rows=ZERO_ROWS)
    a.layers["counts"] = counts.astype(np.int64)
    a.layers["sparse"] = sp.csr_matrix((counts * 0.5).astype(np.float32))
    a.layers["csc"] = sp.csc_matrix(counts.astype(np.float64))
    a.obsm["X_pca"] = (rng.integers(-20, 20, (n, 3)) / 4.0).astype(np.float32)
    a.obsm["X_sparse"] = sp.csr_matrix(int_matrix(rng, n, 5, density=0.4).astype(np.float64))
    a.obsm["meta"] = pd.DataFrame(
        {"score": np.arange(n, dtype=np.float64) / 8.0, "tag": pd.Categorical([f"t{i % 3}" for i in range(n)])},
        index=a.obs_names,
    )
    a.uns["note"] = "uns is tolerated, never decoded"
    a.uns["n"] = np.int64(7)
    if raw:
        m_raw = m + 5
        raw_x = sp.csr_matrix(int_matrix(rng, n, m_raw, density=0.25, zero_rows=ZERO_ROWS).astype(np.float32))
        raw_var = pd.DataFrame(
            {"gene_ids": np.array([f"ENSG{j:05d}" for j in range(m_raw)], dtype=object)},
            index=pd.Index(gene_names(m) + [f"RAWONLY{j}" for j in range(5)]),
        )
        a.raw = ad.AnnData(X=raw_x, var=raw_var, obs=pd.DataFrame(index=a.obs_names))
    return a


def small_adata(seed: int, n: int = 20, m: int = 12, x_kind: str = "dense_f32") -> ad.AnnData:
    """20 x 12: dense X + CSR layer + a few obs columns; used by the codec matrix."""
    rng = np.random.default_rng(seed)
    base = int_matrix(rng, n, m, density=0.35, zero_rows=(3, 7, 8))
    if x_kind == "dense_f32":
        X = (base * 0.25).astype(np.float32)
    elif x_kind == "dense_f64":
        X = (base * 0.5).astype(np.float64)
    elif x_kind == "dense_i64":
        X = base.astype(np.int64)
    elif x_kind == "csr_f32":
        X = sp.csr_matrix((base * 0.25).astype(np.float32))
    else:
        raise ValueError(x_kind)
    a = ad.AnnData(X=X, obs=basic_obs(n, rng), var=pd.DataFrame(index=pd.Index(gene_names(m))))
    a.layers["sparse"] = sp.csr_matrix((int_matrix(rng, n, m, density=0.3) * 0.5).astype(np.float32))
    a.layers["ints"] = int_matrix(rng, n, m, density=0.5).astype(np.int32)
    return a


# --------------------------------------------------------------------------------------------
# Expected values
# --------------------------------------------------------------------------------------------


def _group_dense(g) -> tuple[str, np.ndarray | None, dict]:
    """Decode one element straight from the store (not via AnnData) → (layout, dense, info)."""
    enc = attr_str(g.attrs.get("encoding-type"))
    if enc in ("csr_matrix", "csc_matrix"):
        shape = tuple(int(s) for s in g.attrs["shape"])
        data, indices, indptr = g["data"][...], g["indices"][...], g["indptr"][...]
        cls = sp.csr_matrix if enc == "csr_matrix" else sp.csc_matrix
        mat = cls((data, indices.astype(np.int64), indptr.astype(np.int64)), shape=shape)
        info = {
            "dtype": data.dtype.name,
            "indices_dtype": indices.dtype.name,
            "indptr_dtype": indptr.dtype.name,
            "shape": list(shape),
            "nnz": int(len(data)),
        }
        return ("csr" if enc == "csr_matrix" else "csc"), mat.toarray(), info
    if enc == "dataframe":
        cols = [str(c) for c in g.attrs.get("column-order", [])]
        return "dataframe", None, {"columns": cols}
    arr = g[...]
    return "dense", arr, {"dtype": arr.dtype.name, "shape": list(arr.shape)}


def _values_equal(a: np.ndarray, b: np.ndarray) -> bool:
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return bool(np.array_equal(a.astype(np.float64), b.astype(np.float64), equal_nan=True))
    return bool(np.array_equal(a, b))


def _to_dense(x) -> np.ndarray:
    if sp.issparse(x):
        return x.toarray()
    return np.asarray(x)


def describe_store(path: Path, out: Path, src: ad.AnnData, notes: str) -> dict:
    back = read_adata(path)
    assert list(back.obs_names) == [str(s) for s in src.obs_names], path
    assert list(back.var_names) == [str(s) for s in src.var_names], path
    assert _values_equal(_to_dense(back.X), _to_dense(src.X)), path
    fmt = "h5ad" if path.suffix == ".h5ad" else "zarr"
    root = open_group(path)
    obs_g = root["obs"]
    entry = {
        "format": fmt,
        "n_obs": int(back.n_obs),
        "n_vars": int(back.n_vars),
        "obs_names": [str(s) for s in back.obs_names],
        "var_names": [str(s) for s in back.var_names],
        "obs_index_name": attr_str(obs_g.attrs["_index"]),
        "var_index_name": attr_str(root["var"].attrs["_index"]),
        "obs_index_encoding": attr_str(obs_g[attr_str(obs_g.attrs["_index"])].attrs.get("encoding-type")),
        "var_index_encoding": attr_str(
            root["var"][attr_str(root["var"].attrs["_index"])].attrs.get("encoding-type")
        ),
        "obs_columns": [],
        "elements": {},
        "notes": notes,
    }
    for col in back.obs.columns:
        series = back.obs[col]
        enc = attr_str(obs_g[col].attrs.get("encoding-type"))
        c = {
            "name": col,
            "encoding": enc,
            "pandas_dtype": str(series.dtype),
            "values": [json_scalar(v) for v in series.astype(object).tolist()],
        }
        if isinstance(series.dtype, pd.CategoricalDtype):
            c["categories"] = [json_scalar(v) for v in series.cat.categories.tolist()]
            c["ordered"] = bool(series.cat.ordered)
            assert _values_equal(series.cat.codes.to_numpy(), src.obs[col].cat.codes.to_numpy()), col
        entry["obs_columns"].append(c)
    keys = ["X"]
    keys += [f"layers/{k}" for k in root["layers"].keys()] if "layers" in root else []
    if "raw" in root and attr_str(root["raw"].attrs.get("encoding-type")) == "raw":
        keys.append("raw/X")
    keys += [f"obsm/{k}" for k in root["obsm"].keys()] if "obsm" in root else []
    for k in sorted(keys, key=lambda s: (s != "X", s)):
        layout, dense, info = _group_dense(root[k])
        e = {"layout": layout, **info}
        if dense is not None:
            # cross-check against what anndata itself reads
            if k == "X":
                ref = back.X
            elif k.startswith("layers/"):
                ref = back.layers[k[7:]]
            elif k == "raw/X":
                ref = back.raw.X
            else:
                ref = back.obsm[k[5:]]
            assert _values_equal(_to_dense(ref).reshape(dense.shape), dense), (path, k)
            e["dense"] = dense_json(dense)
        entry["elements"][k] = e
    if hasattr(root, "close"):
        root.close()
    return entry


# --------------------------------------------------------------------------------------------
# Low-level touches
# --------------------------------------------------------------------------------------------


def rewrite_h5_strings_lzf_no_cd_values(path: Path, dataset: str, chunk: int = 3) -> None:
    """Replace a vlen-string dataset by one with the LZF filter and *no* cd_values."""
    with h5py.File(path, "r+") as f:
        old = f[dataset]
        values = old[...]
        attrs = dict(old.attrs)
        del f[dataset]
        space = h5py.h5s.create_simple((len(values),), (h5py.h5s.UNLIMITED,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((chunk,))
        dcpl.set_filter(32000, h5py.h5z.FLAG_OPTIONAL, ())
        tid = h5py.h5t.py_create(h5py.string_dtype("utf-8"), logical=True)
        parent, _, name = dataset.rpartition("/")
        dsid = h5py.h5d.create(f[parent or "/"].id, name.encode(), tid, space, dcpl=dcpl)
        ds = h5py.Dataset(dsid)
        ds[...] = np.array([v.decode() if isinstance(v, bytes) else v for v in values], dtype=object)
        for k, v in attrs.items():
            ds.attrs[k] = v
    with h5py.File(path, "r") as f:
        filt = f[dataset].id.get_create_plist().get_filter(0)
        assert filt[0] == 32000 and tuple(filt[2]) == (), filt


def h5_masked_chunks(path: Path, dataset: str) -> list[list[int]]:
    """Offsets of the chunks stored raw because an optional filter was skipped."""
    with h5py.File(path, "r") as f:
        d = f[dataset]
        infos = [d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks())]
        return [list(ci.chunk_offset) for ci in infos if ci.filter_mask != 0]


# --------------------------------------------------------------------------------------------
# The store matrix
# --------------------------------------------------------------------------------------------


def build_all(out: Path) -> dict:
    stores: dict[str, dict] = {}

    def add(relpath: str, adata: ad.AnnData, spec: WriteSpec, notes: str, zip_of: bool = False, post=None):
        p = out / relpath
        remove_path(p)
        write_store(adata, p, spec, zip_path=p if zip_of else None)
        if post is not None:
            post(p)
        stores[relpath] = describe_store(p, out, adata, notes)
        return p

    h5 = lambda **kw: WriteSpec(container="h5", **kw)  # noqa: E731
    z2 = lambda **kw: WriteSpec(container="zarr", zarr_format=2, **kw)  # noqa: E731
    z3 = lambda **kw: WriteSpec(container="zarr", zarr_format=3, **kw)  # noqa: E731

    # ---- h5ad ----------------------------------------------------------------------------
    add(
        "h5ad/rich_none.h5ad",
        rich_adata(1, "csr_f32"),
        h5(),
        "h5ad, no compression but chunked (7-row / 16-element chunks). X CSR float32 (int32 indptr/indices, "
        "zero-nnz rows 3,10-13,29); layers: dense int64 'counts', CSR float32 'sparse', CSC float64 'csc'; "
        "raw (CSR X, 45 vars, raw.var with a string column); obsm: dense X_pca, CSR X_sparse, dataframe 'meta'; "
        "every obs column encoding; obs index named 'cell_id'; non-ASCII names incl. U+1F600 and U+1D50A; uns scalars.",
    )
    add(
        "h5ad/rich_gzip.h5ad",
        rich_adata(2, "dense_f32", nullable_var_index=True),
        h5(h5_compression="gzip", h5_compression_opts=4, chunk_cols=16),
        "h5ad gzip everywhere; X dense float32 in 7x16 chunks; var/_index is a nullable-string-array group "
        "(values + mask); otherwise as rich_none.",
    )

    def lzf_post(p: Path):
        rewrite_h5_strings_lzf_no_cd_values(p, "obs/cell_id", chunk=3)
        rewrite_h5_strings_lzf_no_cd_values(p, "var/_index", chunk=3)

    add(
        "h5ad/rich_lzf.h5ad",
        rich_adata(3, "csr_f32_i64ptr"),
        h5(h5_compression="lzf"),
        "h5ad LZF everywhere; X CSR float32 with int64 indptr and indices; obs/cell_id and var/_index are vlen-string "
        "datasets with the LZF filter and NO cd_values (3-element chunks), written with h5py's low-level API.",
        post=lzf_post,
    )

    rng = np.random.default_rng(4)
    n, m = 24, 8
    xr = np.zeros((n, m), dtype=np.float32)
    xr[4:8] = rng.random((4, m), dtype=np.float32)  # incompressible chunk
    xr[12:16] = rng.random((4, m), dtype=np.float32)
    xr[20:24] = np.arange(32, dtype=np.float32).reshape(4, 8)
    raw_chunk = ad.AnnData(X=xr, obs=pd.DataFrame(index=cell_names(n)), var=pd.DataFrame(index=gene_names(m)))
    p = add(
        "h5ad/lzf_raw_chunk.h5ad",
        raw_chunk,
        h5(h5_compression="lzf", chunk_rows=4),
        "h5ad LZF; X dense float32 24x8 in 4x8 chunks; rows 4-7 and 12-15 are random floats and rows 20-23 are "
        "0..31, which LZF cannot shrink, so HDF5 stores those chunks raw with filter-mask bit 0 set; the all-zero "
        "chunks are compressed.",
    )
    masked = h5_masked_chunks(p, "X")
    assert [4, 0] in masked and [12, 0] in masked and [0, 0] not in masked, masked
    stores["h5ad/lzf_raw_chunk.h5ad"]["notes"] += f" Verified chunks with filter_mask != 0 at offsets {masked}."

    csc_x = small_adata(5)
    csc_x.X = sp.csc_matrix(csc_x.X)
    add("h5ad/csc_x.h5ad", csc_x, h5(), "X is CSC (MappedCollection must reject it); layers CSR and dense int32.")

    spec_special = small_adata(6, n=6, m=5, x_kind="dense_f64")
    xs = spec_special.X.copy()
    xs[0, 0], xs[1, 1], xs[2, 2], xs[3, 3], xs[4, 4] = np.nan, np.inf, -np.inf, -0.0, 1e-300
    spec_special.X = xs
    add("h5ad/special_floats.h5ad", spec_special, h5(chunk_rows=2),
        "X dense float64 with NaN, +Inf, -Inf, -0.0 and a subnormal-range value.")

    empty = rich_adata(7, "csr_f32", n=0, m=6, raw=False)
    add("h5ad/empty_obs.h5ad", empty, h5(), "0 obs rows; CSR X 0x6; all obs columns present with no rows.")
    novars = small_adata(8, n=9, m=0)
    add("h5ad/zero_vars.h5ad", novars, h5(), "9 obs x 0 vars; dense X 9x0, CSR layer 9x0.")

    def numeric_index_post(p: Path):
        with h5py.File(p, "r+") as f:
            del f["var/_index"]
            write_elem(f["var"], "_index", np.array([10, 20, 3, 40, 5], dtype=np.int64))
            write_elem(f["obsm"], "one_d", np.arange(7, dtype=np.float64) / 2)

    num_idx = small_adata(9, n=7, m=5)
    add_path = "h5ad/numeric_var_index.h5ad"
    p = out / add_path
    remove_path(p)
    write_store(num_idx, p, h5(chunk_rows=3))
    numeric_index_post(p)
    num_idx.var_names = ["10", "20", "3", "40", "5"]
    num_idx.obsm["one_d"] = (np.arange(7, dtype=np.float64) / 2).reshape(7, 1)
    stores[add_path] = describe_store(p, out, num_idx, "var/_index is an int64 'array' (anndata stringifies it: "
                                      "'10','20',...); obsm/one_d is a true 1-D float64 array (anndata reads it "
                                      "as 7x1); X dense float32.")

    ad.settings.write_csr_csc_indices_with_min_possible_dtype = True
    try:
        add("h5ad/min_indices_u8.h5ad", small_adata(10, x_kind="csr_f32"), h5(),
            "anndata setting write_csr_csc_indices_with_min_possible_dtype: CSR X and layer with uint8 indices.")
        wide = small_adata(11, n=10, m=300, x_kind="csr_f32")
        add("zarr3/min_indices_u16.zarr", wide, z3(shard_factor=(2, 2), chunk_cols=64),
            "zarr v3 sharded; 10x300 CSR X with uint16 indices (min-width setting); layer 'ints' dense int32.")
    finally:
        ad.settings.write_csr_csc_indices_with_min_possible_dtype = False

    # ---- zarr v2 ---------------------------------------------------------------------------
    add("zarr2/rich_default.zarr", rich_adata(12, "csr_f32"), z2(),
        "zarr v2 with the writer's default compressor (zarr-python 3 default for v2); rich content like "
        "h5ad/rich_none; raw present; chunk rows 7, 1-D chunks 16.")
    add("zarr2/rich_default.zarr.zip", rich_adata(12, "csr_f32"), z2(), zip_of=True,
        notes="The same content as zarr2/rich_default.zarr written straight into a zarr ZipStore: STORED "
        "entries, and metadata rewritten by appending, so entry names repeat (the last one wins).")
    shuffles = {"noshuffle": numcodecs.Blosc.NOSHUFFLE, "byteshuffle": numcodecs.Blosc.SHUFFLE,
                "bitshuffle": numcodecs.Blosc.BITSHUFFLE}
    combos = [("lz4", "byteshuffle"), ("lz4", "noshuffle"), ("lz4hc", "bitshuffle"), ("zstd", "byteshuffle"),
              ("zstd", "bitshuffle"), ("zlib", "byteshuffle"), ("zlib", "noshuffle"), ("blosclz", "bitshuffle")]
    for i, (cname, sh) in enumerate(combos):
        codec = numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffles[sh])
        add(f"zarr2/blosc_{cname}_{sh}.zarr", small_adata(20 + i, x_kind="dense_f32" if i % 2 == 0 else "dense_i64"),
            z2(compressors=codec),
            f"zarr v2, every array compressed with Blosc(cname={cname}, clevel=5, shuffle={sh}).")
    for i, (name, codec) in enumerate([
        ("zstd", numcodecs.Zstd(level=3)), ("gzip", numcodecs.GZip(level=5)), ("zlib", numcodecs.Zlib(level=5)),
        ("lz4", numcodecs.LZ4()), ("bz2", numcodecs.BZ2(level=9)), ("uncompressed", None),
    ]):
        add(f"zarr2/{name}.zarr", small_adata(30 + i, x_kind="csr_f32" if i % 2 else "dense_f64"),
            z2(compressors=codec), f"zarr v2, every array with compressor {name}.")
    add("zarr2/slash_separator.zarr", small_adata(40), z2(chunk_rows=5, chunk_cols=5, separator="/"),
        "zarr v2 with dimension_separator '/' (chunk keys like X/1/2), 5x5 chunks.")
    add("zarr2/order_f.zarr", small_adata(41), z2(chunk_rows=6, chunk_cols=5, order_f_for=("X", "layers/ints")),
        "zarr v2; X (6x5 chunks) and layers/ints are order 'F' (column-major chunks); the rest order 'C'.")
    be = small_adata(42, x_kind="dense_f64")
    be.obs["i32"] = np.arange(20, dtype=np.int32) - 7
    be.obsm["X_pca"] = np.arange(40, dtype=np.float64).reshape(20, 2) / 4
    # pandas cannot build a nullable-integer column from big-endian values, so anndata could not read it back
    be.obs = be.obs.drop(columns="nint")
    add("zarr2/big_endian.zarr", be, z2(big_endian=True),
        "zarr v2 with big-endian dtypes on every dense numeric array: X '>f8', layers/ints '>i4', obs i32 '>i4', "
        "obs f64 '>f8', obsm X_pca '>f8' (CSR parts stay little-endian; strings, bools and int8 codes unaffected). No nullable-integer column (anndata cannot read one "
        "back with big-endian values).")
    mc = small_adata(43, n=21, m=10)
    mc.X[7:14, :] = 0  # a whole 7-row chunk of zeros: not written (write_empty_chunks=False)
    p = add("zarr2/missing_chunk.zarr", mc, z2(chunk_rows=7),
            "zarr v2; X rows 7-13 are all zero = fill_value, so chunk X/1.0 is absent (reads as fill).")
    assert not (p / "X" / "1.0").exists() and (p / "X" / "0.0").exists()

    # ---- zarr v3 ---------------------------------------------------------------------------
    add("zarr3/unsharded.zarr", rich_adata(50, "dense_f32", nullable_var_index=True), z3(chunk_cols=16),
        "zarr v3, not sharded, anndata's default codecs (bytes + zstd level 0; strings vlen-utf8 + zstd); "
        "consolidated metadata inline in the root zarr.json; rich content, X dense float32 7x16 chunks; "
        "var/_index is a nullable-string-array group.")
    sharded = rich_adata(51, "dense_f32")
    xs = sharded.X.copy()
    xs[14:28, 20:40] = 0  # one whole shard-column block, two inner chunks: empty inner chunks
    xs[0:7, 0:10] = 0  # one empty inner chunk inside a shard that has data
    sharded.X = xs
    add("zarr3/sharded.zarr", sharded, z3(chunk_cols=10, shard_factor=(2, 2)),
        "zarr v3 with every array sharded (what anndata 0.13 writes by default), index at the end. X dense "
        "float32, inner chunks 7x10, shards 14x20 (4 inner chunks; edge shards partial). Inner chunk (0,0) is all "
        "zero (empty-chunk sentinel in the index) and shard (1,1) holds no data at all (not written). 1-D arrays: "
        "16-element inner chunks in 64-element shards (CSR parts: 64 in 256).")
    add("zarr3/sharded.zarr.zip", sharded, z3(chunk_cols=10, shard_factor=(2, 2)), zip_of=True,
        notes="zarr3/sharded.zarr written straight into a zarr ZipStore (v3, sharded, repeated entry names).")
    add("zarr3/sharded_index_start.zarr", rich_adata(52, "csr_f32"),
        z3(chunk_cols=10, shard_factor=(2, 2), index_location="start"),
        "zarr v3 sharded with index_location 'start'; X CSR float32; rich content.")
    add("zarr3/sharded_crc32c.zarr", small_adata(53, x_kind="csr_f32"),
        z3(chunk_rows=4, chunk_cols=6, shard_factor=(2, 2), compressors=[ZstdCodec(level=3), Crc32cCodec()]),
        "zarr v3 sharded; inner chunks compressed with zstd then crc32c (4-byte checksum appended).")
    add("zarr3/gzip.zarr", small_adata(54, x_kind="dense_i64"), z3(chunk_rows=6, compressors=[GzipCodec(level=5)]),
        "zarr v3 unsharded, gzip codec; X dense int64.")
    add("zarr3/blosc.zarr", small_adata(55, x_kind="dense_f64"),
        z3(chunk_rows=6, shard_factor=(2, 1),
           compressors=[BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")]),
        "zarr v3 sharded, inner chunks compressed with the blosc codec (lz4, byte shuffle); X dense float64.")
    add("zarr3/crc32c_unsharded.zarr", small_adata(56), z3(chunk_rows=6, compressors=[Crc32cCodec()]),
        "zarr v3 unsharded, only a crc32c codec (no compression).")
    add("zarr3/big_endian.zarr", small_adata(57, x_kind="dense_f64"), z3(chunk_rows=6, big_endian=True),
        "zarr v3 with the bytes codec endian 'big' on every numeric array (X float64, CSR parts, obs columns).")
    ad.settings.auto_shard_zarr_v3 = True
    try:
        add("zarr3/auto_sharded.zarr", rich_adata(58, "csr_f32"),
            z3(writer_chunks=True),
            "zarr v3 with anndata's auto_shard_zarr_v3 setting (anndata 0.13's default) and writer-chosen chunks.")
    finally:
        ad.settings.auto_shard_zarr_v3 = None
    add("zarr3/empty_obs.zarr", rich_adata(59, "dense_f32", n=0, m=6, raw=False), z3(shard_factor=(2, 2)),
        "zarr v3 sharded, 0 obs rows, X dense 0x6.")
    add("zarr3/zero_vars.zarr", small_adata(60, n=9, m=0, x_kind="csr_f32"), z3(shard_factor=(2, 2)),
        "zarr v3 sharded, 9 obs x 0 vars, CSR X 9x0.")
    return stores


def main(argv: list[str]) -> int:
    out = Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    for d in MANAGED_DIRS:
        remove_path(out / d)
    ad.settings.allow_write_nullable_strings = True
    stores = build_all(out)
    dump_json({"generator": generator_versions(), "stores": dict(sorted(stores.items()))}, out / "expected.json")
    print(f"wrote {len(stores)} stores to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
