#!/usr/bin/env python3
"""PyFlink throughput: the per-cell Row path against the mini-batch path, in one run on the same
stores. Each job streams the collection through a Python map that sums every stored value of X
(per cell: to_numpy(row)["X"].values; per batch: to_batch(row).X.data; with --touch dense both
densify X first, numpy work that costs the same on both paths) and collects one number per
record. Reported: cells over the job's wall time (start-up included) and the steady rate (cells
after the first result over the time after it). The batch job may run more epochs
(--batch-epochs) so that its steady phase is long enough to measure.

usage: python benchmarks/pyflink_paths.py STORE... [--epochs N] [--parallelism P]
                                          [--batch-size B] [--batch-epochs N] [--output dense|sparse]
                                          [--touch stored|dense]
Run with the interpreter of python/.venv-pyflink after `bash scripts/python-test.sh` (which
installs flink_anndata with its bundled jar).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np


def run(paths, epochs, batch_epochs, parallelism, batch_size, output, dense):
    from pyflink.common import Configuration, Types, WatermarkStrategy
    from pyflink.datastream import StreamExecutionEnvironment

    from flink_anndata import AnnDataSource, add_jar, to_batch, to_numpy

    def env():
        conf = Configuration()
        conf.set_string("python.executable", sys.executable)
        e = StreamExecutionEnvironment.get_execution_environment(conf)
        e.set_parallelism(parallelism)
        add_jar(e)
        return e

    def builder(n=epochs):
        return AnnDataSource.builder(paths).join("none").sampling("block_shuffled").epochs(n) \
            .seed(1).output(output)

    results = {}
    # per cell
    e = env()
    src = builder().build()

    def per_cell(row):
        x = to_numpy(row, dense=dense)["X"]
        return float(np.asarray(x if dense else x.values).sum())

    t0 = time.perf_counter()
    with e.from_source(src, WatermarkStrategy.no_watermarks(), "cells").map(per_cell, Types.DOUBLE()) \
            .execute_and_collect() as it:
        results["per_cell"] = timed(t0, (1 for _ in it))
    # batches
    e = env()
    src = builder(batch_epochs).build_batches(batch_size)
    names = src.field_names

    def per_batch(row):
        b = to_batch(row, names)
        return json.dumps([len(b), float((b.X.to_numpy() if dense else b.X.data).sum())])

    t0 = time.perf_counter()
    with e.from_source(src, WatermarkStrategy.no_watermarks(), "batches").map(per_batch, Types.STRING()) \
            .execute_and_collect() as it:
        results["batch"] = timed(t0, (json.loads(s)[0] for s in it))
    results["batch"]["batch_size"] = batch_size
    return results


def timed(t0, counts):
    """Cells and wall seconds from submission, and the steady rate: cells after the first result
    over the time after it (the job's start-up left out)."""
    cells = 0
    first = None
    first_cells = 0
    for c in counts:
        if first is None:
            first = time.perf_counter()
            first_cells = c
        cells += c
    end = time.perf_counter()
    steady = (cells - first_cells) / (end - first) if first is not None and end > first else 0.0
    return {"cells": cells, "seconds": end - t0, "startup_s": (first or end) - t0, "steady_cells_per_s": steady}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--parallelism", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--batch-epochs", type=int, help="epochs of the batch job (default: --epochs)")
    ap.add_argument("--output", choices=["dense", "sparse"], default="sparse")
    ap.add_argument("--touch", choices=["stored", "dense"], default="stored",
                    help="sum the stored values (default) or densify X first (numpy work the same for both paths)")
    a = ap.parse_args(argv)
    r = run(a.stores, a.epochs, a.batch_epochs or a.epochs, a.parallelism, a.batch_size, a.output,
            a.touch == "dense")
    for k, v in r.items():
        v["cells_per_s"] = v["cells"] / v["seconds"]
    ratio = r["batch"]["cells_per_s"] / r["per_cell"]["cells_per_s"]
    steady = r["batch"]["steady_cells_per_s"] / max(r["per_cell"]["steady_cells_per_s"], 1e-9)
    print(json.dumps({"parallelism": a.parallelism, "load": os.getloadavg()[0], **r, "batch_over_per_cell": ratio,
                      "steady_batch_over_per_cell": steady}))
    print(f"PyFlink p={a.parallelism}: per cell {r['per_cell']['cells_per_s']:,.0f} cells/s "
          f"(steady {r['per_cell']['steady_cells_per_s']:,.0f}), batches of {a.batch_size} "
          f"{r['batch']['cells_per_s']:,.0f} cells/s (steady {r['batch']['steady_cells_per_s']:,.0f}); "
          f"{ratio:.1f}x wall, {steady:.1f}x steady; load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
