"""Helpers shared by gen_fixtures.py and gen_reference.py.

Everything here is about *writing* AnnData stores with the pinned real writers (anndata, h5py,
zarr-python) under explicit chunk / shard / codec control, and about turning values into JSON that
the Java tests can compare against.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import warnings
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp
import zarr
from anndata.experimental import write_dispatched

REPO_ROOT = Path(__file__).resolve().parent.parent

# anndata 0.13 makes sharded zarr v3 the default; 0.12 warns that it will. We choose explicitly.
warnings.filterwarnings("ignore", message=".*autosharding will be the default.*")
warnings.filterwarnings("ignore", message=".*Consolidated metadata is currently not part.*")
warnings.filterwarnings("ignore", message=".*Duplicate name.*")
warnings.filterwarnings("ignore", category=FutureWarning)


def generator_versions() -> dict[str, str]:
    names = ["anndata", "zarr", "h5py", "numcodecs", "numpy", "pandas", "scipy", "lamindb"]
    out = {}
    for n in names:
        try:
            out[n] = version(n)
        except Exception:  # noqa: BLE001 - lamindb is optional for the fixture generator
            out[n] = None
    out["hdf5"] = h5py.version.hdf5_version
    return out


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@dataclass
class WriteSpec:
    """How to lay out the arrays of one store.

    container: "h5" or "zarr"; zarr_format 2 or 3.
    chunk_rows / chunk_cols: chunk shape of dense 2-D arrays (cols None = full width);
    1-D arrays (obs columns, CSR parts) use chunk_1d elements (None = writer default).
    shard_factor: v3 only; (rows, cols) multiples of the chunk shape forming one shard,
    so each shard holds several inner chunks. None = unsharded.
    """

    container: str
    zarr_format: int = 2
    chunk_rows: int | None = 7
    chunk_cols: int | None = None
    chunk_1d: int | None = 16
    chunk_sparse: int | None = 64  # 1-D chunk of CSR/CSC data/indices/indptr
    shard_factor: tuple[int, int] | None = None
    index_location: str = "end"
    compressors: Any = "default"  # zarr: codec/list/None; "default" = leave writer default
    h5_compression: str | None = None
    h5_compression_opts: Any = None
    big_endian: bool = False
    order_f_for: tuple[str, ...] = ()  # element paths (e.g. "X", "layers/a") written in order "F" (v2)
    separator: str | None = None  # v2 dimension_separator
    writer_chunks: bool = False  # zarr: leave chunks (and shards) entirely to anndata / zarr-python

    def _chunks(self, shape: tuple[int, ...], sparse_part: bool = False) -> tuple[int, ...]:
        if len(shape) == 1:
            c = self.chunk_sparse if sparse_part else self.chunk_1d
            c = c if c is not None else max(shape[0], 1)
            return (max(1, min(c, shape[0])),)
        rows = self.chunk_rows if self.chunk_rows is not None else shape[0]
        cols = self.chunk_cols if self.chunk_cols is not None else shape[1]
        out = [max(1, min(rows, shape[0])), max(1, min(cols, shape[1]))]
        out += [max(1, s) for s in shape[2:]]
        return tuple(out)

    def array_kwargs(self, name: str, shape: tuple[int, ...], numeric: bool, sparse_part: bool = False) -> dict:
        chunks = self._chunks(shape, sparse_part)
        if self.container == "h5":
            if 0 in shape:
                return {}  # h5py cannot chunk (and so cannot filter) an empty fixed-size dataset
            kw: dict[str, Any] = {"chunks": chunks}
            if self.h5_compression is not None:
                kw["compression"] = self.h5_compression
                if self.h5_compression_opts is not None:
                    kw["compression_opts"] = self.h5_compression_opts
            return kw
        kw = {} if self.writer_chunks else {"chunks": chunks}
        if self.compressors != "default":
            kw["compressors"] = self.compressors
        if self.zarr_format == 3 and self.shard_factor is not None and not self.writer_chunks:
            rows_k, cols_k = self.shard_factor
            # 1-D arrays get as many inner chunks per shard as a 2-D shard holds
            f = [rows_k * cols_k] if len(chunks) == 1 else [rows_k, cols_k] + [1] * (len(chunks) - 2)
            kw["shards"] = {
                "shape": tuple(c * k for c, k in zip(chunks, f)),
                "index_location": self.index_location,
            }
        if self.zarr_format == 3 and self.big_endian and numeric:
            from zarr.codecs import BytesCodec

            kw["serializer"] = BytesCodec(endian="big")
        if self.zarr_format == 2:
            if self.separator is not None:
                kw["chunk_key_encoding"] = {"name": "v2", "separator": self.separator}
            if name.strip("/") in self.order_f_for and len(shape) == 2:
                kw["order"] = "F"
        return kw


def _is_numeric(dtype: np.dtype) -> bool:
    return dtype.kind in "biuf"


def _to_big_endian(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iuf" and a.dtype.itemsize > 1:
        return a.astype(a.dtype.newbyteorder(">"))
    return a


def write_store(adata: ad.AnnData, path: Path, spec: WriteSpec, zip_path: Path | None = None) -> None:
    """Write adata with anndata's dispatched writer, choosing per-array storage options."""

    def callback(write_func, store, elem_name, elem, *, dataset_kwargs, iospec):
        kw = dict(dataset_kwargs)
        if elem is None and elem_name == "/raw" and spec.container == "h5":
            return  # write_h5ad leaves raw out when it is None; zarr writes a `null` element
        if isinstance(elem, np.ndarray) and elem.ndim >= 1 and elem.dtype.names is None:
            numeric = _is_numeric(elem.dtype)
            kw.update(spec.array_kwargs(elem_name, elem.shape, numeric))
            if spec.big_endian and spec.zarr_format == 2 and spec.container == "zarr" and numeric:
                elem = _to_big_endian(elem)
        elif isinstance(elem, (sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array)):
            kw.update(spec.array_kwargs(elem_name, (elem.nnz,), True, sparse_part=True))
            kw.pop("order", None)
        write_func(store, elem_name, elem, dataset_kwargs=kw)

    if spec.container == "h5":
        path.parent.mkdir(parents=True, exist_ok=True)
        with h5py.File(path, "w") as f:
            write_dispatched(f, "/", adata, callback=callback)
        return
    ad.settings.zarr_write_format = spec.zarr_format
    if zip_path is not None:
        path = zip_path
        path.parent.mkdir(parents=True, exist_ok=True)
        store = zarr.storage.ZipStore(path, mode="w")
        g = zarr.open_group(store, mode="w", zarr_format=spec.zarr_format)
        write_dispatched(g, "/", adata, callback=callback)
        zarr.consolidate_metadata(store)
        store.close()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    g = zarr.open_group(str(path), mode="w", zarr_format=spec.zarr_format)
    write_dispatched(g, "/", adata, callback=callback)
    zarr.consolidate_metadata(str(path))


def remove_path(p: Path) -> None:
    if p.is_dir():
        shutil.rmtree(p)
    elif p.exists():
        p.unlink()


def zip_dir(src: Path, dst: Path) -> None:
    """Zip a directory store with STORED entries in sorted order (deterministic listing)."""
    remove_path(dst)
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_STORED) as zf:
        for f in sorted(p for p in src.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f.relative_to(src).as_posix(), date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(info, f.read_bytes())


# --------------------------------------------------------------------------------------------
# Reading back, JSON conversion
# --------------------------------------------------------------------------------------------


def open_group(path: Path):
    """Open a store read-only as an h5py.File or zarr.Group (zip supported)."""
    if path.is_file() and not path.name.endswith(".zip"):
        return h5py.File(path, "r")
    if path.name.endswith(".zip"):
        return zarr.open_group(zarr.storage.ZipStore(path, mode="r"), mode="r")
    return zarr.open_group(str(path), mode="r")


def read_adata(path: Path) -> ad.AnnData:
    if path.is_file() and not path.name.endswith(".zip"):
        return ad.read_h5ad(path)
    if path.name.endswith(".zip"):
        return ad.read_zarr(zarr.storage.ZipStore(path, mode="r"))
    return ad.read_zarr(str(path))


def attr_str(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bytes):
        return v.decode()
    return str(v)


def json_scalar(v):
    """Python/numpy scalar → JSON value; NaN / NA → None."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def json_number(v, kind: str):
    """Matrix value → JSON; special floats as strings."""
    if kind in "iu":
        return int(v)
    if kind == "b":
        return bool(v)
    f = float(v)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return f


def dense_json(a: np.ndarray):
    kind = a.dtype.kind
    if a.ndim == 0:
        return json_number(a[()], kind)
    return [dense_json(x) if a.ndim > 1 else json_number(x, kind) for x in a]


def _compact(obj, depth: int) -> str:
    """JSON with objects indented, but every list of scalars (or of such lists) on one line."""

    def flat(o) -> bool:
        if isinstance(o, list):
            return all(flat(x) for x in o)
        return not isinstance(o, dict)

    if isinstance(obj, dict) and obj:
        pad = " " * (depth + 1)
        items = [
            pad + json.dumps(str(k), ensure_ascii=False) + ": " + _compact(v, depth + 1)
            for k, v in obj.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    if isinstance(obj, list) and obj and not flat(obj):
        pad = " " * (depth + 1)
        return "[\n" + ",\n".join(pad + _compact(v, depth + 1) for v in obj) + "\n" + " " * depth + "]"
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dump_json(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _compact(obj, 0)
    json.loads(text)  # self-check
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def rel(p: Path, base: Path) -> str:
    return os.path.relpath(p, base).replace(os.sep, "/")
