"""Mini-batches in Python: one record per batch of cells, packed into bytes on the Java side and
read back with numpy; every cell of every batch equals the Java CLI's dump of that sample, each
(epoch, global index) once, and the CSR, dense and scipy forms agree."""

from __future__ import annotations

import json

import numpy as np

from conftest import MIXED
from flink_anndata import AnnDataSource, to_batch
from flink_anndata.batches import MISSING_CODE

OPTIONS = ["--layers-keys", "X,counts", "--obs-keys", "cell_type,donor", "--encode-labels", "cell_type",
           "--join", "outer"]


def _builder():
    return (AnnDataSource.builder(MIXED).layers_keys("X", "counts").obs_keys("cell_type", "donor")
            .encode_labels(["cell_type"]).join("outer"))


def test_batches_hold_every_cell_once_equal_to_the_dump(environment, dump):
    from pyflink.common import WatermarkStrategy

    expected = dump(MIXED, *OPTIONS)
    env = environment()
    source = _builder().sampling("block_shuffled").block_size(4).window_blocks(2).epochs(2).seed(3) \
        .build_batches(batch_size=5)
    assert source.field_names[:6] == ["epoch", "global_idx", "store_idx", "row", "X", "counts"]
    seen = set()
    records = 0
    with env.from_source(source, WatermarkStrategy.no_watermarks(), "batches").execute_and_collect() as rows:
        for row in rows:
            records += 1
            b = to_batch(row, source.field_names)
            assert 1 <= len(b) <= 5
            x = b.X.to_numpy()
            assert b.X.is_sparse  # the source's default output form
            np.testing.assert_array_equal(b.X.to_scipy().toarray(), x)
            counts = b["counts"].to_numpy()
            for i, g in enumerate(b.global_idx.tolist()):
                key = (b.epoch, g)
                assert key not in seen, f"{key} twice"
                seen.add(key)
                want = expected[g]
                assert int(b.store_idx[i]) == want["_store_idx"]
                np.testing.assert_array_equal(x[i], np.asarray(want["X"], dtype=np.float32), err_msg=str(key))
                np.testing.assert_array_equal(counts[i], np.asarray(want["counts"], dtype=np.float32))
                code = int(b.obs["cell_type"][i])
                assert (None if code == MISSING_CODE else code) == want["cell_type"], str(key)
                assert b.obs["donor"][i] == want.get("donor")
    n = len(expected)
    assert seen == {(e, g) for e in range(2) for g in range(n)}
    assert records < 2 * n / 3  # batches, not cells


def test_batches_reach_a_python_function_as_a_few_arrays(environment, dump):
    """In a Python map the batch is numpy arrays straight from the packed bytes."""
    from pyflink.common import Types, WatermarkStrategy

    n = len(dump(MIXED, *OPTIONS))
    env = environment()
    source = _builder().output("dense").build_batches(batch_size=8)
    names = source.field_names

    def in_python(row):
        b = to_batch(row, names)
        assert b.global_idx.dtype == np.int64 and b.X.data.dtype == np.float32
        assert not b.X.is_sparse
        return json.dumps({"cells": len(b), "sum": float(b.X.to_numpy().sum()),
                           "first": int(b.global_idx[0])})

    ds = env.from_source(source, WatermarkStrategy.no_watermarks(), "batches").map(in_python, Types.STRING())
    with ds.execute_and_collect() as lines:
        got = [json.loads(s) for s in lines]
    assert sum(g["cells"] for g in got) == n
    assert all(g["cells"] <= 8 for g in got)
    assert sorted(g["first"] for g in got) == sorted({g["first"] for g in got})


def test_a_bad_batch_size_is_refused():
    import pytest

    with pytest.raises(ValueError, match="batchSize must be in"):
        _builder().build_batches(batch_size=0)
    with pytest.raises(TypeError):
        _builder().build_batches(batch_size="8")
