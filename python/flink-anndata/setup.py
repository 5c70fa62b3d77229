"""Build hook: puts the shaded connector jar inside the package (flink_anndata/lib).

Everything else about the package is in pyproject.toml. The jar comes from, in this order:
$FLINK_ANNDATA_BUILD_JAR, a jar already in src/flink_anndata/lib, or the Maven build of this
repository (flink-sql-connector-anndata/target, made by `mvn -B -ntp -DskipTests package`).
A wheel without the jar would fail at run time, so a build that finds none stops here.
"""

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
IN_TREE = HERE / "src" / "flink_anndata" / "lib"
MAVEN_TARGET = HERE.parents[1] / "flink-sql-connector-anndata" / "target"
# anndata-serve.jar, the launcher of flink_anndata.serve (a Flink job with its runtime, ~120 MB)
SERVE_JAR = HERE.parents[1] / "flink-anndata-serving" / "target" / "anndata-serve.jar"
PREFIX = "flink-sql-connector-anndata-"


def _is_shaded_jar(p: Path) -> bool:
    return (p.name.startswith(PREFIX) and p.suffix == ".jar"
            and not p.name.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar")))


def connector_jar() -> Path:
    given = os.environ.get("FLINK_ANNDATA_BUILD_JAR")
    if given:
        p = Path(given).resolve()
        if not p.is_file():
            raise SystemExit(f"FLINK_ANNDATA_BUILD_JAR names no file: {p}")
        return p
    for folder in (IN_TREE, MAVEN_TARGET):
        jars = sorted((p for p in folder.glob(PREFIX + "*.jar") if _is_shaded_jar(p)),
                      key=lambda p: p.stat().st_mtime)
        if jars:
            return jars[-1]
    raise SystemExit(
        "flink-anndata bundles the connector jar, and none was found: build it first with "
        "`mvn -B -ntp -DskipTests package` in the repository (it lands in "
        "flink-sql-connector-anndata/target), or set FLINK_ANNDATA_BUILD_JAR")


def serve_jar():
    """$FLINK_ANNDATA_BUILD_SERVE_JAR, a jar already in the package, or the Maven build's; else None."""
    given = os.environ.get("FLINK_ANNDATA_BUILD_SERVE_JAR")
    if given:
        p = Path(given).resolve()
        if not p.is_file():
            raise SystemExit(f"FLINK_ANNDATA_BUILD_SERVE_JAR names no file: {p}")
        return p
    for p in (IN_TREE / "anndata-serve.jar", SERVE_JAR):
        if p.is_file():
            return p
    return None


class BuildPyWithJar(build_py):
    def run(self):
        super().run()
        jar = connector_jar()
        lib = Path(self.build_lib) / "flink_anndata" / "lib"
        lib.mkdir(parents=True, exist_ok=True)
        for old in lib.glob("*.jar"):
            if old.resolve() != jar and old.name != "anndata-serve.jar":
                old.unlink()
        if not (lib / jar.name).exists():
            shutil.copy2(jar, lib / jar.name)
        print(f"flink-anndata: bundled {jar.name}")
        serve = serve_jar()
        if serve is None:
            print("flink-anndata: warning: no anndata-serve.jar (build flink-anndata-serving): "
                  "flink_anndata.serve will need $FLINK_ANNDATA_SERVE_JAR")
        else:
            shutil.copy2(serve, lib / "anndata-serve.jar")
            print("flink-anndata: bundled anndata-serve.jar")


setup(cmdclass={"build_py": BuildPyWithJar})
