"""The training example's parts that need no Flink: the holdout hash, test-then-train on batches,
the state a restore continues from, and the learning-curve parser and plot (also of the Java
example's lines)."""

from __future__ import annotations

import functools
import json
import pickle

import numpy as np
import pytest

from flink_anndata.batches import CellBatch, MatrixBatch
from flink_anndata.examples import curve
from flink_anndata.examples.learners import make_learner
from flink_anndata.examples.trainer import Holdout, TrainerCore, format_line, holdout_mask

M64 = (1 << 64) - 1


def splitmix_uniform(i: int) -> float:
    """The Java example's Holdout.contains, one index at a time with Python integers."""
    z = (i + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    z ^= z >> 31
    return (z >> 11) * 2.0 ** -53


def test_holdout_mask_is_the_java_examples_hash():
    idx = np.arange(10_000, dtype=np.int64)
    want = np.array([splitmix_uniform(i) < 0.2 for i in range(10_000)])
    np.testing.assert_array_equal(holdout_mask(idx, 0.2), want)
    # docs/training.md: 553 of the bundled 700 cells are training cells at the default 0.2
    assert int((~holdout_mask(np.arange(700), 0.2)).sum()) == 553
    assert not holdout_mask(idx, 0.0).any()


def synthetic(n_cells=600, genes=40, classes=4, seed=1):
    """Separable data: each class lights up its own block of genes."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n_cells)
    X = rng.normal(0, 0.3, (n_cells, genes)).astype(np.float32)
    block = genes // classes
    for k in range(classes):
        X[y == k, k * block:(k + 1) * block] += 2.0
    return X, y


def batch_of(X, y, idx, epoch):
    rows = X[idx]
    return CellBatch(
        epoch=epoch, global_idx=np.asarray(idx, dtype=np.int64), store_idx=np.zeros(len(idx), np.int32),
        row=np.asarray(idx, dtype=np.int64),
        matrices={"X": MatrixBatch(indptr=np.arange(0, rows.size + 1, rows.shape[1], dtype=np.int32),
                                   indices=np.tile(np.arange(rows.shape[1], dtype=np.int32), len(idx)),
                                   data=rows.ravel(), widths=np.full(len(idx), rows.shape[1], np.int32),
                                   present=None)},
        obs={"label": y[idx].astype(np.int32)})


def stream(X, y, epochs, batch, seed):
    rng = np.random.default_rng(seed)
    for e in range(epochs):
        order = rng.permutation(len(y))
        for i in range(0, len(y), batch):
            yield batch_of(X, y, order[i:i + batch], e)


def core_for(X, y, report_every=100):
    import scipy.sparse as sp

    held = np.flatnonzero(holdout_mask(np.arange(len(y)), 0.2))
    holdout = Holdout(0.2, held, sp.csr_matrix(X[held]), y[held].astype(np.int64))
    factory = functools.partial(make_learner, "sgd", X.shape[1], int(y.max()) + 1, 0, alpha=1e-4,
                                learning_rate="constant", eta0=0.01)
    return TrainerCore(factory, "X", "label", holdout, report_every, len(y), int(y.max()) + 1)


def test_test_then_train_counts_every_training_cell_once_per_epoch_and_learns():
    X, y = synthetic()
    y = y.copy()
    y[:30] = -1  # the unknown label
    y[30:40] = -2  # missing
    core = core_for(X, y)
    state = core.new_state()
    records = [r for b in stream(X, y, 3, 50, 7) for r in core.process(state, b)]
    records += core.finish(state)
    held = holdout_mask(np.arange(len(y)), 0.2)
    per_epoch = int(((y >= 0) & ~held).sum())
    final = records[-1]
    assert final["trained_per_epoch"] == {"1": per_epoch, "2": per_epoch, "3": per_epoch}
    assert final["trained"] == 3 * per_epoch == state.learner.model.t_ - 1  # sklearn counts samples seen
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    assert all(e["epoch_trained"] == per_epoch and e["epoch_unlabelled"] == 40 for e in epochs)
    assert all(e["epoch_held_out"] == int(((y >= 0) & held).sum()) for e in epochs)
    windows = [r for r in records if r["kind"] == "window"]
    assert windows[0]["cells"] == 0 and windows[0]["prequential_accuracy"] is None  # the untrained model
    assert [w["cells"] for w in windows[1:]] == sorted({w["cells"] for w in windows[1:]})
    assert windows[-1]["cells"] == 3 * len(y)
    # separable data: the holdout is learnt, the first predictions were not
    majority = np.bincount(y[y >= 0]).max() / (y >= 0).sum()
    assert final["holdout_accuracy"] >= 0.95 > majority + 0.5
    assert windows[1]["prequential_accuracy"] < 0.9
    assert "holdout_loss=" in format_line(windows[-1]) and "trained=%d" % per_epoch in format_line(epochs[0])


def test_a_state_restored_from_its_pickle_continues_bit_for_bit():
    """What a restore does: the pickled state of the moment of a checkpoint, then the same batches."""
    X, y = synthetic(seed=3)
    batches = list(stream(X, y, 4, 40, 11))
    core = core_for(X, y)
    whole = core.new_state()
    want = [r for b in batches for r in core.process(whole, b)] + core.finish(whole)

    first = core.new_state()
    got = [r for b in batches[:23] for r in core.process(first, b)]
    restored = pickle.loads(pickle.dumps(first))  # the ValueState's value, as checkpointed
    got += [r for b in batches[23:] for r in core.process(restored, b)] + core.finish(restored)

    assert [json.dumps({k: v for k, v in r.items() if k != "model"}) for r in got] == \
        [json.dumps({k: v for k, v in r.items() if k != "model"}) for r in want]
    for k, v in whole.learner.params().items():
        np.testing.assert_array_equal(restored.learner.params()[k], v)


def test_unknown_learner_and_torch_without_torch():
    with pytest.raises(ValueError, match="learner must be one of"):
        make_learner("forest", 3, 2, 0)
    try:
        import torch  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="needs PyTorch"):
            make_learner("torch", 3, 2, 0)


JAVA_REPORT = """\
training on 700 cells x 765 features of /x/pbmc68k_reduced.h5ad: 10 classes of 'bulk_labels' (majority class 'Dendritic': 0.343), block-shuffled sampling, 5 epochs, holdout 0.20
epoch=1 complete cells=700 prequential_accuracy=0.770 loss=0.751 holdout_accuracy=0.748
cells=1000 epoch=2 prequential_accuracy=0.837 loss=0.541 holdout_accuracy=0.765
epoch=2 complete cells=1400 prequential_accuracy=0.998 loss=0.041 holdout_accuracy=0.830
cells=2000 epoch=3 prequential_accuracy=1.000 loss=0.025 holdout_accuracy=n/a
model snapshots: none (give --snapshot-dir DIR to keep them)
"""


def test_the_java_examples_lines_plot_with_the_same_code(tmp_path):
    from PIL import Image

    c = curve.parse_lines(JAVA_REPORT.splitlines())
    assert c.majority_rate == 0.343 and c.majority_label == "Dendritic"
    assert [w["cells"] for w in c.windows] == [1000, 2000] and [e["epoch"] for e in c.epochs] == [1, 2]
    assert c.windows[1]["holdout_accuracy"] is None and not c.fixed_holdout
    report = tmp_path / "java.txt"
    report.write_text(JAVA_REPORT)
    png = tmp_path / "java.png"
    assert curve.main([str(report), "-o", str(png), "--title", "Java"]) == 0
    image = Image.open(png)
    series = json.loads(image.text["Series"])
    assert series == {"prequential accuracy (test-then-train)": 2,
                      "holdout accuracy (held-out cells of the window)": 1, "majority-class rate": 1,
                      "prequential loss": 2, "epoch boundaries": 2}
    assert np.asarray(image.convert("L")).std() > 10  # something is drawn


def test_the_committed_learning_curves_are_the_ones_the_docs_show():
    from PIL import Image

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/images/python-training-curve.png" in readme
    assert "python -m flink_anndata.examples.train --plot" in readme
    for name, holdout in (("python", "holdout accuracy (fixed set)"),
                          ("java", "holdout accuracy (held-out cells of the window)")):
        png = REPO / "docs" / "images" / f"{name}-training-curve.png"
        assert f"images/{name}-training-curve.png" in (REPO / "docs" / f"{'python-' if name == 'python' else ''}training.md").read_text()
        series = json.loads(Image.open(png).text["Series"])
        assert png.stat().st_size < 150_000
        assert series["prequential accuracy (test-then-train)"] >= 15 and series[holdout] >= 15
        assert series["majority-class rate"] == 1 and series["epoch boundaries"] == 5
