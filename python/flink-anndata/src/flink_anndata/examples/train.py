"""Continuous training in PyFlink: mini-batches from the source into an online classifier whose
model lives in Flink state, with a learning curve.

    python -m flink_anndata.examples.train --plot curve.png          # or: flink-anndata-train ...

With no arguments it trains scikit-learn's SGDClassifier on the bundled
``examples/data/pbmc68k_reduced.h5ad`` (label ``bulk_labels``; run from the repository's root)
for 5 block-shuffled epochs on a local cluster. The pipeline::

    AnnDataSource.build_batches (block-shuffled or weighted, bounded or unbounded epochs, --parallelism readers)
      -> key_by(constant) -> TrainFunction (parallelism 1: one model, in keyed ValueState, checkpointed)
      -> report records -> client: log lines, --plot PNG, --report-json, --model-out

Every ``--report-every`` cells and at the end of every epoch the trainer reports the prequential
(test-then-train) accuracy and loss of the training cells since the last report, and the accuracy
and loss of the current model on a fixed holdout set (cells never trained on, chosen by a hash
of the global index, read once by the client). The lines are printed by the client, logged by
the trainer (TaskManager log) and the latest values are Flink gauges.

Exactly once: the learner and the bookkeeping are one pickled ValueState, checkpointed with the
source's position (aligned checkpoints); after a failure the job restarts from the last completed
checkpoint, so every batch is learnt once. The client receives the report lines through
``execute_and_collect``, which hands over results only once the checkpoint covering them has
completed, so each line is printed once (in bursts, one per checkpoint). ``--fail-after-cells N``
injects one failure to show it; the final model is then the same as a run without failure.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

from flink_anndata.examples.learners import LEARNERS, make_learner

BUNDLED = Path("examples") / "data" / "pbmc68k_reduced.h5ad"
_SAMPLINGS = {"block-shuffled": "block_shuffled", "weighted": "weighted", "sequential": "sequential"}
_DEFAULT_RATE = {"sgd": 0.005, "torch": 0.001, "none": 0.0}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m flink_anndata.examples.train",
        description="Train an online classifier on mini-batches streamed by the AnnData source, with the "
                    "model in Flink state; print prequential and holdout accuracy, plot the learning curve.")
    ap.add_argument("--paths", nargs="+", metavar="PATH",
                    help=f"stores in collection order, also comma-separated (default: the bundled {BUNDLED})")
    ap.add_argument("--label-key", default="bulk_labels", help="obs column to predict, encoded (default: %(default)s)")
    ap.add_argument("--layer", default="X", help="feature matrix: X, raw.X or a layer (default: %(default)s)")
    ap.add_argument("--join", default="inner", choices=["inner", "outer"], help="gene join over stores (default: %(default)s)")
    ap.add_argument("--sampling", default="block-shuffled", choices=sorted(_SAMPLINGS),
                    help="weighted: class-balanced draws by the label (default: %(default)s)")
    ap.add_argument("--epochs", type=int, default=5, help="epochs, -1 for unbounded (default: %(default)s)")
    ap.add_argument("--block-size", type=int, default=256, help="rows per shuffled block (default: %(default)s)")
    ap.add_argument("--batch-size", type=int, default=64, help="cells per mini-batch (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the sampling and of the learner (default: %(default)s)")
    ap.add_argument("--learner", default="sgd", choices=LEARNERS,
                    help="sgd: scikit-learn SGDClassifier.partial_fit; torch: a small PyTorch MLP (needs torch); "
                         "none: decode and count only (default: %(default)s)")
    ap.add_argument("--learning-rate", type=float,
                    help="sgd: constant step eta0 (default 0.005); torch: Adam's rate (default 0.001)")
    ap.add_argument("--l2", type=float, default=1e-4, help="L2 penalty: sgd alpha, torch weight decay (default: %(default)s)")
    ap.add_argument("--hidden", type=int, default=64, help="torch: hidden units, 0 for logistic regression (default: %(default)s)")
    ap.add_argument("--holdout", type=float, default=0.2,
                    help="share of cells never trained on, by a hash of the global index (default: %(default)s)")
    ap.add_argument("--holdout-max", type=int, default=2000,
                    help="at most this many of them (the first by index) form the evaluated holdout set (default: %(default)s)")
    ap.add_argument("--report-every", type=int, default=200, help="cells per report (default: %(default)s)")
    ap.add_argument("--parallelism", type=int, default=1, help="source readers; the trainer is one (default: %(default)s)")
    ap.add_argument("--checkpoint-interval-ms", type=int,
                    help="checkpoint interval, 0 for none (default: 1000; 200 with --fail-after-cells)")
    ap.add_argument("--fail-after-cells", type=int, metavar="N",
                    help="inject one failure once a checkpoint holding N cells has completed, to show that "
                         "the job resumes exactly once (local runs: client and trainer share a temporary folder)")
    ap.add_argument("--stop-after-cells", type=int, metavar="N",
                    help="stop (cancel) the job after the first report past N cells; for --epochs -1")
    ap.add_argument("--plot", metavar="PNG", help="write the learning curve here at the end")
    ap.add_argument("--report-json", metavar="FILE", help="write every report record (JSON lines) and a summary")
    ap.add_argument("--model-out", metavar="FILE", help="write the final learner (pickle) at the end of a bounded run")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                    help="Flink configuration, e.g. --conf rest.port=8081 (repeatable)")
    return ap


def _paths(a) -> List[str]:
    if not a.paths:
        if not BUNDLED.is_file():
            raise SystemExit(f"the bundled dataset {BUNDLED} is not here: run from the repository's root or give --paths")
        return [str(BUNDLED.resolve())]
    return [p for arg in a.paths for p in arg.split(",") if p]


def _check(a) -> None:
    def need(ok, msg):
        if not ok:
            raise SystemExit(f"error: {msg}")

    need(a.parallelism > 0, f"--parallelism must be > 0, was {a.parallelism}")
    need(a.report_every > 0, f"--report-every must be > 0, was {a.report_every}")
    need(a.batch_size > 0, f"--batch-size must be > 0, was {a.batch_size}")
    need(a.epochs == -1 or a.epochs > 0, f"--epochs must be > 0 or -1, was {a.epochs}")
    need(0 <= a.holdout < 1, f"--holdout must be in [0, 1), was {a.holdout}")
    need(a.holdout_max >= 0, f"--holdout-max must be >= 0, was {a.holdout_max}")
    need(a.checkpoint_interval_ms is None or a.checkpoint_interval_ms >= 0, "--checkpoint-interval-ms must be >= 0")
    need(a.fail_after_cells is None or a.fail_after_cells >= 0, "--fail-after-cells must be >= 0")
    need(a.fail_after_cells is None or a.checkpoint_interval_ms != 0, "--fail-after-cells needs checkpoints")
    need(a.epochs != -1 or a.stop_after_cells is not None or a.plot is None,
         "--plot with --epochs -1 needs --stop-after-cells (an unbounded run only ends when stopped)")
    for c in a.conf:
        need("=" in c, f"--conf takes KEY=VALUE, was {c!r}")


def _learner_options(a) -> dict:
    rate = a.learning_rate if a.learning_rate is not None else _DEFAULT_RATE[a.learner]
    if a.learner == "sgd":
        return {"alpha": a.l2, "learning_rate": "constant", "eta0": rate}
    if a.learner == "torch":
        return {"hidden": a.hidden, "lr": rate, "l2": a.l2}
    return {}


def run(argv: Optional[List[str]] = None, out=None) -> dict:
    """Runs the job; prints the header, every report line and a summary to ``out`` (stdout).
    Returns the summary (records, final record, collection facts, timings)."""
    out = out or sys.stdout
    a = parser().parse_args(argv)
    _check(a)
    paths = _paths(a)

    from pyflink.common import Configuration, Types, WatermarkStrategy
    from pyflink.datastream import StreamExecutionEnvironment

    from flink_anndata import AnnDataSource, add_jar
    from flink_anndata.examples.collection_info import inspect
    from flink_anndata.examples.curve import from_records, plot
    from flink_anndata.examples.trainer import (COMMITTED_MARKER, TrainFunction, TrainerCore, decode_model,
                                                 format_line)

    interval = a.checkpoint_interval_ms if a.checkpoint_interval_ms is not None else (
        200 if a.fail_after_cells is not None else 1000)
    conf = Configuration()
    conf.set_string("python.executable", sys.executable)  # workers with this interpreter (and package)
    # Small bundles: the Java side hands at most this many batches to a Python worker before it
    # waits for them. A checkpoint barrier waits behind a whole bundle (PyFlink's default is 100,000
    # elements or 1 s), so with the default a slow trainer delays checkpoints, and the report lines
    # the client receives with them, by as much as is buffered; a batch is a big element anyway.
    conf.set_string("python.fn-execution.bundle.size", "8")
    conf.set_string("python.fn-execution.bundle.time", "200")
    if a.fail_after_cells is not None:
        conf.set_string("restart-strategy.type", "fixed-delay")
        conf.set_string("restart-strategy.fixed-delay.attempts", "3")
        conf.set_string("restart-strategy.fixed-delay.delay", "200 ms")
    for c in a.conf:
        k, v = c.split("=", 1)
        conf.set_string(k.strip(), v.strip())
    env = StreamExecutionEnvironment.get_execution_environment(conf)
    env.set_parallelism(a.parallelism)
    if interval > 0:
        env.enable_checkpointing(interval)  # exactly-once, aligned
    add_jar(env)

    builder = (AnnDataSource.builder(paths).layers_keys(a.layer).obs_keys(a.label_key)
               .encode_labels([a.label_key]).join(a.join).sampling(_SAMPLINGS[a.sampling])
               .block_size(a.block_size).epochs(a.epochs).seed(a.seed))
    if a.sampling == "weighted":
        builder.weight_keys(a.label_key)  # class balance
    info = inspect(builder, a.label_key, a.layer, a.holdout, a.holdout_max)
    source = builder.build_batches(a.batch_size)
    learner_factory = functools.partial(make_learner, a.learner, info.features, len(info.classes), a.seed,
                                        **_learner_options(a))
    learner = learner_factory()  # fails here, on the client, when torch is missing
    epochs = "unbounded epochs" if a.epochs == -1 else "1 epoch" if a.epochs == 1 else f"{a.epochs} epochs"
    header = (f"training on {info.cells} cells x {info.features} features of {','.join(paths)}: "
              f"{len(info.classes)} classes of '{a.label_key}' (majority class '{info.majority_label}': "
              f"{info.majority_rate:.3f}), {a.sampling} sampling, {epochs}, holdout {a.holdout:.2f} "
              f"({len(info.holdout)} cells evaluated, majority class there {info.holdout_majority_rate():.3f})")
    print(header, file=out, flush=True)
    print(f"learner: {learner.describe()}; batches of {a.batch_size}, {a.parallelism} reader(s), "
          f"checkpoints {'every %d ms' % interval if interval else 'off'}", file=out, flush=True)

    matrix = "raw_X" if a.layer == "raw.X" else a.layer
    core = TrainerCore(learner_factory, matrix, a.label_key, info.holdout, a.report_every, info.cells,
                       len(info.classes), learner_name=a.learner)
    marker_dir = tempfile.mkdtemp(prefix="flink-anndata-fail-") if a.fail_after_cells is not None else None
    fn = TrainFunction(core, source.field_names, bounded=a.epochs != -1, fail_after_cells=a.fail_after_cells,
                       fail_marker_dir=marker_dir)
    stream = (env.from_source(source, WatermarkStrategy.no_watermarks(), "anndata batches")
              .key_by(lambda _: 0, Types.INT())
              .process(fn, Types.STRING()).name("train").uid("train").set_parallelism(1))

    records, final = [], None
    started = time.time()
    try:
        with stream.execute_and_collect("flink-anndata train") as results:
            for text in results:
                r = json.loads(text)
                records.append(r)
                if r["kind"] == "final":
                    final = r
                print(format_line(r), file=out, flush=True)
                if marker_dir and r.get("cells", 0) >= a.fail_after_cells:
                    # a checkpoint holding this many cells has completed: the trainer may fail now
                    Path(marker_dir, COMMITTED_MARKER).touch()
                if a.stop_after_cells is not None and r.get("cells", 0) >= a.stop_after_cells:
                    print(f"stopping after {r['cells']} cells (--stop-after-cells {a.stop_after_cells})", file=out, flush=True)
                    break
    finally:
        if marker_dir:
            shutil.rmtree(marker_dir, ignore_errors=True)
    seconds = time.time() - started

    summary = {"cells_per_epoch": info.cells, "features": info.features, "classes": info.classes,
               "class_counts": info.class_counts, "majority_rate": info.majority_rate,
               "majority_label": info.majority_label, "holdout_cells": len(info.holdout),
               "holdout_majority_rate": info.holdout_majority_rate(), "learner": a.learner,
               "seconds": seconds, "final": None}
    if final is not None:
        f = {k: v for k, v in final.items() if k != "model"}
        summary["final"] = f
        if final.get("first_batch_time") and not final["restores"]:  # the clock restarts with an attempt
            span = final["time"] - final["first_batch_time"]
            summary["training_seconds"] = span
            summary["cells_per_second"] = final["cells"] / span if span > 0 else None
        per_epoch = list(final["trained_per_epoch"].values())
        h = final.get("holdout_accuracy")
        print(f"done: {final['cells']} cells in {final['epochs_completed']} epochs, trained on {final['trained']} "
              f"({', '.join(map(str, per_epoch))} per epoch), restores {final['restores']}"
              f"{' (at %d cells)' % final['restored_at_cells'] if final['restores'] else ''}; holdout accuracy "
              f"{'n/a' if h is None else '%.3f' % h} on {len(info.holdout)} cells (majority class there "
              f"{info.holdout_majority_rate():.3f}); {seconds:.1f} s"
              + (f", {summary['cells_per_second']:,.0f} cells/s from the first batch"
                 if summary.get("cells_per_second") else ""), file=out, flush=True)
        if a.model_out:
            import pickle

            with open(a.model_out, "wb") as fh:
                pickle.dump(decode_model(final), fh)
            print(f"model: {a.model_out}", file=out, flush=True)
    curve = from_records(records, info.majority_rate, info.majority_label, header)
    if a.plot:
        title = (f"PyFlink, {learner.title}: {Path(paths[0]).name}"
                 f"{' +%d' % (len(paths) - 1) if len(paths) > 1 else ''}, '{a.label_key}', {a.sampling}, seed {a.seed}")
        series = plot(curve, a.plot, title)
        summary["plot_series"] = series
        print(f"learning curve: {a.plot}", file=out, flush=True)
    elif final is not None:
        print("learning curve: not plotted (give --plot FILE.png)", file=out, flush=True)
    if a.report_json:
        with open(a.report_json, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps({k: v for k, v in r.items() if k != "model"}) + "\n")
            fh.write(json.dumps({"kind": "summary", **summary}) + "\n")
    summary["records"] = records
    return summary


def main(argv: Optional[List[str]] = None) -> int:
    run(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
