"""Mini-batches from the source: a batch row (``AnnDataSourceBuilder.build_batches``) turned back
into numpy arrays without a per-cell loop.

The Java side packs every array of a batch into a byte string (little-endian); here each becomes a
numpy array with ``numpy.frombuffer`` (no copy), and matrices offer ``to_scipy()`` (CSR),
``to_numpy()`` (dense) and ``to_torch()`` when torch is importable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import numpy as np

_META = ("epoch", "global_idx", "store_idx", "row")

#: The code of a missing label (or a key the cell's store lacks) in an encoded obs key's codes;
#: -1 stays the unknown label's code.
MISSING_CODE = -2


@dataclass(frozen=True)
class MatrixBatch:
    """One matrix (X, raw.X, a layer, or an obsm entry) for the cells of a batch, CSR-like:
    row ``i``'s values are ``data[indptr[i]:indptr[i + 1]]``, at the columns ``indices[...]`` for a
    sparse block, or all its columns in order for a dense one. ``widths[i]`` is row ``i``'s width;
    ``present[i]`` is False where the cell's store lacks the element (None: all present)."""

    indptr: np.ndarray
    indices: Optional[np.ndarray]
    data: np.ndarray
    widths: np.ndarray
    present: Optional[np.ndarray]

    @property
    def n_cells(self) -> int:
        return len(self.widths)

    @property
    def is_sparse(self) -> bool:
        return self.indices is not None

    def _width(self) -> int:
        widths = self.widths if self.present is None else self.widths[self.present]
        if len(widths) and (widths != widths[0]).any():
            raise ValueError("rows of different widths (a collection without join): read them row by row")
        return int(widths[0]) if len(widths) else 0

    def to_numpy(self) -> np.ndarray:
        """A dense float32 array of shape (cells, width); absent rows are zeros."""
        width = self._width()
        out = np.zeros((self.n_cells, width), dtype=np.float32)
        if self.indices is None:
            for i in range(self.n_cells):  # dense rows: one slice copy each
                a, b = self.indptr[i], self.indptr[i + 1]
                out[i, : b - a] = self.data[a:b]
        else:
            rows = np.repeat(np.arange(self.n_cells), np.diff(self.indptr))
            out[rows, self.indices] = self.data
        return out

    def to_scipy(self):
        """A ``scipy.sparse.csr_matrix`` of shape (cells, width) (needs scipy)."""
        try:
            import scipy.sparse as sp
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_scipy() needs scipy: pip install scipy") from e
        width = self._width()
        if self.indices is None:
            return sp.csr_matrix(self.to_numpy())
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(self.n_cells, width))

    def to_torch(self, sparse: Optional[bool] = None):
        """A torch tensor: a sparse CSR tensor for a sparse block (or ``sparse=True``), else dense."""
        import torch  # raises ImportError when torch is not installed

        sparse = self.is_sparse if sparse is None else sparse
        if not sparse:
            return torch.from_numpy(self.to_numpy())
        if self.indices is None:
            return torch.from_numpy(self.to_numpy()).to_sparse_csr()
        return torch.sparse_csr_tensor(torch.from_numpy(self.indptr.astype(np.int64)),
                                       torch.from_numpy(self.indices.astype(np.int64)),
                                       torch.from_numpy(self.data.copy()), size=(self.n_cells, self._width()))


@dataclass(frozen=True)
class CellBatch:
    """A mini-batch of cells: ``epoch``; per-cell ``global_idx`` (int64, lamindb's index),
    ``store_idx`` (int32) and ``row`` (int64, the row in its store); ``matrices`` by key (``X``,
    ``raw_X``, layers, ``obsm_<k>``); ``obs`` by key: int32 codes for encoded keys (-1 the unknown
    label, ``MISSING_CODE`` a missing one), else an object array of labels as strings (None where
    missing)."""

    epoch: int
    global_idx: np.ndarray
    store_idx: np.ndarray
    row: np.ndarray
    matrices: Dict[str, MatrixBatch]
    obs: Dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.global_idx)

    def __getitem__(self, key: str):
        return self.matrices[key] if key in self.matrices else self.obs[key]

    @property
    def X(self) -> MatrixBatch:  # noqa: N802 - AnnData's name
        return self.matrices["X"]


def _raw(value: Any) -> bytes:
    """A packed array as bytes: PyFlink hands a Java byte[] to Python functions as bytes, and to
    the client of execute_and_collect as a list of signed ints."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return np.asarray(value, dtype=np.int8).tobytes()


def _is_packed(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return True
    return isinstance(value, (list, tuple)) and getattr(value, "_fields", None) is None \
        and all(isinstance(v, int) for v in value[:1])


def _is_block(value: Any) -> bool:
    names = getattr(value, "_fields", None)  # a pyflink Row keeps its field names here
    if names is not None:
        return tuple(names)[:1] == ("indptr",)
    return isinstance(value, dict) or (isinstance(value, tuple) and len(value) == 5
                                       and _is_packed(value[0]))


def _matrix(value: Any) -> MatrixBatch:
    if isinstance(value, dict):
        value = [value[k] for k in ("indptr", "indices", "data", "widths", "present")]
    indptr, indices, data, widths, present = (_raw(value[i]) for i in range(5))
    return MatrixBatch(
        indptr=np.frombuffer(indptr, dtype="<i4"),
        indices=np.frombuffer(indices, dtype="<i4") if indices else None,
        data=np.frombuffer(data, dtype="<f4"),
        widths=np.frombuffer(widths, dtype="<i4"),
        present=np.frombuffer(present, dtype=np.uint8).astype(bool) if present else None,
    )


def to_batch(row: Any, field_names: Optional[List[str]] = None) -> CellBatch:
    """A batch row of the source (a pyflink Row, or a dict of its fields) as a ``CellBatch``."""
    if isinstance(row, dict):
        fields = row
    else:
        names = field_names or list(getattr(row, "_fields", None) or [])
        if not names:
            raise ValueError("a batch row without field names: pass field_names (source.field_names())")
        fields = {n: row[i] for i, n in enumerate(names)}
    matrices: Dict[str, MatrixBatch] = {}
    obs: Dict[str, np.ndarray] = {}
    for name, value in fields.items():
        if name in _META:
            continue
        if _is_block(value):
            matrices[name] = _matrix(value)
        elif _is_packed(value) and not (isinstance(value, (list, tuple)) and len(value) == 0):
            obs[name] = np.frombuffer(_raw(value), dtype="<i4")  # codes of an encoded key
        else:
            obs[name] = np.array(list(value), dtype=object)  # labels as strings
    return CellBatch(
        epoch=int(fields["epoch"]),
        global_idx=np.frombuffer(_raw(fields["global_idx"]), dtype="<i8"),
        store_idx=np.frombuffer(_raw(fields["store_idx"]), dtype="<i4"),
        row=np.frombuffer(_raw(fields["row"]), dtype="<i8"),
        matrices=matrices,
        obs=obs,
    )
