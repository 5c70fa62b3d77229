#!/usr/bin/env python3
"""Throughput of the training examples on the bundled PBMC data (700 cells x 765 genes, dense in
CSR form, 10 classes), all in one run:

- the PyFlink training job (``flink_anndata.examples.train``) with its scikit-learn learner
  (SGDClassifier.partial_fit per batch of 64, a holdout evaluation every 200 cells);
- the same job without a learner (``--learner none``): batches only decoded to CSR and counted,
  i.e. what the source, PyFlink's Python workers and the keyed state cost alone;
- the Java training example (``anndata-cli train``: per-cell softmax SGD in a Java operator).

Python jobs: cells/s from the trainer's first batch to its last (the trainer's own clock, so
cluster and Python-worker start-up are left out), and the whole wall time. The Java example
prints no timing, so its figure is the slope of two runs: (cells of the long run - cells of a
5-epoch run) / (difference of their wall times). All with checkpoints every second and one
source reader, as the examples run by default.

usage: python benchmarks/pyflink_training.py [--epochs 30] [--java-epochs 100] [--skip-java]
Run from the repository's root with the interpreter of python/.venv-pyflink after
`bash scripts/python-test.sh` (which installs flink_anndata) and the Maven build (anndata-cli.jar).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def python_job(learner: str, epochs: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        report = Path(d) / "report.json"
        load_before = loadavg()
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flink_anndata.examples.train", "--learner", learner,
                        "--epochs", str(epochs), "--report-json", str(report)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        summary = json.loads(report.read_text().splitlines()[-1])
    final = summary["final"]
    return {"job": f"python:{learner}", "epochs": epochs, "cells": final["cells"], "trained": final["trained"],
            "holdout_accuracy": final["holdout_accuracy"], "training_seconds": summary["training_seconds"],
            "cells_per_s": summary["cells_per_second"], "wall_seconds": wall,
            "load_before": load_before, "load_after": loadavg()}


def java_job(epochs: int) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run(["java", "-jar", "tools/target/anndata-cli.jar", "train", "--epochs", str(epochs)],
                         check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    last = [s for s in out.splitlines() if s.startswith("epoch=") and " complete " in s][-1]
    cells = int(last.split("cells=")[1].split()[0])
    return {"epochs": epochs, "cells": cells, "wall_seconds": wall, "last_epoch_line": last}


def main(argv) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=30, help="epochs of the Python jobs (default: %(default)s)")
    ap.add_argument("--java-epochs", type=int, default=100, help="epochs of the long Java run (default: %(default)s)")
    ap.add_argument("--skip-java", action="store_true")
    a = ap.parse_args(argv)
    results = {"load_start": loadavg(), "cpus": os.cpu_count()}
    results["python_sgd"] = python_job("sgd", a.epochs)
    results["python_none"] = python_job("none", a.epochs)
    if not a.skip_java:
        short, long_ = java_job(5), java_job(a.java_epochs)
        results["java"] = {"short": short, "long": long_,
                           "cells_per_s": (long_["cells"] - short["cells"]) / (long_["wall_seconds"] - short["wall_seconds"])}
    results["load_end"] = loadavg()
    print(json.dumps(results))
    s, n = results["python_sgd"], results["python_none"]
    print(f"PyFlink training job, {s['cells']:,} cells ({a.epochs} epochs): SGDClassifier {s['cells_per_s']:,.0f} cells/s "
          f"(wall {s['wall_seconds']:.0f} s), no learner {n['cells_per_s']:,.0f} cells/s (wall {n['wall_seconds']:.0f} s)")
    if "java" in results:
        print(f"Java training example: {results['java']['cells_per_s']:,.0f} cells/s (slope of {a.java_epochs} "
              f"vs 5 epochs)")
    print(f"load average {results['load_start']} at the start, {results['load_end']} at the end, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
