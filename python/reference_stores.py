"""The stores that gen_reference.py runs lamindb's MappedCollection over.

Ids follow docs/semantics.md §15 (A1-A4, N, B, E, L, IC, ICN, IA, IB, IV, BC, DUP) plus
M1-M3, a mixed h5ad / zarr v2 / sharded zarr v3 collection with overlapping gene sets, and
ND_*, obsm entries of more than two dimensions in each backend (§7.1).
All are written by anndata 0.12 (which keeps int64 X) except L, which mimics anndata 0.7 by hand.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

from fixture_common import WriteSpec, remove_path, write_store

warnings.filterwarnings("ignore", message=".*not unique.*")
warnings.filterwarnings("ignore", category=ad.ImplicitModificationWarning)

# id -> path relative to the reference OUTDIR
STORES = {
    "A1": "stores/part_one.h5ad",
    "A2": "stores/part_two.zarr",
    "A3": "stores/other_vars.h5ad",
    "A4": "stores/csc.h5ad",
    "N_h5ad": "stores/num.h5ad",
    "N_zarr": "stores/num.zarr",
    "N_zarr3": "stores/num_v3_sharded.zarr",
    "B": "stores/b.h5ad",
    "E": "stores/empty.h5ad",
    "L": "stores/legacy07.h5ad",
    "IC": "stores/intcat.h5ad",
    "ICN_h5ad": "stores/intcatnan.h5ad",
    "ICN_zarr": "stores/intcatnan.zarr",
    "IA": "stores/ia.h5ad",
    "IB": "stores/ib.h5ad",
    "IV": "stores/intvar.h5ad",
    "BC": "stores/bc.h5ad",
    "DUP": "stores/dup.h5ad",
    "NS": "stores/nullable_str.h5ad",
    "M1": "stores/mixed_m1.h5ad",
    "M2": "stores/mixed_m2_v2.zarr",
    "M3": "stores/mixed_m3_v3_sharded.zarr",
    "ND_h5ad": "stores/obsm_nd.h5ad",
    "ND_zarr": "stores/obsm_nd_v2.zarr",
    "ND_zarr3": "stores/obsm_nd_v3_sharded.zarr",
    "NOPE": "stores/does_not_exist.h5ad",
}

DESCRIPTIONS = {
    "A1": "lamindb test_mapped part_one: X dense int64 2x3, var MYC,TCF7,GATA1, obs feat1/feat2 plain strings, "
    "obsm X_pca, raw.X 2x4, layers/layer1 dense",
    "A2": "lamindb part_two (zarr v2): X CSR int64, layers/layer1 CSR, obsm X_pca, no raw",
    "A3": "lamindb other_vars: A2 with var A,B,C and feat1 categorical [B] with codes [-1,0]",
    "A4": "lamindb csc: A1 with layers/layer1 stored as CSC",
    "N_h5ad": "§15.3 N: X dense int64 3x4, var g3,g1,g2,g0; obs num/flt/nint/cat/nbool; obsm sp CSR",
    "N_zarr": "N as zarr v2",
    "N_zarr3": "N as sharded zarr v3",
    "B": "§15.3 B: X CSR float64 2x3, var g1,gX,g3, obs without columns",
    "E": "§15.3 E: X dense float32 0x3, obs cat categorical with categories [a] and no rows",
    "L": "§15.3 L: anndata-0.7 layout written with h5py (obs/__categories/ct, object-reference attribute)",
    "IC": "§15.3 IC: int64 categories [20,10] and string categories [y,x]",
    "ICN_h5ad": "§15.3 ICN: int64 categories with a code -1, plain float/int/bool columns",
    "ICN_zarr": "ICN as zarr v2",
    "IA": "§15.3 IA: obs i int64 [3,1]",
    "IB": "§15.3 IB: obs i float64 [3.0,2.5]",
    "IV": "§15.3 IV: var ['3','1']",
    "BC": "§15.3 BC: var [B,C]",
    "DUP": "§15.3 DUP: var [A,A,B]",
    "NS": "nullable-string-array obs column with NA (D7)",
    "M1": "mixed h5ad, 30 cells x 30 genes CSR float32",
    "M2": "mixed zarr v2, 30 cells x 25 genes dense float32",
    "M3": "mixed zarr v3 sharded, 36 cells x 25 genes CSR float64",
    "ND_h5ad": "obsm with more than two dimensions (h5ad, gzip chunks that split every axis): patch (5,2,3) "
    "float32, cube (5,2,2,2) int64, pca (5,2) float64; X dense float32 5x3; obs ct categorical with a code -1",
    "ND_zarr": "ND as zarr v2 (4 cells, cube int32), chunks that split the row axes",
    "ND_zarr3": "ND as sharded zarr v3 (6 cells), shards of several inner chunks that split the row axes",
    "NOPE": "never written: a path that does not exist",
}


def _h5(path: Path, a: ad.AnnData, **kw) -> None:
    remove_path(path)
    a.write_h5ad(path, **kw)


def _zarr(path: Path, a: ad.AnnData, fmt: int = 2, **kw) -> None:
    remove_path(path)
    ad.settings.zarr_write_format = fmt
    a.write_zarr(path, **kw)
    ad.settings.zarr_write_format = 2


def _a1() -> ad.AnnData:
    a = ad.AnnData(
        X=np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int64),
        obs=pd.DataFrame({"feat1": ["A", "B"], "feat2": ["A", "B"]}, index=["0", "1"]),
        var=pd.DataFrame(index=["MYC", "TCF7", "GATA1"]),
        obsm={"X_pca": np.array([[1, 2], [3, 4]], dtype=np.int64)},
    )
    a.layers["layer1"] = np.array([[0, 2, 3], [4, 5, 6]], dtype=np.int64)
    a.raw = ad.AnnData(
        X=np.array([[8, 9, 10, 11], [12, 13, 14, 15]], dtype=np.int64),
        var=pd.DataFrame(index=["MYC", "TCF7", "GATA1", "RAW4"]),
        obs=pd.DataFrame(index=["0", "1"]),
    )
    return a


def _a2(var=("MYC", "TCF7", "GATA1")) -> ad.AnnData:
    x = sp.csr_matrix(np.array([[1, 2, 5], [4, 5, 8]], dtype=np.int64))
    a = ad.AnnData(
        X=x,
        obs=pd.DataFrame({"feat1": ["A", "B"], "feat2": ["A", "B"]}, index=["0", "1"]),
        var=pd.DataFrame(index=list(var)),
        obsm={"X_pca": np.array([[1, 2], [3, 4]], dtype=np.int64)},
    )
    a.layers["layer1"] = x.copy()
    return a


def _n() -> ad.AnnData:
    obs = pd.DataFrame(
        {
            "num": np.array([3, 1, 3], dtype=np.int64),
            "flt": np.array([0.5, np.nan, 0.5]),
            "nint": pd.array([1, None, 2], dtype="Int64"),
            "cat": pd.Categorical.from_codes([0, 1, -1], categories=["b", "a"]),
            "nbool": pd.array([True, None, False], dtype="boolean"),
        },
        index=["c0", "c1", "c2"],
    )
    return ad.AnnData(
        X=np.arange(12, dtype=np.int64).reshape(3, 4),
        obs=obs,
        var=pd.DataFrame(index=["g3", "g1", "g2", "g0"]),
        obsm={"sp": sp.csr_matrix(np.array([[0, 1.5], [2, 0], [0, 0]], dtype=np.float64))},
    )


def _small(var, x=None, obs=None, n=1) -> ad.AnnData:
    if x is None:
        x = np.ones((n, len(var)), dtype=np.float32)
    return ad.AnnData(
        X=x,
        obs=obs if obs is not None else pd.DataFrame(index=[f"c{i}" for i in range(x.shape[0])]),
        var=pd.DataFrame(index=list(var)),
    )


def _legacy07(path: Path) -> None:
    """anndata 0.7 layout: dataframe 0.1.0, __categories + object reference, no dataset/root attrs."""
    remove_path(path)
    s = h5py.string_dtype("utf-8")
    with h5py.File(path, "w") as f:
        f.create_dataset("X", data=np.array([[1, 2], [3, 4], [5, 6]], dtype=np.float32))
        obs = f.create_group("obs")
        obs.create_dataset("_index", data=np.array(["c0", "c1", "c2"], dtype=object), dtype=s)
        cats = obs.create_group("__categories")
        ct = cats.create_dataset("ct", data=np.array(["T", "B"], dtype=object), dtype=s)
        ct.attrs["ordered"] = False
        codes = obs.create_dataset("ct", data=np.array([1, -1, 0], dtype=np.int8))
        codes.attrs["categories"] = ct.ref
        obs.attrs["_index"] = "_index"
        obs.attrs["column-order"] = np.array(["ct"], dtype=object)
        obs.attrs["encoding-type"] = "dataframe"
        obs.attrs["encoding-version"] = "0.1.0"
        var = f.create_group("var")
        var.create_dataset("_index", data=np.array(["g1", "g2"], dtype=object), dtype=s)
        var.attrs["_index"] = "_index"
        var.attrs["column-order"] = np.array([], dtype=np.float64)
        var.attrs["encoding-type"] = "dataframe"
        var.attrs["encoding-version"] = "0.1.0"
        for g in ("obsm", "varm", "layers", "uns", "obsp", "varp"):
            f.create_group(g)


GENE_POOL = [f"G{i:02d}" for i in range(40)]
GENE_POOL[7] = "Gène7"
GENE_POOL[12] = "\U0001D50A12"  # above U+FFFF: code-point order differs from UTF-16 order
GENE_POOL[13] = "gamma13"
GENE_POOL[21] = "\uff2721"  # FULLWIDTH G, below the surrogate range


def _mixed(seed: int, n: int, genes: list[str], cell_types: list[str], donors: list[str],
           kind: str, nan_every: int | None, batch: str | None) -> ad.AnnData:
    rng = np.random.default_rng(seed)
    m = len(genes)
    x = rng.integers(1, 8, size=(n, m)) * (rng.random((n, m)) < 0.3)
    x[[2, 9]] = 0  # rows without any value
    if kind == "csr_f32":
        X = sp.csr_matrix((x * 0.5).astype(np.float32))
    elif kind == "dense_f32":
        X = (x * 0.5).astype(np.float32)
    else:
        X = sp.csr_matrix((x * 0.25).astype(np.float64))
    codes = rng.integers(0, len(cell_types), n)
    if nan_every:
        codes[1::nan_every] = -1
    score = (rng.integers(0, 8, n) / 4.0).astype(np.float64)
    if nan_every:
        score[::nan_every] = np.nan
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical.from_codes(codes, categories=cell_types),
            "donor": np.array([donors[i % len(donors)] for i in range(n)], dtype=object),
            "score": score,
            "n_genes": rng.integers(1, 4, n).astype(np.int64),
        },
        index=[f"{seed}_cell{i}" for i in range(n)],
    )
    if batch == "nullable":
        obs["batch"] = pd.array([i % 3 if i % 5 != 4 else None for i in range(n)], dtype="Int64")
    elif batch == "plain":
        obs["batch"] = np.array([i % 2 for i in range(n)], dtype=np.int64)
    a = ad.AnnData(X=X, obs=obs, var=pd.DataFrame(index=genes))
    a.obsm["X_emb"] = (rng.integers(-8, 8, (n, 2)) / 2.0).astype(np.float32)
    a.layers["counts"] = sp.csr_matrix(x.astype(np.int32)) if kind != "dense_f32" else x.astype(np.int32)
    return a


def _nd(seed: int, n: int, cube_dtype) -> ad.AnnData:
    """obsm entries of 3 and 4 dimensions next to a 2-D one (§7.1): MappedCollection returns row i
    of an (n, d1, d2, ...) entry as an array of shape (d1, d2, ...)."""
    rng = np.random.default_rng(seed)
    obs = pd.DataFrame(
        {"ct": pd.Categorical.from_codes(rng.integers(-1, 2, n), categories=["a", "b"])},
        index=[f"nd{seed}_{i}" for i in range(n)],
    )
    a = ad.AnnData(X=(rng.integers(0, 5, (n, 3)) * 0.5).astype(np.float32), obs=obs,
                   var=pd.DataFrame(index=["g1", "g2", "g3"]))
    a.obsm["patch"] = (rng.integers(-12, 12, (n, 2, 3)) / 4.0).astype(np.float32)
    a.obsm["cube"] = rng.integers(-50, 50, (n, 2, 2, 2)).astype(cube_dtype)
    a.obsm["pca"] = rng.integers(-9, 9, (n, 2)) / 8.0
    return a


def write_all(out: Path) -> None:
    p = {k: out / v for k, v in STORES.items()}
    p["A1"].parent.mkdir(parents=True, exist_ok=True)
    _h5(p["A1"], _a1())
    _zarr(p["A2"], _a2())
    a3 = _a2(var=("A", "B", "C"))
    a3.obs["feat1"] = pd.Categorical([np.nan, "B"], categories=["B"])
    _h5(p["A3"], a3)
    a4 = _a1()
    a4.layers["layer1"] = sp.csc_matrix(a4.layers["layer1"])
    _h5(p["A4"], a4)

    _h5(p["N_h5ad"], _n())
    _zarr(p["N_zarr"], _n())
    remove_path(p["N_zarr3"])
    write_store(_n(), p["N_zarr3"], WriteSpec(container="zarr", zarr_format=3, chunk_rows=2, chunk_1d=2,
                                              chunk_sparse=2, shard_factor=(2, 1)))
    ad.settings.zarr_write_format = 2

    _h5(p["B"], _small(["g1", "gX", "g3"], x=sp.csr_matrix(np.array([[0.7, 0, 2.2], [0, 0, 0]]))))
    e = _small(["g1", "gX", "g3"], x=np.zeros((0, 3), dtype=np.float32),
               obs=pd.DataFrame({"cat": pd.Categorical([], categories=["a"])}, index=pd.Index([], dtype=object)))
    _h5(p["E"], e)
    _legacy07(p["L"])
    ic_obs = pd.DataFrame(
        {
            "ic": pd.Categorical.from_codes([0, 1, 0, 1], categories=[20, 10]),
            "sc": pd.Categorical.from_codes([0, 1, 0, 1], categories=["y", "x"]),
        },
        index=[f"c{i}" for i in range(4)],
    )
    _h5(p["IC"], _small(["g1", "g2"], x=np.arange(8, dtype=np.float32).reshape(4, 2), obs=ic_obs))
    icn_obs = pd.DataFrame(
        {
            "ic": pd.Categorical.from_codes([0, -1, 1], categories=[20, 10]),
            "f": np.array([1.0, 3.0, 0.5]),
            "i": np.array([3, 1, 3], dtype=np.int64),
            "b": np.array([True, False, True]),
        },
        index=["c0", "c1", "c2"],
    )
    icn = _small(["g1", "g2"], x=np.arange(6, dtype=np.float32).reshape(3, 2), obs=icn_obs)
    _h5(p["ICN_h5ad"], icn)
    _zarr(p["ICN_zarr"], icn)
    _h5(p["IA"], _small(["g1", "g2"], x=np.eye(2, dtype=np.float32),
                        obs=pd.DataFrame({"i": np.array([3, 1], dtype=np.int64)}, index=["c0", "c1"])))
    _h5(p["IB"], _small(["g1", "g2"], x=np.eye(2, dtype=np.float32) * 2,
                        obs=pd.DataFrame({"i": np.array([3.0, 2.5])}, index=["c0", "c1"])))
    _h5(p["IV"], _small(["3", "1"], x=np.array([[1, 2]], dtype=np.float32)))
    _h5(p["BC"], _small(["B", "C"], x=np.array([[3, 4]], dtype=np.float32)))
    _h5(p["DUP"], _small(["A", "A", "B"], x=np.array([[1, 1, 1]], dtype=np.float32)))
    ad.settings.allow_write_nullable_strings = True
    ns = _small(["g1", "g2"], x=np.ones((3, 2), dtype=np.float32),
                obs=pd.DataFrame({"s": pd.array(["x", None, "y"], dtype="string")}, index=["c0", "c1", "c2"]))
    _h5(p["NS"], ns, convert_strings_to_categoricals=False)
    ad.settings.allow_write_nullable_strings = False

    g = GENE_POOL
    m1 = _mixed(101, 30, [g[i] for i in np.random.default_rng(1).permutation(30)],
                ["B cell", "T cell", "NK"], ["d1", "d2"], "csr_f32", 7, "nullable")
    m2 = _mixed(102, 30, g[10:35], ["Mono", "T cell"], ["d3"], "dense_f32", 6, "plain")
    m3 = _mixed(103, 36, list(reversed(g[5:25] + g[35:40])), ["B cell", "DC", "Mono", "T cell", "unused"],
                ["d1", "d4"], "csr_f64", None, None)
    _h5(p["M1"], m1)  # donor becomes categorical (strings_to_categoricals)
    m3.strings_to_categoricals()
    _zarr(p["M2"], m2, convert_strings_to_categoricals=False)  # donor stays a plain string-array
    remove_path(p["M3"])
    write_store(m3, p["M3"], WriteSpec(container="zarr", zarr_format=3, chunk_rows=5, chunk_cols=8,
                                       chunk_1d=8, chunk_sparse=32, shard_factor=(2, 2)))
    ad.settings.zarr_write_format = 2

    # chunks of (rows, 1, d2, ...): a row's block spans several chunks along its first axis
    remove_path(p["ND_h5ad"])
    write_store(_nd(201, 5, np.int64), p["ND_h5ad"], WriteSpec(container="h5", chunk_rows=3, chunk_cols=1,
                                                               chunk_1d=4, h5_compression="gzip"))
    remove_path(p["ND_zarr"])
    write_store(_nd(202, 4, np.int32), p["ND_zarr"], WriteSpec(container="zarr", zarr_format=2, chunk_rows=3,
                                                               chunk_cols=1, chunk_1d=4))
    remove_path(p["ND_zarr3"])
    write_store(_nd(203, 6, np.int64), p["ND_zarr3"], WriteSpec(container="zarr", zarr_format=3, chunk_rows=2,
                                                                chunk_cols=1, chunk_1d=4, shard_factor=(2, 2)))
    ad.settings.zarr_write_format = 2
