#!/usr/bin/env python3
"""PyFlink throughput: the per-cell Row path against the mini-batch path, in one run on the same
stores. Each job streams the collection through a Python map that touches every value of X (per
cell: to_numpy(row)["X"]; per batch: to_batch(row).X.to_numpy()) and collects one number per
record; cells/s is cells over the job's wall time (start-up included, so use enough epochs).

usage: python benchmarks/pyflink_paths.py STORE... [--epochs N] [--parallelism P]
                                          [--batch-size B] [--output dense|sparse]
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


def run(paths, epochs, parallelism, batch_size, output):
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

    def builder():
        return AnnDataSource.builder(paths).join("none").sampling("block_shuffled").epochs(epochs) \
            .seed(1).output(output)

    results = {}
    # per cell
    e = env()
    src = builder().build()

    def per_cell(row):
        x = to_numpy(row, dense=True)["X"]
        return float(np.asarray(x).sum())

    t0 = time.perf_counter()
    with e.from_source(src, WatermarkStrategy.no_watermarks(), "cells").map(per_cell, Types.DOUBLE()) \
            .execute_and_collect() as it:
        cells = sum(1 for _ in it)
    results["per_cell"] = {"cells": cells, "seconds": time.perf_counter() - t0}
    # batches
    e = env()
    src = builder().build_batches(batch_size)
    names = src.field_names

    def per_batch(row):
        b = to_batch(row, names)
        return json.dumps([len(b), float(b.X.to_numpy().sum())])

    t0 = time.perf_counter()
    with e.from_source(src, WatermarkStrategy.no_watermarks(), "batches").map(per_batch, Types.STRING()) \
            .execute_and_collect() as it:
        cells = sum(json.loads(s)[0] for s in it)
    results["batch"] = {"cells": cells, "seconds": time.perf_counter() - t0, "batch_size": batch_size}
    return results


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--parallelism", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--output", choices=["dense", "sparse"], default="sparse")
    a = ap.parse_args(argv)
    r = run(a.stores, a.epochs, a.parallelism, a.batch_size, a.output)
    for k, v in r.items():
        v["cells_per_s"] = v["cells"] / v["seconds"]
    ratio = r["batch"]["cells_per_s"] / r["per_cell"]["cells_per_s"]
    print(json.dumps({"parallelism": a.parallelism, "load": os.getloadavg()[0], **r, "batch_over_per_cell": ratio}))
    print(f"PyFlink p={a.parallelism}: per cell {r['per_cell']['cells_per_s']:,.0f} cells/s, "
          f"batches of {a.batch_size} {r['batch']['cells_per_s']:,.0f} cells/s ({ratio:.1f}x); "
          f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
