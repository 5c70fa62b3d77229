#!/usr/bin/env bash
# Tests of the PyFlink wrapper (python/flink-anndata) with the pinned apache-flink:
#   1. installs the pinned toolchain (python/requirements-pyflink.txt) into python/.venv-pyflink;
#   2. builds the examples' jars if they are missing (anndata-jobs.jar: the connector the wrapper
#      loads; anndata-cli.jar: the dump the tests compare with) — CI runs this after the Maven build;
#   3. installs flink_anndata into the venv and runs its pytest suite (PyFlink jobs on a local
#      MiniCluster whose samples must equal the Java dump's, and the builder's validation).
# Takes about 2 minutes on 2 cores when the jars exist.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

bash python/setup-venv.sh pyflink
py="$PWD/python/.venv-pyflink/bin/python"

if [[ ! -f examples/target/anndata-jobs.jar || ! -f examples/target/anndata-cli.jar ]]; then
  echo "== building the examples' jars"
  mvn -B -ntp -q -DskipTests -pl examples -am package
fi

echo "== installing flink_anndata"
# setuptools is pinned in the venv, so the build needs no download (no build isolation)
"$py" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall \
  ./python/flink-anndata
rm -rf python/flink-anndata/build python/flink-anndata/src/*.egg-info

echo "== pytest"
(cd python/flink-anndata && "$py" -m pytest -q -p no:cacheprovider "$@")
echo "python-test: done in $(( $(date +%s) - start ))s"
