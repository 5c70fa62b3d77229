#!/usr/bin/env python3
"""Run lamindb's MappedCollection over reference stores and record what it returns.

Usage: python/.venv/bin/python python/gen_reference.py [OUTDIR]
       (default OUTDIR: flink-connector-anndata/src/test/resources/reference)

Writes OUTDIR/stores/* (see reference_stores.py) and OUTDIR/cases.json. Each case is one
MappedCollection construction with the options recorded; its result is either "error" or
"expected" (everything observable: structure, every sample, helpers). Label-related results are
compared against label_oracle.py (our rule, docs/semantics.md); where Python differs
the case carries "python_differs" (the §14 item), "differs_in" and our answer under "ours".
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from pathlib import Path

import numpy as np

from fixture_common import REPO_ROOT, dense_json, dump_json, generator_versions, json_scalar, open_group
from label_oracle import Oracle
from reference_stores import DESCRIPTIONS, STORES, write_all

DEFAULT_OUT = REPO_ROOT / "flink-connector-anndata/src/test/resources/reference"
NAN = float("nan")
DEFAULTS = {
    "layers_keys": None,
    "obs_keys": None,
    "obsm_keys": None,
    "obs_filter": None,
    "join": "inner",
    "encode_labels": True,
    "unknown_label": None,
    "cache_categories": True,
    "parallel": False,
    "dtype": None,
}

# --------------------------------------------------------------------------------------------
# Case list
# --------------------------------------------------------------------------------------------

CASES: list[dict] = []


def case(cid: str, stores: list[str], *, suspect: str | None = None, weights: list | None = None,
         vars_check: list | None = None, note: str | None = None, **options) -> None:
    unknown = set(options) - set(DEFAULTS)
    assert not unknown, unknown
    assert all(s in STORES for s in stores), stores
    CASES.append({"id": cid, "stores": stores, "suspect": suspect, "weights": weights,
                  "vars_check": vars_check, "note": note, "options": options})


def W(keys, scaler=None, rc=False) -> dict:  # noqa: N802 - a weights request
    return {"keys": keys if isinstance(keys, list) else [keys], "scaler": scaler, "return_categories": rc}


C12, C123, C42 = ["A1", "A2"], ["A1", "A2", "A3"], ["A4", "A2"]
N5 = ["num", "flt", "nint", "cat", "nbool"]


def define_cases() -> None:
    # ---- §15.2: lamindb test_mapped ----------------------------------------------------------
    case("T1", C12)
    case("T2a", C12, encode_labels=["feat1"])
    case("T2b", C12, obs_keys="feat1", encode_labels=["feat3"])
    case("T2c", C12, obs_keys="feat1", unknown_label={"feat3": "Unknown"})
    case("T3", C12, obs_keys=["feat1", "feat2"], unknown_label="A")
    case("T4", C12, obs_keys=["feat1", "feat2"], unknown_label={"feat1": "A"})
    case("T5", C12, obs_keys=["feat1", "feat2"], unknown_label="A", encode_labels=["feat1"])
    case("T6", C12, obs_keys="feat1", vars_check=["MYC", "TCF7", "GATA1"],
         weights=[W("feat1"), W(["feat1", "feat2"]), W(["feat1", "feat2"], scaler=1.0),
                  W(["feat1", "feat2"], scaler=1.0, rc=True)])
    case("T7", C12, obs_keys="feat1", join="inner", dtype="float32")
    case("T8", C12, obs_keys="feat1", parallel=True)
    case("T9", C12, layers_keys=["layer1"], obsm_keys=["X_pca"], obs_keys="feat1")
    case("T10", C12, obs_keys=["feat1", "feat_missing"], obsm_keys=["X_pca", "X_missing"],
         layers_keys=["X", "raw.X"])
    case("T13", C123, obs_keys="feat1", join="inner")
    case("T14", C123, layers_keys="X", obsm_keys="X_pca", obs_keys="feat1", join="outer",
         vars_check=["MYC", "TCF7", "GATA1"])
    case("T15", C123, layers_keys="layer1", join="outer")
    case("T16", C42, layers_keys="layer1")
    case("T17", C12, obs_filter={"feat1": ["A", "B"]}, weights=[W("feat1")])
    case("T18", C12, obs_filter={"feat1": "B"}, weights=[W("feat2")])
    case("T19", C12, obs_filter={"feat1": "B", "feat2": ["A", "B"]}, weights=[W("feat2")])
    case("T20a", C123, join="outer", obs_filter={"feat1": [NAN]})
    case("T20b", C123, join="outer", obs_filter={"feat1": [NAN], "feat2": ["A", "B"]})
    case("T20c", C123, join="outer", obs_filter={"feat1": [NAN, "A", "B"]})
    case("T20d", C123, join="outer", obs_filter={"feat1": ["A", "B"]})
    case("T20e", C123, join="outer", obs_filter={"feat1": ["A", NAN]})

    # ---- §15.4 extra cases ---------------------------------------------------------------------
    for sid in ("N_h5ad", "N_zarr", "N_zarr3"):
        for cache in (True, False):
            case(f"X-N1-{sid}-cache{int(cache)}", [sid], obs_keys=N5, encode_labels=False,
                 cache_categories=cache, suspect="D8",
                 weights=[W(["cat", "num"], rc=True), W("nint", rc=True), W("num", scaler=2.0)])
    case("X-N2", ["N_h5ad"], obs_keys=N5, obsm_keys="sp", suspect="D4")
    case("X-N2-zarr3", ["N_zarr3"], obs_keys=N5, obsm_keys="sp", suspect="D4")
    case("X-N3", ["N_h5ad"], obs_keys=["num", "nint", "cat", "nbool"], obsm_keys="sp", suspect="D8")
    case("X-N3-zarr", ["N_zarr"], obs_keys=["num", "nint", "cat", "nbool"], suspect="D8", cache_categories=False)
    case("X-N4", ["N_zarr"], obs_keys="num", obsm_keys="sp", dtype="float32", unknown_label=3)
    case("X-N4-h5ad-f64", ["N_h5ad"], obs_keys="num", obsm_keys="sp", dtype="float64", unknown_label=3)
    for i, flt in enumerate([{"num": 3}, {"num": "3"}, {"nint": [NAN]}, {"cat": "b"}, {"num": 99},
                             {"flt": [0.5]}, {"flt": [NAN]}, {"nbool": [True]}, {"nbool": [False, NAN]}]):
        case(f"X-F1-{i}", ["N_h5ad"], obs_filter=flt)
    case("X-F1-zarr3", ["N_zarr3"], obs_filter={"cat": [NAN, "b"], "num": [3]})
    case("X-F2", ["N_h5ad", "N_zarr"], obs_filter={"cat": [NAN, "a"]})
    case("X-F3a", ["ICN_h5ad"], obs_filter={"b": True})
    case("X-F3b", ["ICN_h5ad"], obs_filter={"b": 1})
    case("X-F4", ["B", "N_h5ad"], join="outer", obs_filter={"cat": "a"})
    case("X-F5", ["B", "N_h5ad"], join="outer", obs_filter={"cat": [NAN]}, suspect="D2")
    case("X-F6", ["N_h5ad", "B"], join="outer", obs_filter={"cat": [NAN]}, suspect="D2")
    case("X-J1", ["N_h5ad", "B"], join="outer")
    case("X-J2", ["N_h5ad", "B"], join="outer", dtype="int32")
    case("X-J3", ["N_h5ad", "B"], join="inner")
    case("X-J4", ["B", "N_h5ad"], join="inner")
    case("X-J4-f32", ["B", "N_zarr"], join="inner", dtype="float32")
    case("X-J5", ["N_h5ad", "B"], join=None, vars_check=["g1", "gX", "g3"])
    case("X-J6", ["N_h5ad"], join="outer")
    case("X-J7", ["IV", "BC"], join="outer")
    case("X-J8-inner", ["BC", "IV"], join="inner")
    case("X-J8-null", ["BC", "IV"], join=None, vars_check=["B", "C"])
    case("X-J9-inner", ["DUP"], join="inner")
    case("X-J9-outer", ["DUP", "DUP"], join="outer")
    case("X-J10-outer", ["DUP", "BC"], join="outer")
    case("X-J10-inner", ["DUP", "BC"], join="inner")
    case("X-E1", ["E", "B"])
    case("X-E2", ["E", "N_h5ad"], obs_keys="cat", join="outer", weights=[W("cat")], suspect="D6")
    case("X-E3", ["E", "N_h5ad"], obs_keys="cat", join="outer", obs_filter={"cat": ["a", "b"]}, suspect="D6")
    case("X-W2", ["B", "N_h5ad"], obs_keys="cat", join="outer", suspect="D1")
    case("X-W3", ["IA", "IB"], obs_keys="i", weights=[W("i", rc=True), W("i")])
    case("X-W3-filter", ["IA", "IB"], obs_filter={"i": 3})
    case("X-W3-filter-IA", ["IA"], obs_filter={"i": 1.0})
    case("X-W4", ["ICN_h5ad"], weights=[W(["f", "i", "b"], rc=True)])
    case("X-W4-enc", ["ICN_h5ad"], obs_keys=["f", "i", "b"])
    for cache in (True, False):
        case(f"X-L1-cache{int(cache)}", ["L"], obs_keys="ct", cache_categories=cache, suspect="D3")
        case(f"X-L1-plain-cache{int(cache)}", ["L"], obs_keys="ct", encode_labels=False,
             cache_categories=cache, suspect="D3")
        case(f"X-C1-cache{int(cache)}", ["IC"], obs_keys=["ic", "sc"], cache_categories=cache,
             suspect=None if cache else "D5")
    case("X-C2a", ["IC"], obs_filter={"ic": 20}, suspect="D5")
    case("X-C2b", ["IC"], obs_filter={"sc": "x"})
    case("X-C3a", ["IC"], weights=[W("ic")], suspect="D5")
    case("X-C3b", ["IC"], obs_keys="ic", weights=[W("ic")])
    case("X-C4-h5ad", ["ICN_h5ad"], obs_keys="ic", weights=[W("ic", rc=True)], suspect="D9")
    case("X-C4-zarr", ["ICN_zarr"], obs_keys="ic", weights=[W("ic", rc=True)], suspect="D9")
    case("X-K1a", ["N_h5ad"], obsm_keys=["nope"])
    case("X-K1b", ["N_h5ad"], layers_keys=["nope"])
    case("X-K1c", ["N_h5ad"], layers_keys=["raw.X", "X"])
    case("X-K2", ["N_h5ad"], unknown_label="zzz", obs_keys="cat")
    case("X-K3", ["N_h5ad"], obs_keys=["cat", "num"], encode_labels=["num"], unknown_label={"cat": "a"})
    case("X-K4", ["N_h5ad"], unknown_label={"x": "y"})
    case("X-K5", ["N_h5ad"], obs_keys="cat", encode_labels=[])
    case("X-K6-join", ["N_h5ad"], join="left")
    case("X-K6-empty", [])
    case("X-K6-missing", ["N_h5ad", "NOPE"])
    case("X-K7a", ["A4"], layers_keys=["X"])
    case("X-K7b", ["A4"], layers_keys=["X", "layer1"])
    case("X-NS-enc", ["NS"], obs_keys="s", suspect="D7")
    case("X-NS-plain", ["NS"], obs_keys="s", encode_labels=False, weights=[W("s", rc=True)], suspect="D8")
    case("X-NS-filter", ["NS"], obs_filter={"s": ["y", NAN]})

    # ---- mixed h5ad + zarr v2 + sharded zarr v3 collections --------------------------------
    m123, m312 = ["M1", "M2", "M3"], ["M3", "M1", "M2"]
    ct_d = ["cell_type", "donor"]
    for order_name, order in (("123", m123), ("312", m312)):
        for join in ("inner", "outer", None):
            case(f"M-{order_name}-{join}", order, join=join, obs_keys=ct_d, obsm_keys="X_emb",
                 vars_check=None, weights=[W("cell_type"), W(ct_d, rc=True), W("cell_type", scaler=1.0)])
    case("M-123-outer-layers", m123, join="outer", layers_keys=["X", "counts", "raw.X"], obs_keys="n_genes")
    case("M-123-inner-counts", m123, join="inner", layers_keys="counts", dtype="int64")
    for dt in ("float32", "float64", "int32", "int64"):
        case(f"M-312-outer-{dt}", m312, join="outer", dtype=dt, obs_keys="cell_type")
    case("M-123-null-f64", m123, join=None, dtype="float64", obsm_keys="X_emb")
    case("M-123-enc-subset", m123, obs_keys=["cell_type", "donor", "n_genes"], encode_labels=["cell_type"],
         join="outer")
    case("M-123-unknown-str", m123, obs_keys=ct_d, unknown_label="T cell", join="outer")
    case("M-123-unknown-map", m123, obs_keys=ct_d, unknown_label={"cell_type": "Mono", "donor": "d9"},
         join="outer", cache_categories=False)
    case("M-123-unknown-num", m123, obs_keys=["n_genes"], unknown_label=2, join="inner")
    case("M-123-score-plain", m123, obs_keys=["score", "cell_type"], encode_labels=["cell_type"],
         join="inner", weights=[W("score"), W(["cell_type", "score"], rc=True)], suspect="D8")
    case("M-123-score-enc", m123, obs_keys=["score"], join="inner", suspect="D4")
    case("M-123-batch", m123, obs_keys=["batch"], encode_labels=False, join="inner", suspect="D1",
         weights=[W("batch")])
    case("M-123-batch-enc", m123, obs_keys=["batch", "cell_type"], join="inner", suspect="D8")
    filters = [
        ("ct2", {"cell_type": ["T cell", "Mono"]}, None),
        ("ct-donor", {"cell_type": "B cell", "donor": ["d1", "d3"]}, None),
        ("ct-nan", {"cell_type": [NAN]}, None),
        ("score", {"score": [0.5, NAN]}, None),
        ("ngenes", {"n_genes": 2}, None),
        ("batch-nan", {"batch": [1, NAN]}, "D2"),
        ("batch", {"batch": [1]}, None),
        ("nothing", {"cell_type": "no such type"}, None),
    ]
    for name, flt, sus in filters:
        case(f"M-123-filter-{name}", m123, join="outer", obs_filter=flt, obs_keys=ct_d, suspect=sus,
             weights=[W("cell_type")])
    case("M-312-filter-ct-inner-nocache", m312, join="inner", obs_filter={"cell_type": ["T cell", "DC"]},
         obs_keys=ct_d, cache_categories=False, layers_keys=["X", "counts"])
    case("M-123-parallel", m123, join="inner", obs_keys="cell_type", parallel=True)
    case("M-23-null-helpers", ["M2", "M3"], join=None, vars_check=None)

    # ---- obsm with more than two dimensions (§7.1), in every backend ----------------------------
    nd = ["ND_h5ad", "ND_zarr", "ND_zarr3"]
    for sid in nd:
        case(f"X-ND-{sid}", [sid], obsm_keys=["patch", "cube", "pca"], obs_keys="ct")
    case("X-ND-all", nd, obsm_keys=["cube", "patch"], layers_keys=["X"], join="outer")
    case("X-ND-all-f64", nd, obsm_keys=["patch", "cube"], dtype="float64", join=None)
    case("X-ND-all-filter", nd, obsm_keys=["patch", "cube"], obs_filter={"ct": ["b", NAN]}, obs_keys="ct")


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


def _err(e: BaseException, root: Path) -> str:
    msg = f"{type(e).__name__}: {e}"
    msg = msg.replace(str(root) + os.sep, "").replace(str(root), ".")
    # sorting a set that mixes str and float names the two types in a process-dependent order (D7)
    return re.sub(
        r"between instances of '(\w+)' and '(\w+)'",
        lambda m: "between instances of '{}' and '{}'".format(*sorted(m.groups())),
        msg,
    )


def _jsonable_options(opts: dict) -> dict:
    out = {}
    for k, default in DEFAULTS.items():
        v = opts.get(k, default)
        if k in ("layers_keys", "obs_keys", "obsm_keys") and isinstance(v, str):
            v = [v]
        if k == "obs_filter" and v is not None:
            v = {key: [json_scalar(x) for x in (vals if isinstance(vals, (list, tuple)) else [vals])]
                 for key, vals in v.items()}
        out[k] = v
    return out


def _conv_sample(rec: dict) -> dict:
    out = {}
    for k, v in rec.items():
        if isinstance(v, np.ndarray):
            out[k] = dense_json(v)
            out[f"{k}.dtype"] = str(v.dtype)
        else:
            out[k] = json_scalar(v)
    return out


def _same(a, b) -> bool:
    """Compare a recorded Python value with our value (both already JSON-like)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return a == b


def _enc_map(pairs) -> dict:
    return {(json_scalar(k) if not isinstance(k, str) else k): v for k, v in pairs}


def _n_rows(root) -> int:
    x = root["X"]
    if hasattr(x, "dtype"):
        return int(x.shape[0])
    return int(x.attrs["shape"][0])


# Python failures that our rule does not have, by the §14 item they belong to. D15 and D16 are new
# (zarr-python 3 returns numpy StringDType arrays for zarr strings): see python/README.md.
ERROR_CLASSES = [
    ("not supported between instances of", "D7"),
    ("obs_labels", "D2"),
    ("could not be broadcast together", "D2"),
    ("Indexing elements must be in increasing order", "D5"),
    ("out of bounds for axis 0 with size 0", "D6"),
    ("cannot convert float NaN to integer", "D9"),
    ("unhashable type: 'numpy.ndarray'", "D16"),
    ("object of type 'Array' has no len()", "D16"),
    ("StringDType", "D16"),
]


def classify_error(msg: str) -> str | None:
    for needle, d in ERROR_CLASSES:
        if needle in msg:
            return d
    return None


def _weights_ours(labels_by_key: list[list], scaler, rc: bool):
    """§9 with aligned labels; only the per-sample vector (class strings need Python's str())."""
    from collections import Counter

    def render(values: list) -> list[str]:
        real = [v for v in values if v is not None]
        # numpy promotes an int column concatenated with a float column to float (§9)
        promote = any(isinstance(v, float) for v in real) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in real
        )
        return ["nan" if v is None else str(float(v) if promote else v) for v in values]

    classes = ["__".join(vals) for vals in zip(*(render(v) for v in labels_by_key))]
    counts = Counter(classes)

    def weight(c: str) -> float:
        return 1.0 / counts[c] if scaler is None else scaler / (counts[c] + scaler)

    if rc:
        return [[c, weight(c)] for c in dict.fromkeys(classes)]  # first-seen order
    return [weight(c) for c in classes]


def run_case(c: dict, root: Path, MappedCollection) -> dict:  # noqa: N803
    opts = c["options"]
    rel_paths = [STORES[s] for s in c["stores"]]
    rec = {"id": c["id"], "stores": c["stores"], "paths": rel_paths, "options": _jsonable_options(opts)}
    if c["note"]:
        rec["note"] = c["note"]
    found: set[str] = set()
    diffs: list[str] = []

    obs_keys = opts.get("obs_keys")
    obs_keys = [obs_keys] if isinstance(obs_keys, str) else obs_keys
    enc = opts.get("encode_labels", True)
    enc_keys = (obs_keys or []) if enc is True else (enc or []) if isinstance(enc, list) else []
    unknown = opts.get("unknown_label")
    label_keys = list(obs_keys or [])
    for w in c["weights"] or []:
        label_keys += [k for k in w["keys"] if k not in label_keys]

    # ---- our rule for the label side ------------------------------------------------------------
    roots: list = []
    ours: dict | None = None
    try:
        roots = [open_group(root / p) for p in rel_paths]
        oracle = Oracle(roots, [_n_rows(r) for r in roots])
        ours = {"indices_list": oracle.filter_indices(opts.get("obs_filter"))}
        ours["merged_categories"] = {}
        ours["merged_labels"] = {}
        for k in label_keys:
            try:
                ours["merged_categories"][k] = [json_scalar(v) for v in oracle.merged_categories(k)]
            except TypeError as ex:
                ours["merged_categories"][k] = {"error": f"TypeError: {ex}"}
            try:
                ours["merged_labels"][k] = [json_scalar(v) for v in oracle.merged_labels(k, ours["indices_list"])]
            except KeyError as ex:
                ours["merged_labels"][k] = {"error": f"KeyError: {ex}"}
        ours["encoders"] = {k: [[json_scalar(a), b] for a, b in oracle.encoder(k, unknown)] for k in enc_keys}
    except (OSError, KeyError, TypeError):
        ours = None  # a store that cannot be opened, or mixed label types: nothing to compare

    def close_roots():
        for r in roots:
            if hasattr(r, "close"):
                r.close()

    def note_error(msg: str, part: str) -> None:
        d = classify_error(msg)
        if d is not None:
            found.add(d)
            diffs.append(part)

    try:
        mc = MappedCollection(rel_paths, **opts)
    except Exception as ex:  # noqa: BLE001
        rec["error"] = _err(ex, root)
        if ours is not None:
            note_error(rec["error"], "construction")
        _finish(rec, c, found, diffs, ours or {})
        close_roots()
        return rec

    e: dict = {}
    e["len"] = len(mc)
    e["shape"] = [int(mc.shape[0]), None if mc.shape[1] is None else int(mc.shape[1])]
    e["original_shapes"] = [[int(a), None if b is None else int(b)] for a, b in mc.original_shapes]
    e["var_joint"] = None if mc.var_joint is None else [str(v) for v in mc.var_joint]
    e["effective_join"] = mc.join_vars
    e["var_indices"] = None if mc.var_indices is None else [[int(i) for i in v] for v in mc.var_indices]
    e["n_obs_list"] = [int(n) for n in mc.n_obs_list]
    e["indices_list"] = [[int(i) for i in v] for v in mc.indices_list]
    e["storage_idx"] = [int(s) for s in mc.storage_idx]
    encoders = getattr(mc, "encoders", {}) if obs_keys is not None else {}
    e["encoders"] = {k: [[json_scalar(a), int(b)] for a, b in v.items()] for k, v in encoders.items()}
    samples = []
    for i in range(len(mc)):
        try:
            samples.append(_conv_sample(mc[i]))
        except Exception as ex:  # noqa: BLE001
            samples.append({"error": _err(ex, root)})
            if isinstance(ex, KeyError):
                found.add("D4")  # an unencodable NaN label
                diffs.append("samples")
            else:
                note_error(samples[-1]["error"], "samples")
    e["samples"] = samples
    try:
        mc[len(mc)]
        e["get_len"] = "no error"
    except Exception as ex:  # noqa: BLE001
        e["get_len"] = _err(ex, root)

    e["merged_categories"], e["merged_labels"] = {}, {}
    for k in label_keys:
        try:
            e["merged_categories"][k] = [json_scalar(v) for v in mc.get_merged_categories(k)]
        except Exception as ex:  # noqa: BLE001
            e["merged_categories"][k] = {"error": _err(ex, root)}
        try:
            e["merged_labels"][k] = [json_scalar(v) for v in mc.get_merged_labels(k).tolist()]
        except Exception as ex:  # noqa: BLE001
            e["merged_labels"][k] = {"error": _err(ex, root)}
    weights = list(c["weights"] or [])
    if not weights and obs_keys:
        weights = [W(k) for k in obs_keys] + ([W(obs_keys)] if len(obs_keys) > 1 else [])
    e["weights"] = []
    for w in weights:
        item = dict(w)
        try:
            res = mc.get_label_weights(w["keys"], scaler=w["scaler"], return_categories=w["return_categories"])
            if w["return_categories"]:
                item["result"] = [[str(k), float(v)] for k, v in res.items()]
            else:
                item["result"] = [float(x) for x in res]
        except Exception as ex:  # noqa: BLE001
            item["error"] = _err(ex, root)
        e["weights"].append(item)

    e["check_vars_sorted"] = {"ascending": bool(mc.check_vars_sorted(True)),
                              "descending": bool(mc.check_vars_sorted(False))}
    vars_check = c["vars_check"] if c["vars_check"] is not None else [str(v) for v in mc.var_list[0]]
    e["check_vars_non_aligned"] = {"vars": vars_check,
                                   "result": [int(i) for i in mc.check_vars_non_aligned(vars_check)]}
    e["original_shapes_after_helpers"] = [[int(a), None if b is None else int(b)] for a, b in mc.original_shapes]
    with_ctx = mc.__enter__()
    assert with_ctx is mc and not mc.closed
    mc.__exit__(None, None, None)
    e["closed_after_close"] = bool(mc.closed)
    rec["expected"] = e

    if ours is not None:
        _compare(e, ours, oracle, obs_keys, enc_keys, unknown, weights, found, diffs)
    _canonicalize_nan_categories(e)
    _finish(rec, c, found, diffs, ours or {})
    close_roots()
    return rec


def _compare(e, ours, oracle, obs_keys, enc_keys, unknown, weights, found, diffs) -> None:
    """Python's label-side results against our rule; fills found (§14 items) and diffs (fields)."""
    same_rows = e["indices_list"] == ours["indices_list"]
    if not same_rows:
        # Python kept other rows: everything row-dependent differs. The filters that reach here select
        # MISSING (NaN) labels, which Python misses where a zarr string label came back as "nan" (D15).
        diffs += ["indices_list", "samples", "weights"] + [f"merged_labels.{k}" for k in ours["merged_labels"]]
        found.add("D15")
    for k, our in ours["merged_categories"].items():
        py = e["merged_categories"][k]
        if isinstance(py, dict) and isinstance(our, dict):
            continue
        if isinstance(py, dict):
            diffs.append(f"merged_categories.{k}")
            if not classify_error(py["error"]):
                found.add("D?")
            else:
                found.add(classify_error(py["error"]))
        elif not _same(py, our):
            diffs.append(f"merged_categories.{k}")
            if None in py:
                found.add("D8")  # NaN among the categories
    for k, our in ours["encoders"].items():
        py = e["encoders"].get(k, [])
        if any(a is None for a, _ in py):
            found.add("D8")
            diffs.append(f"encoders.{k}")
        elif _enc_map(py) != _enc_map(our):
            diffs.append(f"encoders.{k}")
    for k, our in ours["merged_labels"].items() if same_rows else ():
        py = e["merged_labels"][k]
        if isinstance(py, dict) and isinstance(our, dict):
            continue
        if isinstance(py, dict):
            diffs.append(f"merged_labels.{k}")
            found.add(classify_error(py["error"]) or "D?")
        elif not _same(py, our):
            diffs.append(f"merged_labels.{k}")
            if len(py) != e["len"]:
                found.add("D1")  # stores without the key are skipped
            elif any(p == "nan" and o is None for p, o in zip(py, our)):
                found.add("D15")  # a missing zarr string label came back as the string "nan"
    for w in weights:
        labels = [ours["merged_labels"].get(k) for k in w["keys"]]
        item = next(x for x in e["weights"] if x["keys"] == w["keys"] and x["scaler"] == w["scaler"]
                    and x["return_categories"] == w["return_categories"])
        if not all(isinstance(lab, list) for lab in labels):
            continue  # no store has one of the keys: an error in both
        want = _weights_ours(labels, w["scaler"], w["return_categories"])
        if not same_rows:
            ours.setdefault("weights", []).append({**w, "result": want})
            continue
        if "error" in item:
            found.add(classify_error(item["error"]) or "D?")
        elif w["return_categories"]:
            got = item["result"]
            if [k for k, _ in got] == [k for k, _ in want] and all(
                abs(a[1] - b[1]) < 1e-12 for a, b in zip(got, want)
            ):
                continue
            found.add("D?")
        else:
            got = item["result"]
            if len(got) == len(want) and all(abs(a - b) < 1e-12 for a, b in zip(got, want)):
                continue
            found.add("D1" if len(got) != len(want) else "D?")
        diffs.append("weights")
        ours.setdefault("weights", []).append({**w, "result": want})
    if same_rows and obs_keys is not None:
        enc_maps = {k: _enc_map(v) for k, v in ours["encoders"].items()}
        want_all, differ = [], False
        for g, smp in enumerate(e["samples"]):
            s = e["storage_idx"][g]
            row = e["indices_list"][s][g - sum(e["n_obs_list"][:s])]
            want = {}
            for k in obs_keys:
                labels, _ = oracle.labels(s, k)
                if labels is None:
                    continue
                lab = json_scalar(labels[row])
                want[k] = enc_maps[k][lab] if (k in enc_maps and lab is not None) else lab
            want_all.append(want)
            if "error" in smp or not all(_same(smp.get(k), v) for k, v in want.items()) or any(
                k in smp for k in obs_keys if k not in want
            ):
                differ = True
        if differ:
            if "samples" not in diffs:
                diffs.append("samples")
            ours["samples_obs"] = want_all
    # keep only the parts of ours that differ
    for part in ("merged_categories", "encoders", "merged_labels"):
        ours[part] = {k: v for k, v in ours[part].items() if f"{part}.{k}" in diffs}
    if same_rows:
        del ours["indices_list"]


def _canonicalize_nan_categories(e: dict) -> None:
    """D8: with NaN in a Python set, sorted() gives an order that changes from process to process
    (NaN hashes by identity), and so do the encoder codes built from it. Record those fields in a
    stable form: the non-NaN values in our order, and that a NaN was there."""
    from label_oracle import sort_labels

    bad = set()
    for k, v in e["merged_categories"].items():
        if isinstance(v, list) and None in v:
            bad.add(k)
            e["merged_categories"][k] = {"nondeterministic": "D8", "has_nan": True,
                                         "non_nan": sort_labels([x for x in v if x is not None])}
    for k, pairs in e["encoders"].items():
        if any(a is None for a, _ in pairs):
            bad.add(k)
            e["encoders"][k] = {"nondeterministic": "D8", "has_nan": True,
                                "non_nan": sort_labels([a for a, _ in pairs if a is not None])}
    for smp in e["samples"]:
        for k in bad:
            if k in smp and k in e["encoders"]:
                smp[k] = {"nondeterministic": "D8"}


def _finish(rec: dict, c: dict, found: set, diffs: list, ours: dict) -> None:
    if diffs:
        if c["suspect"] and (not found or found == {"D?"}):
            found.discard("D?")
            found.add(c["suspect"])
        if "D?" in found:
            print(f"WARNING: case {c['id']} differs from our rule in {diffs} for an unknown reason", file=sys.stderr)
        rec["python_differs"] = ",".join(sorted(found, key=lambda d: (len(d), d)))
        rec["differs_in"] = sorted(set(diffs))
        rec["ours"] = {k: v for k, v in ours.items() if v not in ({}, None)}
    elif c["suspect"]:
        print(f"note: case {c['id']} (suspect {c['suspect']}) agrees with our rule", file=sys.stderr)


def main(argv: list[str]) -> int:
    out = Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    write_all(out)
    from lamindb.core import MappedCollection

    define_cases()
    os.chdir(out)  # MappedCollection gets relative paths, so no machine path leaks into messages
    results = []
    for c in CASES:
        try:
            results.append(run_case(c, out, MappedCollection))
        except Exception:
            print(f"case {c['id']} crashed the runner", file=sys.stderr)
            traceback.print_exc()
            return 1
    n_err = sum(1 for r in results if "error" in r)
    n_diff = sum(1 for r in results if "python_differs" in r)
    doc = {
        "generator": generator_versions(),
        "stores": {sid: {"path": p, "description": DESCRIPTIONS[sid]} for sid, p in STORES.items()},
        "cases": results,
    }
    dump_json(doc, out / "cases.json")
    print(f"wrote {len(results)} cases ({n_err} errors, {n_diff} python_differs) to {out / 'cases.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
