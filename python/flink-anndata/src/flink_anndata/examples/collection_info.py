"""What the training job needs to know before it starts, read on the client through the
connector's Java collection (``AnnDataCollection``, lamindb's ``MappedCollection`` in Java) over
PyFlink's gateway, as the Java example's ``TrainingData`` does: cells per epoch, the number of
features, the classes (the label encoder's codes ``0..K-1`` and their labels), the class counts
(for the majority-class rate, the bar a classifier has to clear) and the rows of the fixed
holdout set.

The collection is the one the source will read: the Java source is built from the same builder
and its ``CollectionOptions`` opened, so filters, joins and layers are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

import numpy as np

from flink_anndata._apply import java_configuration, java_list
from flink_anndata.examples.trainer import Holdout, holdout_mask


@dataclass
class CollectionInfo:
    cells: int
    features: int
    classes: List[str]  # label of each code
    class_counts: Dict[str, int]  # cells per class label (cells with a class code)
    holdout: Holdout
    holdout_candidates: int  # cells the hash holds out (all never trained on); holdout evaluates up to holdout_max

    @property
    def majority_label(self) -> str:
        return max(self.class_counts, key=lambda k: self.class_counts[k])

    @property
    def majority_rate(self) -> float:
        """Share of the most frequent class among the cells with a class."""
        total = sum(self.class_counts.values())
        return self.class_counts[self.majority_label] / total if total else float("nan")

    def holdout_majority_rate(self) -> float:
        """Share of the holdout's most frequent class: the accuracy of always guessing it there."""
        if len(self.holdout) == 0:
            return float("nan")
        return float(np.bincount(self.holdout.y).max() / len(self.holdout))


def _java_source(builder):
    from py4j.protocol import Py4JJavaError
    from pyflink.java_gateway import get_gateway

    from flink_anndata import jar as _jar
    from flink_anndata._apply import java_message

    _jar.ensure_loaded()
    gateway = get_gateway()
    try:
        j_builder = gateway.jvm.io.github.flinkanndata.source.AnnDataSource.builder(java_list(gateway, builder._paths))
        return gateway, j_builder.configure(java_configuration(gateway, builder._options)).build()
    except Py4JJavaError as e:
        raise ValueError(java_message(e)) from None


def _bytes_of(gateway, array, kind: str) -> np.ndarray:
    """A Java int[] or float[] as a numpy array, through one byte[] (py4j copies byte arrays whole)."""
    n = len(array)
    order = gateway.jvm.java.nio.ByteOrder.LITTLE_ENDIAN
    buf = gateway.jvm.java.nio.ByteBuffer.allocate(4 * n).order(order)
    if kind == "i4":
        buf.asIntBuffer().put(array)
    else:
        buf.asFloatBuffer().put(array)
    return np.frombuffer(bytes(buf.array()), dtype="<" + kind)


def inspect(builder, label_key: str, layer: str, holdout_fraction: float, holdout_max: int) -> CollectionInfo:
    """Opens the builder's collection (metadata, the label column, and the holdout's rows)."""
    import scipy.sparse as sp

    gateway, j_source = _java_source(builder)
    jvm = gateway.jvm
    options = j_source.collection()
    coll = jvm.io.github.flinkanndata.collection.AnnDataCollection.open(options)
    try:
        n = int(coll.size())
        if n == 0:
            raise ValueError(f"the collection {list(builder._paths)} has no cells")
        encoder = coll.encoders().get(label_key)
        if encoder is None:
            raise ValueError(f"no label encoder for obs key '{label_key}'; is it an obs column?")
        codes = {}
        for label, code in encoder.asMap().items():
            if int(code) >= 0:  # -1 is the unknown label, never a class
                codes[int(code)] = label
        if len(codes) < 2:
            raise ValueError(f"obs key '{label_key}' has {len(codes)} class(es); a classifier needs two")
        classes = [str(codes[c]) for c in range(len(codes))]
        # lamindb's label weights are 1/count per class, keyed by the label's text (no per-cell calls)
        weights = coll.labelWeightsByClass(java_list(gateway, [label_key]), None)
        by_text = {str(k): float(w) for k, w in weights.items()}
        counts = {name: (round(1.0 / by_text[name]) if by_text.get(name) else 0) for name in classes}
        # the fixed holdout: the first holdout_max cells (in index order) that the hash holds out
        held = np.flatnonzero(holdout_mask(np.arange(n, dtype=np.int64), holdout_fraction))
        chosen = held[:holdout_max]
        samples = jvm.java.util.ArrayList()
        for g in chosen.tolist():
            samples.add(coll.get(g))
        if len(chosen):
            batch = jvm.io.github.flinkanndata.source.record.CellBatchBuilder(
                java_list(gateway, [layer]), java_list(gateway, []), java_list(gateway, [label_key]), True
            ).build(0, samples, 0, len(chosen))
            block = batch.matrix(layer)
            indptr = _bytes_of(gateway, block.indptr(), "i4")
            data = _bytes_of(gateway, block.values(), "f4")
            indices = _bytes_of(gateway, block.indices(), "i4")
            widths = _bytes_of(gateway, block.widths(), "i4")
            width = int(widths[0])
            X = sp.csr_matrix((data, indices, indptr), shape=(len(chosen), width))
            y = np.array([int(v) if isinstance(v, int) else -2 for v in batch.obs().get(label_key)], dtype=np.int64)
        else:
            width = int(coll.get(0).layer(layer).width())
            X = sp.csr_matrix((0, width), dtype=np.float32)
            y = np.zeros(0, dtype=np.int64)
        keep = y >= 0  # only cells with a class are scored
        holdout = Holdout(holdout_fraction, chosen[keep].astype(np.int64), X[keep], y[keep])
        return CollectionInfo(cells=n, features=width, classes=classes,
                              class_counts=counts, holdout=holdout, holdout_candidates=len(held))
    finally:
        coll.close()
