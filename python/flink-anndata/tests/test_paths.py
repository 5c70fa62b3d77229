"""build() checks the store paths it can without running a job: a local path (no scheme, or
file://) must exist, and Flink must have a file system for any other scheme. Both fail with a
ValueError carrying the connector's one-line message, not a Py4J trace."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MIXED
from flink_anndata import AnnDataSource


@pytest.fixture(scope="module", autouse=True)
def loaded(environment):
    environment()  # adds the jar: build() below loads the connector's classes


def _fails(paths, *parts):
    with pytest.raises(ValueError) as e:
        AnnDataSource.builder(paths).build()
    text = str(e.value)
    for p in parts:
        assert p in text
    assert "\n" not in text and "at io.github" not in text and "py4j" not in text.lower()
    return text


def test_a_missing_local_path_is_named(tmp_path):
    missing = str(tmp_path / "missing.h5ad")
    _fails([MIXED[0], missing], f"store '{missing}'", "no such file or directory")
    uri = (tmp_path / "gone.zarr").as_uri()
    _fails([uri], uri, "no such file or directory")


def test_a_scheme_without_a_file_system_names_the_scheme_and_plugin():
    _fails(["s3://bucket/a.h5ad"], "s3://bucket/a.h5ad", "no Flink file system for scheme 's3'",
           "flink-s3-fs-hadoop", "flink-s3-fs-presto", "plugins")
    _fails([MIXED[0], "foo://bucket/a.zarr"], "no Flink file system for scheme 'foo'", "plugins")


def test_file_uris_build_and_stream_like_plain_paths(collect):
    uris = [Path(MIXED[0]).as_uri(), "file:" + MIXED[1]]
    got = collect(AnnDataSource.builder(uris).obs_keys("cell_type").join("outer"))
    want = collect(AnnDataSource.builder(MIXED[:2]).obs_keys("cell_type").join("outer"))
    key = lambda r: r[1]  # global_idx
    assert [tuple(r) for r in sorted(got, key=key)] == [tuple(r) for r in sorted(want, key=key)]


def test_the_check_can_be_skipped_for_paths_only_the_cluster_sees(tmp_path):
    source = AnnDataSource.builder(str(tmp_path / "on-the-cluster.h5ad")).build(check_paths=False)
    assert source.field_names[:3] == ["store_idx", "global_idx", "epoch"]


def test_without_the_check_the_job_failure_still_names_the_plugin(environment):
    from pyflink.common import WatermarkStrategy

    source = AnnDataSource.builder("s3://bucket/a.h5ad").build(check_paths=False)
    env = environment()
    with pytest.raises(Exception) as e:
        with env.from_source(source, WatermarkStrategy.no_watermarks(), "cells").execute_and_collect() as records:
            list(records)
    text = str(e.value)
    assert "no Flink file system for scheme 's3'" in text and "flink-s3-fs-hadoop" in text
