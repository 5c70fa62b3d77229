"""A PyFlink job reading a mixed h5ad / zarr v2 / sharded zarr v3 collection sees the samples the
Java CLI's dump prints, sample for sample (matched by global index, the dump's line number)."""

from __future__ import annotations

import json
import math

import numpy as np

from conftest import MIXED, ND, PARTS
from flink_anndata import AnnDataSource, SparseRow, to_numpy

OBS = ["cell_type", "donor", "score", "n_genes", "batch"]


def _same_label(got, want, where):
    if want is None:
        assert got is None, where
    elif isinstance(want, float) or isinstance(got, float):
        assert math.isclose(got, want), where
    else:
        assert got == want and type(got) is type(want), where


def _same_array(got, want, where):
    np.testing.assert_array_equal(np.asarray(got, dtype=np.float32), np.asarray(want, dtype=np.float32),
                                  err_msg=where)


def _by_global_index(rows):
    out = {}
    for r in rows:
        assert (r.epoch, r.global_idx) not in out, f"sample {r.global_idx} emitted twice in epoch {r.epoch}"
        out[(r.epoch, r.global_idx)] = r
    return out


def test_dense_outer_join_with_layers_obsm_and_typed_labels(collect, dump):
    options = ["--layers-keys", "X,counts", "--obsm-keys", "X_emb", "--obs-keys", ",".join(OBS),
               "--encode-labels", "cell_type", "--join", "outer"]
    expected = dump(MIXED, *options)
    rows = collect(AnnDataSource.builder(MIXED)
                   .layers_keys("X", "counts").obsm_keys("X_emb").obs_keys(*OBS)
                   .encode_labels(["cell_type"]).obs_types({"score": "double", "n_genes": "long", "batch": "long"})
                   .join("outer").output("dense").rows_per_split(7))
    got = _by_global_index(rows)
    assert sorted(got) == [(0, i) for i in range(len(expected))]
    for i, want in enumerate(expected):
        r = got[(0, i)]
        where = f"sample {i}"
        assert r.store_idx == want["_store_idx"], where
        _same_array(r.X, want["X"], where)
        _same_array(r.counts, want["counts"], where)
        _same_array(r.obsm_X_emb, want["obsm_X_emb"], where)
        for k in OBS:
            _same_label(r[k], want.get(k), f"{where} {k}")  # a key the store lacks: absent in the dump


def test_sparse_inner_join_through_a_python_function(environment, dump):
    """The records cross into a Python worker (a map function), are made numpy arrays there with
    to_numpy, and densified they equal the dump."""
    from pyflink.common import Types, WatermarkStrategy

    options = ["--obs-keys", "cell_type,donor", "--join", "inner"]
    expected = dump(MIXED, *options)
    env = environment()  # adds the jar, which build() loads
    source = AnnDataSource.builder(MIXED).obs_keys("cell_type", "donor").join("inner").build()
    assert source.field_names == ["store_idx", "global_idx", "epoch", "X", "cell_type", "donor"]

    def in_python(row):
        a = to_numpy(row)
        x = a["X"]
        assert isinstance(x, SparseRow) and x.indices.dtype == np.int32 and x.values.dtype == np.float32
        assert np.all(x.values != 0) and np.all(np.diff(x.indices) > 0)
        return json.dumps({"global_idx": a["global_idx"], "epoch": a["epoch"], "store_idx": a["store_idx"],
                           "X": x.to_dense().tolist(), "width": x.size,
                           "cell_type": a["cell_type"], "donor": a["donor"]})

    ds = env.from_source(source, WatermarkStrategy.no_watermarks(), "cells").map(in_python, Types.STRING())
    with ds.execute_and_collect() as lines:
        got = {d["global_idx"]: d for d in map(json.loads, lines)}
    assert sorted(got) == list(range(len(expected)))
    for i, want in enumerate(expected):
        g, where = got[i], f"sample {i}"
        assert g["epoch"] == 0 and g["store_idx"] == want["_store_idx"], where
        assert g["width"] == len(want["X"]), where
        _same_array(g["X"], want["X"], where)
        assert g["cell_type"] == want["cell_type"] and g["donor"] == want["donor"], where


def test_block_shuffled_epochs_hold_every_sample_once_per_epoch(collect, dump):
    expected = dump(MIXED, "--obs-keys", "cell_type", "--join", "outer")
    rows = collect(AnnDataSource.builder(MIXED).obs_keys("cell_type").join("outer")
                   .sampling("block_shuffled").block_size(4).window_blocks(2).epochs(2).seed(7))
    got = _by_global_index(rows)
    n = len(expected)
    assert sorted(got) == [(e, i) for e in range(2) for i in range(n)]
    for (epoch, i), r in got.items():
        assert r.cell_type == expected[i]["cell_type"], f"epoch {epoch} sample {i}"
        _same_array(to_numpy(r, dense=True)["X"], expected[i]["X"], f"epoch {epoch} sample {i}")


def test_sparse_raw_x_layers_and_obsm_of_int64_stores(environment, dump):
    """raw.X is the field raw_X, None for a store without raw (the dump leaves the key out).

    PyFlink 2.3's execute_and_collect cannot convert a None array or Row field on the client, so
    the records pass a Python function first (pickled output), as the README says."""
    from pyflink.common import WatermarkStrategy

    expected = dump(PARTS, "--layers-keys", "X,raw.X,layer1", "--obsm-keys", "X_pca", "--obs-keys", "feat1,feat2",
                    "--encode-labels", "feat1")
    env = environment()
    source = (AnnDataSource.builder(PARTS).layers_keys("X", "raw.X", "layer1").obsm_keys("X_pca")
              .obs_keys("feat1", "feat2").encode_labels(["feat1"]).build())
    ds = env.from_source(source, WatermarkStrategy.no_watermarks(), "cells").map(lambda r: r)
    with ds.execute_and_collect() as records:
        got = _by_global_index(list(records))
    assert sorted(got) == [(0, i) for i in range(len(expected))]
    for i, want in enumerate(expected):
        r, where = to_numpy(got[(0, i)], dense=True), f"sample {i}"
        assert r["store_idx"] == want["_store_idx"], where
        for field, key in (("X", "X"), ("raw_X", "raw.X"), ("layer1", "layer1"), ("obsm_X_pca", "obsm_X_pca")):
            if key in want:
                _same_array(r[field], want[key], f"{where} {key}")
            else:
                assert r[field] is None, f"{where} {key}"
        assert r["feat1"] == want["feat1"] and r["feat2"] == want["feat2"], where


def test_obsm_of_more_than_two_dimensions_becomes_arrays_of_the_rows_shape(collect, environment, dump):
    """Rows of obsm entries of shape (n, 2, 3) and (n, 2, 2, 2), declared with obsm_ndim, arrive as
    nested lists, both collected and inside a Python function; to_numpy makes them float32 arrays
    of shape (2, 3) and (2, 2, 2) equal to the dump's nested lists (lamindb's ndarray.tolist())."""
    from pyflink.common import Types, WatermarkStrategy

    expected = dump(ND, "--obsm-keys", "patch,cube,pca")
    assert len(expected) == 15

    def builder():
        return (AnnDataSource.builder(ND).layers_keys().obsm_keys("patch", "cube", "pca")
                .obsm_ndim({"patch": 3, "cube": 4}).rows_per_split(4))

    got = _by_global_index(collect(builder()))
    assert sorted(got) == [(0, i) for i in range(len(expected))]
    for i, want in enumerate(expected):
        a = to_numpy(got[(0, i)])
        for k, shape in (("obsm_patch", (2, 3)), ("obsm_cube", (2, 2, 2)), ("obsm_pca", (2,))):
            assert a[k].shape == shape and a[k].dtype == np.float32, f"sample {i} {k}"
            _same_array(a[k], want[k], f"sample {i} {k}")

    env = environment()

    def in_python(row):
        a = to_numpy(row)
        return json.dumps({"global_idx": a["global_idx"],
                           **{k: [list(a[k].shape), a[k].tolist()] for k in ("obsm_patch", "obsm_cube", "obsm_pca")}})

    ds = (env.from_source(builder().build(), WatermarkStrategy.no_watermarks(), "cells")
          .map(in_python, Types.STRING()))
    with ds.execute_and_collect() as records:
        seen = [json.loads(r) for r in records]
    assert len(seen) == len(expected)
    for r in seen:
        want = expected[r["global_idx"]]
        for k in ("obsm_patch", "obsm_cube", "obsm_pca"):
            shape, values = r[k]
            assert shape == list(np.asarray(want[k]).shape), k
            _same_array(values, want[k], f"sample {r['global_idx']} {k}")
