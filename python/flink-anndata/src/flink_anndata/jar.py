"""Finding the connector jar and putting it on PyFlink's class paths.

The jar must carry the connector's own dependencies (jhdf, zstd-jni, lz4, Jackson, ...) but not
Flink: the examples module's ``anndata-jobs.jar`` is such a jar.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

ENV_VAR = "FLINK_ANNDATA_JAR"

_registered: Optional[Path] = None


class JarNotFoundError(FileNotFoundError):
    """The connector jar was not given, or is not where it was said to be."""


def jar_path(jar: Optional[str] = None) -> Path:
    """The connector jar: ``jar`` if given, else the one ``add_jar`` added, else ``$FLINK_ANNDATA_JAR``.

    Raises JarNotFoundError when none is known or the file does not exist.
    """
    source = "the jar argument"
    if jar is None and _registered is not None:
        return _registered
    if jar is None and os.environ.get(ENV_VAR):
        jar, source = os.environ[ENV_VAR], "$" + ENV_VAR
    if jar is None:
        raise JarNotFoundError(
            "flink_anndata needs the connector jar with its dependencies (examples/target/anndata-jobs.jar,"
            f" built by `mvn package`): pass jar=... to add_jar(env), before build(), or set {ENV_VAR}")
    path = Path(jar).expanduser().resolve()
    if not path.is_file():
        raise JarNotFoundError(f"the connector jar given by {source} does not exist: {path}")
    return path


def add_jar(env, jar: Optional[str] = None) -> Path:
    """Adds the connector jar to a StreamExecutionEnvironment (pipeline.jars, shipped with the job)
    and to this process's Java class loader, where the source is built. Call it before building.

    Returns the jar's path.
    """
    global _registered
    path = jar_path(jar)
    env.add_jars(path.as_uri())
    _registered = path
    return path


def ensure_loaded() -> None:
    """Makes the connector's classes loadable through the gateway (needed to build a source)."""
    from pyflink.java_gateway import get_gateway
    from pyflink.util.java_utils import add_jars_to_context_class_loader

    gateway = get_gateway()
    try:
        gateway.jvm.Thread.currentThread().getContextClassLoader().loadClass(
            "io.github.flinkanndata.source.python.RowAnnDataSource")
        return
    except Exception:  # noqa: BLE001 - py4j wraps the ClassNotFoundException
        pass
    add_jars_to_context_class_loader([jar_path().as_uri()])
