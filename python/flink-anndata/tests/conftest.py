"""Shared fixtures: the connector jar, the repository's stores, the Java CLI's dump, and running
a source.

The connector jar is the one bundled in the installed package (or $FLINK_ANNDATA_JAR); the CLI jar
comes from the Maven build (tools/target). A missing one fails the tests with the command that
builds it, rather than skipping them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

REPO = Path(__file__).resolve().parents[3]
STORES = REPO / "flink-connector-anndata" / "src" / "test" / "resources" / "reference" / "stores"
# h5ad, zarr v2 and sharded zarr v3, with overlapping gene sets (python/reference_stores.py)
MIXED = [str(STORES / "mixed_m1.h5ad"), str(STORES / "mixed_m2_v2.zarr"), str(STORES / "mixed_m3_v3_sharded.zarr")]
# lamindb's test pair: dense int64 h5ad with raw.X, and CSR int64 zarr v2 without raw
PARTS = [str(STORES / "part_one.h5ad"), str(STORES / "part_two.zarr")]
# obsm entries of more than two dimensions in h5ad, zarr v2 and sharded zarr v3: patch (n, 2, 3)
# float32, cube (n, 2, 2, 2) int, pca (n, 2) float64
ND = [str(STORES / "obsm_nd.h5ad"), str(STORES / "obsm_nd_v2.zarr"), str(STORES / "obsm_nd_v3_sharded.zarr")]


def _built(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it with `mvn -B -ntp -DskipTests -pl tools -am package`")
    return path


@pytest.fixture(scope="session")
def connector_jar() -> Path:
    """The shaded connector (its dependencies, no Flink): what the wrapper loads by default."""
    import flink_anndata

    env = os.environ.get("FLINK_ANNDATA_JAR")
    if env:
        return _built(Path(env))
    jar = flink_anndata.bundled_jar()
    if jar is None:
        pytest.fail("flink_anndata is installed without its jar: build with "
                    "`mvn -B -ntp -DskipTests package`, then `pip install ./python/flink-anndata`")
    return jar


@pytest.fixture(scope="session")
def cli_jar() -> Path:
    return _built(REPO / "tools" / "target" / "anndata-cli.jar")


@pytest.fixture(scope="session")
def dump(cli_jar):
    """Runs the Java CLI's dump: one dict per sample, in global index order."""

    def run(paths: List[str], *options: str) -> List[dict]:
        out = subprocess.run(["java", "-jar", str(cli_jar), "dump", *paths, *options],
                             check=True, capture_output=True, text=True)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    return run


@pytest.fixture(scope="session")
def environment(connector_jar):
    """A fresh StreamExecutionEnvironment per call (parallelism 2), with the connector jar added."""
    from pyflink.common import Configuration
    from pyflink.datastream import StreamExecutionEnvironment

    import flink_anndata

    def make():
        config = Configuration()
        # Python functions run in workers started with this interpreter, which has flink_anndata
        config.set_string("python.executable", sys.executable)
        env = StreamExecutionEnvironment.get_execution_environment(config)
        env.set_parallelism(2)
        flink_anndata.add_jar(env)  # the bundled jar, as a user gets it
        return env

    return make


@pytest.fixture(scope="session")
def collect(environment):
    """Streams a built source to the end and returns its records."""
    from pyflink.common import WatermarkStrategy

    def run(builder) -> list:
        env = environment()
        ds = env.from_source(builder.build(), WatermarkStrategy.no_watermarks(), "cells")
        with ds.execute_and_collect() as records:
            return list(records)

    return run
