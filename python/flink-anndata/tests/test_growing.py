"""A growing collection through PyFlink, as the issue reported it: a store renamed into the watched
directory while the job runs reaches the Python side within two epochs of the enumerator's
"sampled from the next epoch on"; its new labels take the next codes, and its samples equal the
store read alone (projected by gene name onto the initial store's genes).

The job bounds what is in flight after the source — a Python bundle of 50, collect batches of
4 kb, buffer debloating — as README "Growing collections" says to: the connector keeps its own
lead to one epoch (a split request finishes a reader's split), but it cannot see records that
already left the readers.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from flink_anndata import AnnDataSource

ROWS = 700  # cells per store: an epoch of the initial store
GENES = [f"g{i}" for i in range(40)]
# the joining store: the genes in another order, two of them missing and two outside the space
JOIN_GENES = list(reversed(GENES[2:])) + ["x1", "x2"]
FIRST_LABELS = ["B cell", "T cell"]
JOIN_LABELS = ["T cell", "NK", "alpha"]  # "NK" and "alpha" are new: codes 2 and 3
IN_FLIGHT = {"python.fn-execution.bundle.size": "50", "collect-sink.batch-size.max": "4kb",
             "taskmanager.network.memory.buffer-debloat.enabled": "true"}


def _write_zarr(root: Path, genes, labels, x):
    """A zarr v2 AnnData store: dense float32 X in one uncompressed chunk, a string obs column."""

    def meta(path, dtype, shape, filters=None, attrs=None):
        d = root / path
        d.mkdir(parents=True, exist_ok=True)
        (d / ".zarray").write_text(json.dumps({
            "zarr_format": 2, "shape": shape, "chunks": shape, "dtype": dtype, "compressor": None,
            "fill_value": "" if dtype == "|O" else 0, "order": "C", "filters": filters}))
        (d / ".zattrs").write_text(json.dumps(attrs or {}))
        return d

    def strings(path, values):
        d = meta(path, "|O", [len(values)], [{"id": "vlen-utf8"}],
                 {"encoding-type": "string-array", "encoding-version": "0.2.0"})
        out = struct.pack("<I", len(values))
        for v in values:
            b = v.encode("utf-8")
            out += struct.pack("<I", len(b)) + b
        (d / "0").write_bytes(out)

    def group(path, attrs):
        d = root / path
        d.mkdir(parents=True, exist_ok=True)
        (d / ".zgroup").write_text(json.dumps({"zarr_format": 2}))
        (d / ".zattrs").write_text(json.dumps(attrs))

    def frame(path, index, columns):
        group(path, {"_index": "_index", "column-order": columns, "encoding-type": "dataframe",
                     "encoding-version": "0.2.0"})
        strings(path + "/_index", index)

    group("", {"encoding-type": "anndata", "encoding-version": "0.1.0"})
    frame("obs", [f"c{i}" for i in range(len(labels))], ["label"])
    strings("obs/label", labels)
    frame("var", genes, [])
    d = meta("X", "<f4", list(x.shape), None, {"encoding-type": "array", "encoding-version": "0.2.0"})
    (d / "0.0").write_bytes(x.astype("<f4").tobytes())


def _matrix(genes, seed):
    """Values that name their gene, so a sample projected by name is checkable: row r, gene g."""
    rng = np.random.default_rng(seed)
    return np.array([[rng.integers(0, 5) * 100 + int(g[1:]) if g.startswith("g") else 999 for g in genes]
                     for _ in range(ROWS)], dtype=np.float32)


def _pyflink_log() -> Path:
    import pyflink
    logs = sorted((Path(pyflink.__file__).parent / "log").glob("flink-*.log"), key=os.path.getmtime)
    return logs[-1] if logs else None


@pytest.mark.parametrize("parallelism", [1, 2])
def test_a_store_renamed_into_the_watched_directory_reaches_python_within_two_epochs(
        tmp_path, connector_jar, dump, parallelism):
    from pyflink.common import Configuration, Types, WatermarkStrategy
    from pyflink.datastream import StreamExecutionEnvironment

    import flink_anndata

    first, watched = tmp_path / "first.zarr", tmp_path / "watched"
    watched.mkdir()
    _write_zarr(first, GENES, [FIRST_LABELS[i % 2] for i in range(ROWS)], _matrix(GENES, 1))
    staged = tmp_path / "staged.zarr"  # written outside, then moved in under a hidden name and renamed
    _write_zarr(staged, JOIN_GENES, [JOIN_LABELS[i % 3] for i in range(ROWS)], _matrix(JOIN_GENES, 2))
    alone = dump([str(staged)], "--obs-keys", "label", "--encode-labels", "false")

    config = Configuration()
    config.set_string("python.executable", sys.executable)
    for k, v in IN_FLIGHT.items():
        config.set_string(k, v)
    env = StreamExecutionEnvironment.get_execution_environment(config)
    env.set_parallelism(parallelism)
    flink_anndata.add_jar(env)  # the bundled jar
    source = (AnnDataSource.builder(str(first)).obs_keys("label").sampling("block_shuffled").block_size(64)
              .seed(3).output("dense").epochs(-1).watch_directories(str(watched)).discovery_interval(0.2)
              .build())
    rows = env.from_source(source, WatermarkStrategy.no_watermarks(), "cells").map(
        lambda r: (r.epoch, r.store_idx, r.global_idx, r.label, json.dumps([float(v) for v in r.X])),
        Types.TUPLE([Types.INT(), Types.INT(), Types.LONG(), Types.INT(), Types.STRING()]))

    log = _pyflink_log()
    log_start = log.stat().st_size if log else 0
    state = {"max_epoch": -1, "join_epoch": None}

    def watch_log():
        # the consumer's epoch when the enumerator installs the grown plan
        deadline = time.time() + 60
        while state["join_epoch"] is None and time.time() < deadline:
            current = _pyflink_log()
            if current is not None:
                with open(current, "rb") as f:
                    f.seek(log_start if current == log else 0)
                    if b"stores joined" in f.read():
                        state["join_epoch"] = state["max_epoch"]
                        return
            time.sleep(0.02)

    seen, first_joined = [], None
    start = time.time()
    with rows.execute_and_collect() as records:
        for epoch, store, global_idx, code, x in records:
            state["max_epoch"] = max(state["max_epoch"], epoch)
            if epoch >= 2 and not (watched / "second.zarr").exists():
                os.rename(staged, watched / ".second.zarr")
                os.rename(watched / ".second.zarr", watched / "second.zarr")
                threading.Thread(target=watch_log, daemon=True).start()
            seen.append((epoch, store, global_idx, code, x))
            if store == 1 and first_joined is None:
                first_joined = epoch
            if first_joined is not None and sum(1 for t in seen if t[0] == first_joined) == 2 * ROWS:
                break  # the first epoch with the joined store is complete
            assert time.time() - start < 55, f"no sample of the joined store after {len(seen)} samples"

    assert state["join_epoch"] is not None, "the enumerator's join line was not found in " + str(log)
    print(f"join latency p={parallelism}: consumer at epoch {state['join_epoch']} at the join, first joined"
          f" sample in epoch {first_joined} ({first_joined - state['join_epoch']} epochs)")
    # the joined store is sampled from the enumerator's next epoch; that epoch is at most one after
    # what readers emit, and the bounded buffers hold about one more
    assert first_joined - state["join_epoch"] <= 2, (first_joined, state["join_epoch"])

    joined = [s for s in seen if s[0] == first_joined]
    assert sorted(s[2] for s in joined) == list(range(2 * ROWS)), "the epoch samples both stores, once each"
    initial = _matrix(GENES, 1)
    codes = {}
    for epoch, store, global_idx, code, x in joined:
        if store == 0:
            label = FIRST_LABELS[global_idx % 2]
            assert code == FIRST_LABELS.index(label), "initial labels keep the sorted codes"
            assert json.loads(x) == initial[global_idx].tolist(), global_idx
            continue
        row = global_idx - ROWS
        want = alone[row]
        codes.setdefault(want["label"], set()).add(code)
        # the store read alone, projected by name onto the initial genes (missing genes are 0)
        by_name = dict(zip(JOIN_GENES, want["X"]))
        assert json.loads(x) == [by_name.get(g, 0.0) for g in GENES], row
    assert codes == {"T cell": {1}, "NK": {2}, "alpha": {3}}, "new labels take the next codes, in sorted order"
