#!/usr/bin/env python3
"""Run lamindb's MappedCollection over collections of the real stores (testdata/real-stores).

Usage: python/.venv/bin/python python/gen_real_store_reference.py [REAL_STORES_DIR [OUTFILE]]
       (defaults: testdata/real-stores of the repository, and
        flink-connector-anndata/src/test/resources/reference/real_store_cases.json)

The real stores were written by ten years of anndata releases (see testdata/real-stores/README.md).
Each case below is one MappedCollection over some of them; its result is recorded as "error" or as
"expected" (len, shape, joins, encoders, merged categories and every sample), for the Java test
tools/.../cli/RealStoresDumpReferenceTest, which runs the `dump` and `summary` commands on the same
stores with the same options and compares.

What lamindb 2.12.1 cannot read is left out (the cases below never name it; `main` probes each one
and records lamindb's actual error under "excluded" in the output, so a lamindb upgrade that fixes
one shows up there):

- every `.zarr.zip` store: MappedCollection opens every regular file as HDF5 ("file signature not
  found"). Our reader supports them (docs/semantics.md §14 D11).
- `anndata-archives/v0.5.0/adata.h5ad` (pre-0.7 layout): obs/var are compound datasets and lamindb's
  key cache calls `.keys()` on the obs Dataset (AttributeError). Our reader supports them (§6.1, §8.1).
- the vitessce anndata 0.11 stores **with obs keys or an obs filter**: anndata 0.11 wrote the
  categories of `obs/leiden` as a nullable-string-array *group* (`values` + `mask`), and lamindb
  indexes that group as if it were an array (`cats[0]` → zarr "path=0 is not a string"). Without
  obs keys they are fine and are part of every "all versions" collection.

Read fine and recorded as the error both sides must raise: CSC `X` (vitessce `anndata-csc.zarr`
of every version), a CSC layer (`anndataR` `csc_counts`), a store without `X`
(`anndata-archives/v0.11.4/adata.h5ad`), an inner join without shared vars.

Where lamindb's answer differs from our rule (docs/semantics.md §14 or the var rule of
§6.2), the case carries "python_differs" (the item), "reason", "differs_in" (the fields and sample
keys that are affected) and our answer for the label side under "ours"; the affected Python values
are removed from "expected" (for D8 they change from one process to the next). Label-side rules are
checked with label_oracle.py (as gen_reference.py does), the var join with `_ours_join` below.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

from fixture_common import REPO_ROOT, attr_str, dense_json, dump_json, generator_versions, json_scalar, open_group
from gen_reference import DEFAULTS, _err, _jsonable_options, classify_error
from label_oracle import Oracle, _values

warnings.filterwarnings("ignore")

DEFAULT_STORES = REPO_ROOT / "testdata" / "real-stores"
DEFAULT_OUT = REPO_ROOT / "flink-connector-anndata/src/test/resources/reference/real_store_cases.json"
NAN = float("nan")
MAX_SAMPLES = 200  # per case; every store here is small, so no case reaches it

# ---- the stores -----------------------------------------------------------------------------

VIT_VERSIONS = ["0.7", "0.8", "0.9", "0.10", "0.11", "0.12"]
# dense and CSR X (0.7 names its CSR store anndata-csr.zarr, 0.9 has both spellings)
VIT_READABLE = {
    "0.7": ["anndata-dense.zarr", "anndata-csr.zarr"],
    "0.8": ["anndata-dense.zarr", "anndata-csr.adata.zarr"],
    "0.9": ["anndata-dense.zarr", "anndata-csr.adata.zarr", "anndata-csr.zarr"],
    "0.10": ["anndata-dense.zarr", "anndata-csr.adata.zarr"],
    "0.11": ["anndata-dense.zarr", "anndata-csr.adata.zarr"],
    "0.12": ["anndata-dense.zarr", "anndata-csr.adata.zarr"],
}


def vit(version: str, name: str) -> str:
    return f"vitessce/anndata-{version}/{name}"


VIT_ALL = [vit(v, n) for v in VIT_VERSIONS for n in VIT_READABLE[v]]  # 13 stores
# lamindb fails on the 0.11 leiden categories (nullable-string group): not with obs keys/filters
VIT_OBS = [p for p in VIT_ALL if "/anndata-0.11/" not in p]  # 11 stores
VIT_CSC = [vit(v, "anndata-csc.zarr") for v in VIT_VERSIONS]
EX = "anndataR/example.h5ad"
A70, A78 = "anndata-archives/v0.7.0/adata.h5ad", "anndata-archives/v0.7.8/adata.h5ad"
A114 = "anndata-archives/v0.11.4/adata.h5ad"

EXCLUDED = [
    ("anndata-archives/v0.5.0/adata.h5ad", {}, "pre-0.7 layout: obs/var are HDF5 compound datasets; lamindb's "
     "key cache calls .keys() on the obs Dataset"),
    ("anndata-archives/v0.7.0/adata.zarr.zip", {}, "zipped zarr: lamindb opens every regular file as HDF5 (D11)"),
    ("anndata-archives/v0.7.8/adata.zarr.zip", {}, "zipped zarr: lamindb opens every regular file as HDF5 (D11)"),
    ("anndata-archives/v0.11.4/adata.zarr.zip", {}, "zipped zarr: lamindb opens every regular file as HDF5 (D11)"),
] + [
    (vit("0.11", n), {"obs_keys": ["leiden"]}, "anndata 0.11 wrote the leiden categories as a nullable-string-array "
     "group; lamindb indexes the group like an array (cats[0]). Same with an obs_filter on leiden")
    for n in VIT_READABLE["0.11"]
]

EX_OBS = ["Float", "FloatNA", "Int", "IntNA", "Bool", "BoolNA", "leiden"]
ARCH_OBS = ["obs_cat", "cat_ordered", "int64", "float64", "uint8"]
VIT_LAYERS = ["X", "float32", "int32", "int64"]

# ---- the cases ------------------------------------------------------------------------------

CASES: list[dict] = []


def case(cid: str, paths: list[str], *, note: str | None = None, text_like: str | None = None,
         **options) -> None:
    """One MappedCollection run. ``text_like`` names the case whose answer the text surfaces (the
    CLI, configuration strings) give for this one: a number written as text is typed by its column
    (docs/semantics.md D17), so e.g. ``1`` on a column of string categories selects the string "1"."""
    unknown = set(options) - set(DEFAULTS)
    assert not unknown, unknown
    assert cid not in {c["id"] for c in CASES}, cid
    CASES.append({"id": cid, "paths": list(paths), "note": note, "text_like": text_like, "options": options})


def define_cases() -> None:
    # ---- vitessce: the same 3 x 15 AnnData written by anndata 0.7 ... 0.12 -------------------
    for join in ("inner", "outer", None):
        case(f"vit-all-{join}", VIT_ALL, join=join, note="dense + CSR stores of every anndata version")
        case(f"vit-all-layers-{join}", VIT_ALL, join=join, layers_keys=VIT_LAYERS, obsm_keys="X_umap")
        case(f"vit-obs-leiden-{join}", VIT_OBS, join=join, obs_keys="leiden",
             note="without the 0.11 stores (lamindb cannot read their categories)")
    case("vit-all-reversed-outer", VIT_ALL[::-1], join="outer", layers_keys=["int64", "X"])
    case("vit-all-reversed-inner", VIT_ALL[::-1], join="inner", obsm_keys="X_umap")
    case("vit-all-0.11-first-outer", [VIT_ALL[8]] + VIT_ALL[:8] + VIT_ALL[9:], join="outer")
    case("vit-all-layers-f32-outer", VIT_ALL, join="outer", layers_keys=VIT_LAYERS, obsm_keys="X_umap", dtype="float32")
    case("vit-all-layers-f64-inner", VIT_ALL, join="inner", layers_keys=VIT_LAYERS, obsm_keys="X_umap", dtype="float64")
    case("vit-all-layers-i32-none", VIT_ALL, join=None, layers_keys=VIT_LAYERS, obsm_keys="X_umap", dtype="int32")
    case("vit-all-layers-i64-outer", VIT_ALL, join="outer", layers_keys=VIT_LAYERS, dtype="int64")
    case("vit-all-int-layers-only", VIT_ALL, layers_keys=["int32", "int64"])
    case("vit-all-no-layers", VIT_ALL, layers_keys=[], obsm_keys="X_umap")
    case("vit-obs-leiden-plain", VIT_OBS, join="outer", obs_keys="leiden", encode_labels=False)
    case("vit-obs-leiden-enc-list", VIT_OBS, obs_keys="leiden", encode_labels=["leiden"], layers_keys=["int32"])
    case("vit-obs-everything-f32", VIT_OBS, join="inner", layers_keys=VIT_LAYERS, obsm_keys="X_umap",
         obs_keys="leiden", dtype="float32")
    case("vit-obs-filter-2", VIT_OBS, join="outer", obs_filter={"leiden": ["2"]}, obs_keys="leiden")
    case("vit-obs-filter-1-none", VIT_OBS, join=None, obs_filter={"leiden": "1"}, layers_keys=["X", "int64"],
         obs_keys="leiden", encode_labels=False)
    case("vit-obs-filter-nan-2", VIT_OBS, obs_filter={"leiden": [NAN, "2"]}, obs_keys="leiden")
    case("vit-obs-filter-nomatch", VIT_OBS, join="outer", obs_filter={"leiden": ["9"]}, obs_keys="leiden")
    case("vit-obs-filter-number", VIT_OBS, obs_filter={"leiden": [1]}, text_like="vit-obs-filter-string-1",
         note="the number 1 never equals the string label '1'")
    case("vit-obs-filter-string-1", VIT_OBS, obs_filter={"leiden": ["1"]},
         note="what the text 1 selects on the command line: leiden's categories are strings")
    case("vit-obs-filter-no-obs-keys", VIT_OBS, obs_filter={"leiden": ["1", "2"]}, layers_keys=["float32"])
    case("vit-obs-unknown-scalar", VIT_OBS, obs_keys="leiden", unknown_label="1")
    case("vit-obs-unknown-map", VIT_OBS, obs_keys="leiden", unknown_label={"leiden": "2"}, join="outer")
    case("vit-obs-unknown-absent", VIT_OBS, obs_keys="leiden", unknown_label="7")
    for p in VIT_CSC:
        case(f"vit-csc-{p.split('/')[1]}", [p])
    case("vit-csc-mixed", [vit("0.12", "anndata-dense.zarr"), vit("0.7", "anndata-csc.zarr")], join="outer")

    # ---- anndataR example.h5ad (anndata 0.11.4): nullable columns, CSR/CSC/dense layers ---------
    case("ex-obs-plain", [EX], obs_keys=EX_OBS, encode_labels=False, layers_keys=["dense_counts"])
    case("ex-obs-enc-safe", [EX], obs_keys=["Float", "Int", "Bool", "leiden"], layers_keys=[])
    case("ex-obs-enc-nullable", [EX], obs_keys=["IntNA", "BoolNA", "leiden"], layers_keys=[])
    case("ex-obs-enc-floatna", [EX], obs_keys=["FloatNA", "Int"], layers_keys=[])
    case("ex-obs-enc-list", [EX], obs_keys=["FloatNA", "IntNA", "BoolNA", "leiden"], encode_labels=["leiden"],
         layers_keys=[])
    case("ex-obs-unknown-map", [EX], obs_keys=["leiden", "Int"], unknown_label={"leiden": "0", "Int": 3},
         layers_keys=[])
    case("ex-obs-unknown-scalar", [EX], obs_keys=["leiden"], unknown_label="5", layers_keys=["dense_counts"])
    case("ex-layers", [EX], layers_keys=["X", "counts", "dense_counts"], obsm_keys=["X_umap"])
    case("ex-layers-obsm", [EX], layers_keys=["dense_X"], obsm_keys=["X_pca", "X_umap"])
    case("ex-layers-f32", [EX], layers_keys=["dense_counts", "counts"], dtype="float32", obs_keys="leiden")
    case("ex-layers-i64", [EX], layers_keys=["counts", "dense_X"], dtype="int64")
    case("ex-layers-missing", [EX], layers_keys=["dense_counts", "nope", "raw.X"], obsm_keys=["nope"],
         note="absent layers, raw and obsm are omitted from the samples")
    case("ex-csc-layer", [EX], layers_keys=["X", "csc_counts"])
    case("ex-filter-leiden", [EX], obs_filter={"leiden": ["3", "5"]}, obs_keys=["leiden", "Int"],
         layers_keys=["dense_counts"])
    case("ex-filter-floatna-nan", [EX], obs_filter={"FloatNA": [NAN]}, obs_keys=["FloatNA", "IntNA", "BoolNA"],
         encode_labels=False)
    case("ex-filter-intna", [EX], obs_filter={"IntNA": [42]}, obs_keys=["Int"], layers_keys=[])
    case("ex-filter-boolna-nan-false", [EX], obs_filter={"BoolNA": [NAN, False]}, obs_keys=EX_OBS,
         encode_labels=False)
    case("ex-filter-bool-int", [EX], obs_filter={"Bool": [True], "Int": [1, 2, 3, 10, 20, 49]}, obs_keys=["Int"],
         layers_keys=["X"])
    case("ex-filter-float", [EX], obs_filter={"Float": [42.42]}, layers_keys=[], obs_keys=["leiden"])
    case("ex-twice-outer", [EX, EX], join="outer", obs_keys="leiden", layers_keys=["dense_counts"])

    # ---- anndata-archives 0.7.0 / 0.7.8 h5ad: __categories, object-reference categories, raw ----
    for tag, p in (("070", A70), ("078", A78)):
        case(f"arch{tag}-plain", [p], obs_keys=ARCH_OBS, encode_labels=False,
             layers_keys=["X", "array", "sparse", "raw.X"], obsm_keys=["array", "sparse"])
        case(f"arch{tag}-enc", [p], obs_keys=ARCH_OBS, layers_keys=[])
    for join in ("inner", "outer", None):
        case(f"arch-both-{join}", [A70, A78], join=join, obs_keys=["obs_cat", "int64"], layers_keys=["X", "raw.X"])
    case("arch-both-filter", [A70, A78], obs_filter={"obs_cat": ["h", "W", "R"]}, obs_keys=["obs_cat", "uint8"])
    case("arch-both-filter-int", [A78, A70], obs_filter={"int64": [-29, 21, -44], "uint8": [73, 226, 171, 63]},
         obs_keys=["int64"], encode_labels=False)
    case("arch-both-unknown", [A70, A78], obs_keys=["obs_cat", "cat_ordered"], unknown_label={"obs_cat": "h"},
         encode_labels=["obs_cat"], layers_keys=[])
    case("arch-obsm-df", [A70], obsm_keys=["df"], note="a dataframe obsm entry cannot be read as a row")
    case("arch-no-x", [A114], note="anndata 0.11 AnnData(shape=(10, 20)): a store without X")

    # ---- mixed collections ----------------------------------------------------------------------
    case("mix-arch-vit-outer", [A78, vit("0.12", "anndata-dense.zarr")], join="outer",
         obs_keys=["obs_cat", "leiden"], encode_labels=False)
    case("mix-arch-vit-inner", [A78, vit("0.12", "anndata-dense.zarr")], join="inner")
    case("mix-none", [A70, EX, vit("0.7", "anndata-csr.zarr")], join=None, obs_keys="leiden", obsm_keys="X_umap")
    case("mix-all-outer-f32", [A70, A78, EX, vit("0.12", "anndata-csr.adata.zarr"), vit("0.7", "anndata-dense.zarr"),
                               vit("0.11", "anndata-dense.zarr")], join="outer", dtype="float32", obsm_keys="X_umap")
    case("mix-leiden-outer", [EX, vit("0.12", "anndata-csr.adata.zarr"), vit("0.9", "anndata-csr.zarr")],
         join="outer", obs_keys="leiden", obs_filter={"leiden": ["2", "4"]})
    case("mix-leiden-enc-none", [vit("0.10", "anndata-dense.zarr"), EX], join=None, obs_keys=["leiden", "Int"],
         encode_labels=["leiden"], layers_keys=["int64", "dense_counts"])


# ---- our rules, independently of lamindb ----------------------------------------------------


def _var_names(root) -> list[str]:
    var = root["var"]
    key = attr_str(var.attrs.get("_index", "_index"))
    return [str(v) for v in _values(var[key])]


def _ours_join(var_lists: list[list[str]], join):
    """§6.2–6.5: (effective join, var_joint) or raises ValueError."""
    if join is None:
        return None, None
    if all(v == var_lists[0] for v in var_lists[1:]):
        return None, var_lists[0]
    if join == "inner":
        common = set(var_lists[0]).intersection(*map(set, var_lists[1:]))
        out = list(dict.fromkeys(v for v in var_lists[0] if v in common))
        if not out:
            raise ValueError("no shared variables")
        return "inner", out
    acc = var_lists[0]
    for vk in var_lists[1:]:
        if not vk or acc == vk:
            continue
        acc = vk if not acc else sorted(set(acc) | set(vk))
    return "outer", acc


def _n_rows(root) -> int:
    x = root["X"]
    return int(x.shape[0]) if hasattr(x, "dtype") else int(x.attrs["shape"][0])


def _label_json(v):
    return json_scalar(v)


def _strict_same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return a == b


def _conv_sample(rec: dict) -> dict:
    out = {}
    for k, v in rec.items():
        if isinstance(v, np.ndarray):
            out[k] = dense_json(v)
            out[f"{k}.dtype"] = str(v.dtype)
        else:
            out[k] = json_scalar(v)
    return out


# ---- running --------------------------------------------------------------------------------


def run_case(c: dict, root: Path, MappedCollection) -> dict:  # noqa: N803, C901
    opts = c["options"]
    paths = c["paths"]
    rec: dict = {"id": c["id"], "paths": paths, "options": _jsonable_options(opts)}
    if c["note"]:
        rec["note"] = c["note"]
    if c.get("text_like"):
        rec["text_like"] = c["text_like"]
    obs_keys = opts.get("obs_keys")
    obs_keys = [obs_keys] if isinstance(obs_keys, str) else obs_keys
    enc = opts.get("encode_labels", True)
    enc_keys = (obs_keys or []) if enc is True else (enc or []) if isinstance(enc, list) else []
    unknown = opts.get("unknown_label")

    try:
        mc = MappedCollection(paths, **opts)
    except Exception as ex:  # noqa: BLE001
        rec["error"] = _err(ex, root)
        return rec

    e: dict = {"len": len(mc), "shape": [int(mc.shape[0]), None if mc.shape[1] is None else int(mc.shape[1])]}
    e["original_shapes"] = [[int(a), None if b is None else int(b)] for a, b in mc.original_shapes]
    e["var_joint"] = None if mc.var_joint is None else [str(v) for v in mc.var_joint]
    e["effective_join"] = mc.join_vars
    e["indices_list"] = [[int(i) for i in v] for v in mc.indices_list]
    encoders = getattr(mc, "encoders", {}) if obs_keys is not None else {}
    e["encoders"] = {k: [[_label_json(a), int(b)] for a, b in v.items()] for k, v in encoders.items()}
    e["merged_categories"] = {}
    for k in obs_keys or []:
        try:
            e["merged_categories"][k] = [_label_json(v) for v in mc.get_merged_categories(k)]
        except Exception as ex:  # noqa: BLE001
            e["merged_categories"][k] = {"error": _err(ex, root)}
    samples = []
    sample_errors = []
    for i in range(min(len(mc), MAX_SAMPLES)):
        try:
            samples.append(_conv_sample(mc[i]))
        except Exception as ex:  # noqa: BLE001
            samples.append({"error": _err(ex, root)})
            sample_errors.append((i, ex))
    e["samples"] = samples
    if len(mc) > MAX_SAMPLES:
        e["samples_capped_at"] = MAX_SAMPLES
    mc.close()

    # ---- compare with our rules --------------------------------------------------------------
    found: dict[str, str] = {}  # item -> reason
    diffs: list[str] = []
    ours: dict = {}
    roots = [open_group(root / p) for p in paths]
    try:
        oracle = Oracle(roots, [_n_rows(r) for r in roots])
        our_idx = oracle.filter_indices(opts.get("obs_filter"))
        if our_idx != e["indices_list"]:
            found["D?"] = "Python kept other rows than our filter rule"
            diffs.append("indices_list")
            ours["indices_list"] = our_idx
        # var join (§6)
        var_lists = [_var_names(r) for r in roots]
        try:
            our_eff, our_joint = _ours_join(var_lists, opts.get("join", "inner"))
        except ValueError:
            our_eff, our_joint = "error", None
        if our_joint != e["var_joint"]:
            found["D?"] = "var_joint differs from our join rule"
            diffs.append("var_joint")
            ours["var_joint"] = our_joint
        if our_eff != e["effective_join"]:
            diffs.append("effective_join")
            ours["effective_join"] = our_eff
            v11 = [p for p in paths if "/anndata-0.11/" in p]
            if our_eff is None and v11 and our_joint == e["var_joint"]:
                found["var-index-dtype"] = (
                    "the anndata 0.11 stores hold var/_index as a nullable-string-array, which lamindb reads as a "
                    "pandas 'string' Index; Index.equals is false against the other stores' object Index, so "
                    "lamindb keeps the inner/outer join where §6.2 short-circuits (identical names). var_joint "
                    "and every value are the same either way")
            else:
                found["D?"] = "effective join differs from §6.2"
        # labels (§5, §8)
        for k in obs_keys or []:
            our_cats = oracle.merged_categories(k)
            py = e["merged_categories"][k]
            if isinstance(py, dict) or not all(_strict_same(a, b) for a, b in zip(py, our_cats)) or len(py) != len(
                    our_cats):
                diffs.append(f"merged_categories.{k}")
                ours.setdefault("merged_categories", {})[k] = our_cats
                if not isinstance(py, dict) and None in py:
                    found["D8"] = ("merged categories / encoders of a column with missing values contain NaN, whose "
                                   "sort position (and so the codes) changes between processes")
                else:
                    found["D?"] = f"merged categories of {k} differ"
        our_enc = {k: oracle.encoder(k, unknown) for k in enc_keys}
        for k, pairs in our_enc.items():
            py = e["encoders"].get(k, [])
            same = len(py) == len(pairs) and all(_strict_same(a[0], b[0]) and a[1] == b[1] for a, b in zip(
                sorted(py, key=lambda x: x[1]), sorted(pairs, key=lambda x: x[1])))
            if not same:
                diffs.append(f"encoders.{k}")
                ours.setdefault("encoders", {})[k] = pairs
                if any(a is None for a, _ in py):
                    found.setdefault("D8", "NaN among the encoder's labels")
                else:
                    found["D?"] = f"encoder of {k} differs"
        # per-sample labels
        if obs_keys and "indices_list" not in diffs:
            enc_maps = {k: {(json_scalar(a) if not isinstance(a, str) else a): code for a, code in pairs}
                        for k, pairs in our_enc.items()}
            offsets = np.cumsum([0] + [len(v) for v in e["indices_list"]])
            want_all = []
            bad_keys: set[str] = set()
            for g, smp in enumerate(samples):
                s = int(np.searchsorted(offsets, g, side="right") - 1)
                row = e["indices_list"][s][g - offsets[s]]
                want = {}
                for k in obs_keys:
                    labels, _ = oracle.labels(s, k)
                    if labels is None:
                        continue
                    lab = json_scalar(labels[row])
                    want[k] = enc_maps[k][lab] if (k in enc_maps and lab is not None) else lab
                want_all.append(want)
                if "error" in smp:
                    continue  # the whole sample is compared with ours (below)
                for k in obs_keys:
                    if (k in want) != (k in smp) or (k in want and not _strict_same(smp[k], want[k])):
                        bad_keys.add(k)
            for i, ex in sample_errors:
                if isinstance(ex, KeyError):
                    found["D4"] = ("a plain float column with NaN, encoded: lamindb raises KeyError(nan) on reading "
                                   "that sample; our rule gives MISSING (null)")
                    diffs.append(f"samples[{i}]")
                else:
                    d = classify_error(_err(ex, root)) or "D?"
                    found[d] = f"reading sample {i} fails: {_err(ex, root)}"
                    diffs.append(f"samples[{i}]")
            # codes from an encoder that differs (D8: NaN among the labels) change between processes,
            # even where they happen to agree with ours in this run
            bad_keys.update(k for k in obs_keys if f"encoders.{k}" in diffs)
            for k in obs_keys:
                if k in bad_keys:
                    diffs.append(f"samples.{k}")
                    if f"encoders.{k}" not in diffs and not sample_errors:
                        found["D?"] = f"sample labels of {k} differ"
            if bad_keys or sample_errors:
                ours["samples_obs"] = want_all
    except Exception:  # noqa: BLE001
        print(f"case {c['id']}: could not apply our rules", file=sys.stderr)
        raise
    finally:
        for r in roots:
            if hasattr(r, "close"):
                r.close()

    if sample_errors and not diffs:
        # a failure that is no label rule of ours (e.g. a dataframe obsm): dump must fail too
        i, ex = sample_errors[0]
        rec["error"] = f"reading sample {i}: {_err(ex, root)}"
        return rec

    # drop what Python got wrong (and, for D8, what changes between processes) from "expected"
    for d in diffs:
        if d.startswith("samples."):
            k = d.split(".", 1)[1]
            for smp in samples:
                smp.pop(k, None)
        elif d.startswith("encoders."):
            e["encoders"].pop(d.split(".", 1)[1], None)
        elif d.startswith("merged_categories."):
            e["merged_categories"].pop(d.split(".", 1)[1], None)
    if "effective_join" in diffs:
        e["effective_join_python"] = e.pop("effective_join")
    rec["expected"] = e
    if diffs:
        if "D?" in found:
            print(f"WARNING: case {c['id']} differs from our rule for an unexplained reason: {found['D?']} "
                  f"({diffs})", file=sys.stderr)
        items = sorted(found, key=lambda d: (len(d), d))
        rec["python_differs"] = ",".join(items)
        rec["reason"] = "; ".join(f"{d}: {found[d]}" for d in items)
        rec["differs_in"] = diffs
        rec["ours"] = ours
    return rec


def probe_excluded(root: Path, MappedCollection) -> list[dict]:  # noqa: N803
    out = []
    for p, opts, why in EXCLUDED:
        try:
            mc = MappedCollection([p], **opts)
            mc[0]
            mc.close()
            got = "no error (lamindb can read it now: move it into the cases)"
            print(f"note: excluded store {p} {opts} is readable by this lamindb", file=sys.stderr)
        except Exception as ex:  # noqa: BLE001
            got = _err(ex, root)
        out.append({"path": p, "options": opts, "why": why, "lamindb_error": got})
    return out


def main(argv: list[str]) -> int:
    stores = Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_STORES.resolve()
    out = Path(argv[2]).resolve() if len(argv) > 2 else DEFAULT_OUT
    if not (stores / "vitessce").is_dir():
        print(f"real stores not found at {stores}", file=sys.stderr)
        return 1
    from lamindb.core import MappedCollection

    define_cases()
    os.chdir(stores)  # relative paths: no machine path in messages
    results = []
    for c in CASES:
        try:
            results.append(run_case(c, stores, MappedCollection))
        except Exception:  # noqa: BLE001
            print(f"case {c['id']} crashed the runner", file=sys.stderr)
            traceback.print_exc()
            return 1
    doc = {
        "generator": generator_versions(),
        "real_stores": "paths are relative to testdata/real-stores (see its README.md)",
        "excluded": probe_excluded(stores, MappedCollection),
        "cases": results,
    }
    dump_json(doc, out)
    n_err = sum(1 for r in results if "error" in r)
    n_diff = sum(1 for r in results if "python_differs" in r)
    size = out.stat().st_size
    print(f"wrote {len(results)} cases ({n_err} errors, {n_diff} python_differs, {size} bytes) to {out}")
    if size > 2_000_000:
        print("ERROR: real_store_cases.json is over 2 MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
