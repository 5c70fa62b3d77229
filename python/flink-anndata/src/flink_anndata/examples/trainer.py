"""The training operator: test-then-train on mini-batches, with the learner and the bookkeeping
in Flink keyed state.

``TrainerCore`` is the part that is not Flink (usable and testable on its own): for each
``CellBatch`` it predicts the batch's training cells with the current model (prequential
accuracy and loss), then learns from them; every ``report_every`` cells and at the end of each
epoch it evaluates the fixed holdout set and returns a report record. ``TrainFunction`` is the
PyFlink ``KeyedProcessFunction`` around it: the stream is keyed by a constant, so one subtask
trains one model, and the whole training state (learner and progress) is one ``ValueState``,
pickled, checkpointed with the job. With aligned checkpoints the state holds the updates of
exactly the batches before the barrier and the source resumes right after them, so after a
failure no batch is learnt twice or lost.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import os
import pickle
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from pyflink.common import Types
from pyflink.datastream import KeyedProcessFunction
from pyflink.datastream.state import ValueStateDescriptor

from flink_anndata.batches import CellBatch, to_batch

LOG = logging.getLogger("flink_anndata.examples.train")

#: The event-time timer that fires when a bounded source ends (its watermark reaches the maximum).
END_OF_INPUT = 2 ** 63 - 2

#: Files of the injected failure (``TrainFunction``): written by the client once a checkpoint
#: holding ``fail_after_cells`` cells has completed, and by the trainer when it has failed.
COMMITTED_MARKER = "committed"
FAILED_MARKER = "failed-once"

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def holdout_mask(global_idx: np.ndarray, fraction: float) -> np.ndarray:
    """Whether each cell (by global index) is held out: SplitMix64's finaliser of the index as a
    uniform number in [0, 1), below ``fraction``. The same function as the Java example's
    ``Holdout``, so both hold out the same cells; a pure function of the index, so a cell is held out
    in every epoch, on every reader and after every restore."""
    z = np.asarray(global_idx).astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z += np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53 < fraction


@dataclass
class Holdout:
    """The fixed holdout set evaluated at every report: cells never trained on (``fraction`` of
    the collection by ``holdout_mask``), at most a given number of them, read once by the client."""

    fraction: float
    global_idx: np.ndarray  # int64, the evaluated cells
    X: object  # scipy CSR (cells, features), float32
    y: np.ndarray  # int64 codes 0..K-1

    def __len__(self) -> int:
        return len(self.y)


@dataclass
class Score:
    n: int = 0
    correct: int = 0
    loss_sum: float = 0.0

    def add(self, n: int, correct: int, loss_sum: float) -> None:
        self.n += n
        self.correct += correct
        self.loss_sum += loss_sum

    def accuracy(self) -> Optional[float]:
        return self.correct / self.n if self.n else None

    def loss(self) -> Optional[float]:
        return self.loss_sum / self.n if self.n else None


@dataclass
class Tally:
    """What happened to the cells of a window or an epoch."""

    cells: int = 0
    trained: int = 0
    held_out: int = 0
    unlabelled: int = 0
    prequential: Score = field(default_factory=Score)


@dataclass
class Progress:
    """The bookkeeping kept in state next to the learner."""

    cells: int = 0
    trained: int = 0
    batches: int = 0
    latest_epoch: int = -1
    window: Tally = field(default_factory=Tally)
    open_epochs: Dict[int, Tally] = field(default_factory=dict)
    trained_per_epoch: Dict[int, int] = field(default_factory=dict)
    epochs_completed: int = 0
    restores: int = 0
    restored_at_cells: int = 0
    last_window: Optional[dict] = None
    finished: bool = False


@dataclass
class TrainingState:
    """The value of the operator's keyed state: everything a restore needs."""

    learner: object
    progress: Progress


def _fixed(v: Optional[float]) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def format_line(record: dict) -> str:
    """A report record as the log line the Java example prints (``key=value`` pairs), with
    ``holdout_loss`` added; the plotting code reads both."""
    kind = record["kind"]
    tail = (f"prequential_accuracy={_fixed(record.get('prequential_accuracy'))} "
            f"loss={_fixed(record.get('loss'))} holdout_accuracy={_fixed(record.get('holdout_accuracy'))} "
            f"holdout_loss={_fixed(record.get('holdout_loss'))}")
    if kind == "window":
        return f"cells={record['cells']} epoch={record['epoch']} {tail}"
    if kind == "epoch":
        return f"epoch={record['epoch']} complete cells={record['cells']} trained={record['epoch_trained']} {tail}"
    if kind == "final":
        per_epoch = ",".join(str(v) for _, v in sorted(record["trained_per_epoch"].items(), key=lambda kv: int(kv[0])))
        return (f"final cells={record['cells']} trained={record['trained']} trained_per_epoch={per_epoch} "
                f"restores={record['restores']} restored_at_cells={record['restored_at_cells']} "
                f"holdout_accuracy={_fixed(record.get('holdout_accuracy'))} "
                f"holdout_loss={_fixed(record.get('holdout_loss'))}")
    raise ValueError(f"unknown record kind {kind!r}")


class TrainerCore:
    """Test-then-train on ``CellBatch``es; no Flink here.

    ``matrix`` is the batch field of the features (``X``, ``raw_X``, a layer), ``label_key`` the
    encoded obs key (codes ``0..K-1``; the unknown label -1 and missing labels are not trained on).
    ``cells_per_epoch`` is what the source emits per epoch (the epoch lines come when an epoch's
    count reaches it).
    """

    def __init__(self, learner_factory, matrix: str, label_key: str, holdout: Holdout, report_every: int,
                 cells_per_epoch: int, classes: int, learner_name: Optional[str] = None):
        if report_every <= 0:
            raise ValueError(f"report_every must be > 0, was {report_every}")
        self.learner_factory = learner_factory
        self.matrix = matrix
        self.label_key = label_key
        self.holdout = holdout
        self.report_every = report_every
        self.cells_per_epoch = cells_per_epoch
        self.classes = classes
        self.learner_name = learner_name

    def new_state(self) -> TrainingState:
        return TrainingState(self.learner_factory(), Progress())

    # ---- evaluation ----
    @staticmethod
    def _score(learner, X, y) -> Optional[tuple]:
        """(correct, summed cross-entropy) of the learner's predictions, or None without a model."""
        proba = learner.predict_proba(X)
        if proba is None:
            return None
        proba = np.asarray(proba, dtype=np.float64)
        correct = int((proba.argmax(axis=1) == y).sum())
        p = np.clip(proba[np.arange(len(y)), y], 1e-15, 1.0)
        return correct, float(-np.log(p).sum())

    def evaluate_holdout(self, learner) -> tuple:
        if len(self.holdout) == 0:
            return None, None
        s = self._score(learner, self.holdout.X, self.holdout.y)
        if s is None:
            return None, None
        return s[0] / len(self.holdout), s[1] / len(self.holdout)

    # ---- one batch ----
    def process(self, state: TrainingState, batch: CellBatch) -> List[dict]:
        """Predicts, then learns, the batch's training cells; returns the report records it completes."""
        p, learner = state.progress, state.learner
        n = len(batch)
        if n == 0:
            return []
        records = []
        if p.batches == 0:  # the untrained model on the holdout: where the curve starts
            records.append(self._window(state))
        X = batch.matrices[self.matrix].to_scipy()
        y = batch.obs[self.label_key].astype(np.int64)
        held = holdout_mask(batch.global_idx, self.holdout.fraction)
        labelled = y >= 0
        train = labelled & ~held
        n_train = int(train.sum())
        n_held = int((labelled & held).sum())
        scored = None
        if n_train:
            Xt, yt = X[train], y[train]
            scored = self._score(learner, Xt, yt)  # test ...
            learner.learn(Xt, yt)  # ... then train
        epoch = batch.epoch
        before = p.cells
        p.cells += n
        p.trained += n_train
        p.batches += 1
        p.latest_epoch = max(p.latest_epoch, epoch)
        p.trained_per_epoch[epoch] = p.trained_per_epoch.get(epoch, 0) + n_train
        e = p.open_epochs.setdefault(epoch, Tally())
        for t in (p.window, e):
            t.cells += n
            t.trained += n_train
            t.held_out += n_held
            t.unlabelled += n - n_train - n_held
            if scored is not None:
                t.prequential.add(n_train, *scored)
        if p.cells // self.report_every > before // self.report_every:
            records.append(self._window(state))
        if e.cells >= self.cells_per_epoch:
            del p.open_epochs[epoch]
            p.epochs_completed += 1
            records.append(self._epoch(state, epoch, e))
        return records

    def _measures(self, state: TrainingState, tally: Tally) -> dict:
        h_acc, h_loss = self.evaluate_holdout(state.learner)
        return {"prequential_accuracy": tally.prequential.accuracy(), "loss": tally.prequential.loss(),
                "holdout_accuracy": h_acc, "holdout_loss": h_loss}

    def _window(self, state: TrainingState) -> dict:
        p = state.progress
        w = p.window
        rec = {"kind": "window", "cells": p.cells, "epoch": max(p.latest_epoch, 0) + 1, "trained": p.trained,
               "window_cells": w.cells, "window_trained": w.trained, **self._measures(state, w)}
        p.window = Tally()
        p.last_window = rec
        return rec

    def _epoch(self, state: TrainingState, epoch: int, e: Tally) -> dict:
        p = state.progress
        return {"kind": "epoch", "epoch": epoch + 1, "cells": p.cells, "trained": p.trained,
                "epoch_trained": e.trained, "epoch_held_out": e.held_out, "epoch_unlabelled": e.unlabelled,
                **self._measures(state, e)}

    def finish(self, state: TrainingState) -> List[dict]:
        """At the end of a bounded input: the last partial window and the final record (the model
        pickled, base64, and the per-epoch counts)."""
        p = state.progress
        records = []
        if p.window.cells:
            records.append(self._window(state))
        h_acc, h_loss = self.evaluate_holdout(state.learner)
        records.append({
            "kind": "final", "cells": p.cells, "trained": p.trained, "batches": p.batches,
            "trained_per_epoch": {str(k + 1): v for k, v in sorted(p.trained_per_epoch.items())},
            "epochs_completed": p.epochs_completed, "restores": p.restores,
            "restored_at_cells": p.restored_at_cells, "learner": state.learner.name,
            "holdout_accuracy": h_acc, "holdout_loss": h_loss,
            "model": base64.b64encode(pickle.dumps(state.learner)).decode("ascii"),
        })
        p.finished = True
        return records


def decode_model(record: dict):
    """The learner of a final record."""
    return pickle.loads(base64.b64decode(record["model"]))


class TrainFunction(KeyedProcessFunction):
    """The trainer in the job: one key, one ``ValueState`` holding the pickled
    ``TrainingState``; report records out as JSON strings, also logged (TaskManager log).

    Gauges (PyFlink gauges are integers): ``cellsSeen``, ``cellsTrained``, ``epoch``
    (1-based), ``prequentialAccuracyPermille``, ``prequentialLossMilli`` and
    ``holdoutAccuracyPermille`` of the last window report (-1 before the first).

    ``fail_after_cells`` injects one failure, for demonstrations and tests on one machine: once
    that many cells are in the state, the function waits, slowed down (``fail_throttle_s`` per
    batch), until the file ``committed`` appears in ``fail_marker_dir`` and then raises. The
    client writes that file when it has received a report of at least that many cells, which
    ``execute_and_collect`` hands over only after the checkpoint covering it completed: so the
    failure always comes after a checkpoint holding at least ``fail_after_cells`` cells, and the
    restart resumes from a trained model. The file ``failed-once`` records the failure, so the
    restarted attempt does not fail again.
    """

    def __init__(self, core: TrainerCore, field_names: List[str], bounded: bool,
                 fail_after_cells: Optional[int] = None, fail_marker_dir: Optional[str] = None,
                 fail_throttle_s: float = 0.1):
        self.core = core
        self.field_names = list(field_names)
        self.bounded = bounded
        self.fail_after_cells = fail_after_cells
        self.fail_marker_dir = fail_marker_dir
        self.fail_throttle_s = fail_throttle_s

    def open(self, runtime_context):
        self.state = runtime_context.get_state(ValueStateDescriptor("training", Types.PICKLED_BYTE_ARRAY()))
        self.fresh = True  # no element yet in this attempt: a state found now was restored
        self.first_batch_time = None
        self.g = {"cellsSeen": 0, "cellsTrained": 0, "epoch": 0, "prequentialAccuracyPermille": -1,
                  "prequentialLossMilli": -1, "holdoutAccuracyPermille": -1}
        group = runtime_context.get_metrics_group()
        for name in self.g:
            group.gauge(name, (lambda k: lambda: self.g[k])(name))
        if self.core.learner_name == "torch":
            import torch

            torch.set_num_threads(1)  # one thread: the same arithmetic order in every attempt

    def _maybe_fail(self, cells: int):
        if self.fail_after_cells is None or cells < self.fail_after_cells:
            return
        failed = os.path.join(self.fail_marker_dir, FAILED_MARKER)
        if os.path.exists(failed):
            return
        if not os.path.exists(os.path.join(self.fail_marker_dir, COMMITTED_MARKER)):
            time.sleep(self.fail_throttle_s)  # until a checkpoint holding these cells has completed
            return
        with open(failed, "x") as f:
            f.write(str(cells))
        raise RuntimeError(f"injected failure after {cells} cells (--fail-after-cells {self.fail_after_cells})")

    def process_element(self, row, ctx):
        st = self.state.value()
        if self.fresh and self.bounded:
            # once per attempt: a timer registered before a failure did not fire after the restore
            # in PyFlink 2.3; registering the same time again is a no-op where it survived
            ctx.timer_service().register_event_time_timer(END_OF_INPUT)
        if st is None:
            st = self.core.new_state()
        elif self.fresh:
            st.progress.restores += 1
            st.progress.restored_at_cells = st.progress.cells
            LOG.info("restored the training state after %d cells (%d trained on)",
                     st.progress.cells, st.progress.trained)
        self.fresh = False
        self._maybe_fail(st.progress.cells)
        if self.first_batch_time is None:
            self.first_batch_time = time.time()
        records = self.core.process(st, to_batch(row, self.field_names))
        self.state.update(st)
        self._gauges(st)
        for r in records:
            r["time"] = time.time()
            LOG.info("%s", format_line(r))
            yield json.dumps(r)

    def on_timer(self, timestamp, ctx):
        st = self.state.value()
        if st is None or st.progress.finished:
            return
        records = self.core.finish(st)
        self.state.update(st)
        self._gauges(st)
        for r in records:
            r["time"] = time.time()
            if r["kind"] == "final":
                r["first_batch_time"] = self.first_batch_time
            LOG.info("%s", format_line(r))
            yield json.dumps(r)

    def _gauges(self, st: TrainingState):
        p = st.progress
        self.g["cellsSeen"] = p.cells
        self.g["cellsTrained"] = p.trained
        self.g["epoch"] = p.latest_epoch + 1
        w = p.last_window or {}
        for gauge, key, scale in (("prequentialAccuracyPermille", "prequential_accuracy", 1000),
                                  ("prequentialLossMilli", "loss", 1000),
                                  ("holdoutAccuracyPermille", "holdout_accuracy", 1000)):
            v = w.get(key)
            self.g[gauge] = -1 if v is None else int(round(v * scale))

