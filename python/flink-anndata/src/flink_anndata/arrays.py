"""Turning a record of the source into numpy arrays."""

from __future__ import annotations

from typing import Any, Dict, NamedTuple

import numpy as np

_SPARSE_FIELDS = ("indices", "values", "size")


class SparseRow(NamedTuple):
    """One sparse matrix row: column indices (int32) and values (float32) of the stored entries,
    and the row's width (the number of genes)."""

    indices: np.ndarray
    values: np.ndarray
    size: int

    def to_dense(self) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        out[self.indices] = self.values
        return out


def _is_sparse(value: Any) -> bool:
    names = getattr(value, "_fields", None)  # pyflink Row keeps its field names here
    return names is not None and tuple(names) == _SPARSE_FIELDS


def _sparse(value: Any) -> SparseRow:
    indices, values, size = value[0], value[1], value[2]
    return SparseRow(np.asarray(indices, dtype=np.int32), np.asarray(values, dtype=np.float32), int(size))


def to_numpy(record: Any, dense: bool = False) -> Dict[str, Any]:
    """A record (a pyflink Row, or a dict of its fields) as a dict: float arrays become float32
    numpy arrays (nested lists, the rows of an obsm entry of more than two dimensions, arrays of
    their shape: ``(h, w)`` for an entry of shape ``(n_obs, h, w)``), sparse matrix rows
    ``SparseRow``s (or dense float32 arrays with ``dense=True``), everything else (metadata, obs
    labels, None) stays as it is."""
    if hasattr(record, "as_dict"):
        items = record.as_dict().items()
    elif isinstance(record, dict):
        items = record.items()
    else:
        raise TypeError(f"to_numpy takes a record of the source (a Row or dict), got {type(record).__name__}")
    out: Dict[str, Any] = {}
    for name, value in items:
        if _is_sparse(value):
            s = _sparse(value)
            out[name] = s.to_dense() if dense else s
        elif isinstance(value, (list, tuple)):
            out[name] = np.asarray(value, dtype=np.float32)
        else:
            out[name] = value
    return out
