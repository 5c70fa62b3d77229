"""Our own reading of the obs-label rules of docs/semantics.md (§5, §8), in Python.

gen_reference.py compares lamindb's MappedCollection against this for everything label-related
(filter masks, per-sample labels and codes, merged categories, encoders, merged labels). Where they
disagree the case is marked `python_differs` with the §14 item, and this module's answer is recorded
under `ours`, so the Java tests can assert our rule. MISSING is represented by None.
"""

from __future__ import annotations

import math
from functools import cmp_to_key

import h5py
import numpy as np

from fixture_common import attr_str


def _py(v):
    """numpy/bytes scalar → plain Python value (float NaN → None)."""
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, np.str_):
        return str(v)
    return v


def _is_group(node) -> bool:
    return not hasattr(node, "dtype")  # h5py.Group / zarr.Group; datasets and arrays have a dtype


def _values(node) -> list:
    """Decode an array of categories/values; a nullable-string group gives its `values`."""
    if _is_group(node):
        node = node["values"]
    return [_py(v) for v in node[...].tolist()] if node.shape != () else [_py(node[()])]


def _resolve_categories_attr(root, obs, ds):
    ref = ds.attrs["categories"]
    if isinstance(ref, h5py.Reference):
        return root[ref]
    return obs[attr_str(ref)]


def store_labels(root, key: str):
    """→ (labels for all rows or None when the key is absent, declared categories or None)."""
    obs = root["obs"]
    if key not in obs:
        return None, None
    if "__categories" in obs and key != "__categories":
        cats_group = obs["__categories"]
        codes = obs[key][...]
        if key in cats_group:
            cats = _values(cats_group[key])
            return [cats[c] if c >= 0 else None for c in codes.tolist()], cats
        return [_py(v) for v in codes.tolist()], None
    node = obs[key]
    if _is_group(node):
        enc = attr_str(node.attrs.get("encoding-type"))
        if enc == "categorical" or "codes" in node:
            cats = _values(node["categories"]) if "categories" in node else []
            codes = node["codes"][...].tolist()
            return [cats[c] if 0 <= c < len(cats) else None for c in codes], cats
        values = [_py(v) for v in node["values"][...].tolist()]
        mask = node["mask"][...].tolist()
        return [None if m else v for v, m in zip(values, mask)], None
    if "categories" in node.attrs:
        cats = _values(_resolve_categories_attr(root, obs, node))
        return [cats[c] if c >= 0 else None for c in node[...].tolist()], cats
    return [_py(v) for v in node[...].tolist()], None


def label_eq(a, b) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return a == b  # numbers and booleans compare by value: 3 == 3.0, 1 == True


def _cmp(a, b) -> int:
    if isinstance(a, str) != isinstance(b, str):
        raise TypeError("cannot order strings and numbers")
    return -1 if a < b else (1 if a > b else 0)


def sort_labels(values) -> list:
    # Python's str ordering is code-point order, as required (§1)
    return sorted(values, key=cmp_to_key(_cmp))


def union_labels(values) -> list:
    out: list = []
    for v in values:
        if v is None:
            continue
        if not any(label_eq(v, u) for u in out):
            out.append(v)
    return out


class Oracle:
    def __init__(self, roots: list, n_rows: list[int]):
        self.roots = roots
        self.n_rows = n_rows
        self._cache: dict = {}

    def labels(self, s: int, key: str):
        if (s, key) not in self._cache:
            self._cache[(s, key)] = store_labels(self.roots[s], key)
        return self._cache[(s, key)]

    def filter_indices(self, obs_filter: dict | None) -> list[list[int]]:
        out = []
        for s, n in enumerate(self.n_rows):
            keep = [True] * n
            if obs_filter:
                for key, vals in obs_filter.items():
                    vals = vals if isinstance(vals, (list, tuple)) else [vals]
                    want_missing = any(isinstance(v, float) and math.isnan(v) for v in vals)
                    real = [v for v in vals if not (isinstance(v, float) and math.isnan(v))]
                    labels, _ = self.labels(s, key)
                    if labels is None:
                        m = [False] * n
                    else:
                        m = [
                            (lab is None and want_missing) or any(label_eq(lab, v) for v in real)
                            for lab in labels
                        ]
                    keep = [k and x for k, x in zip(keep, m)]
            out.append([i for i, k in enumerate(keep) if k])
        return out

    def merged_categories(self, key: str) -> list:
        vals: list = []
        for s in range(len(self.roots)):
            labels, cats = self.labels(s, key)
            if labels is None:
                continue
            vals += cats if cats is not None else labels
        return sort_labels(union_labels(vals))

    def encoder(self, key: str, unknown_label) -> list:
        cats = self.merged_categories(key)
        u = unknown_label.get(key) if isinstance(unknown_label, dict) else unknown_label
        enc = []
        if u is not None and any(label_eq(u, c) for c in cats):
            cats = [c for c in cats if not label_eq(c, u)]
            enc.append([u, -1])
        enc += [[c, i] for i, c in enumerate(cats)]
        return enc

    def merged_labels(self, key: str, indices: list[list[int]]) -> list:
        if all(self.labels(s, key)[0] is None for s in range(len(self.roots))):
            raise KeyError(f"no store has obs key {key!r}")
        out = []
        for s, rows in enumerate(indices):
            labels, _ = self.labels(s, key)
            out += [None if labels is None else labels[r] for r in rows]
        return out
