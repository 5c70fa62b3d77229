"""Finding the connector jar and putting it on PyFlink's class paths.

The package carries the shaded connector jar (``flink-sql-connector-anndata-<version>.jar``: the
connector with its own dependencies relocated, without Flink) in ``flink_anndata/lib``, so
``add_jar(env)`` needs no argument. An explicit jar (the ``jar`` argument, or the
``FLINK_ANNDATA_JAR`` environment variable) takes precedence over the bundled one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

ENV_VAR = "FLINK_ANNDATA_JAR"
_LIB = Path(__file__).resolve().parent / "lib"

_registered: Optional[Path] = None


class JarNotFoundError(FileNotFoundError):
    """The connector jar was not given, or is not where it was said to be."""


def bundled_jar() -> Optional[Path]:
    """The connector jar inside this package, or None if the package was installed without it."""
    jars = sorted(_LIB.glob("flink-sql-connector-anndata-*.jar"))
    return jars[-1] if jars else None


def jar_path(jar: Optional[str] = None) -> Path:
    """The connector jar: ``jar`` if given, else the one ``add_jar`` added, else
    ``$FLINK_ANNDATA_JAR``, else the jar bundled in the package.

    Raises JarNotFoundError when none is known or the file does not exist.
    """
    source = "the jar argument"
    if jar is None and _registered is not None:
        return _registered
    if jar is None and os.environ.get(ENV_VAR):
        jar, source = os.environ[ENV_VAR], "$" + ENV_VAR
    if jar is None:
        bundled = bundled_jar()
        if bundled is not None:
            return bundled
        raise JarNotFoundError(
            f"flink_anndata was installed without its connector jar ({_LIB} is empty): reinstall it"
            " from a wheel, or pass jar=... (flink-sql-connector-anndata-<version>.jar) to"
            f" add_jar(env) before build(), or set {ENV_VAR}")
    path = Path(jar).expanduser().resolve()
    if not path.is_file():
        raise JarNotFoundError(f"the connector jar given by {source} does not exist: {path}")
    return path


def add_jar(env, jar: Optional[str] = None) -> Path:
    """Adds the connector jar (the bundled one unless ``jar`` or ``$FLINK_ANNDATA_JAR`` names
    another) to a StreamExecutionEnvironment (pipeline.jars, shipped with the job) and to this
    process's Java class loader, where the source is built. Call it before building.

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
            "io.github.flinkanndata.source.python.CellRowFormat")
        return
    except Exception:  # noqa: BLE001 - py4j wraps the ClassNotFoundException
        pass
    add_jars_to_context_class_loader([jar_path().as_uri()])
