#!/usr/bin/env bash
# Tests of the PyFlink wrapper (python/flink-anndata) with the pinned apache-flink:
#   1. installs the pinned toolchain (python/requirements-pyflink.txt) into python/.venv-pyflink;
#   2. builds the jars if they are missing (the shaded flink-sql-connector-anndata jar, which the
#      package bundles; anndata-cli.jar, the dump the tests compare with) — CI runs this after the
#      Maven build;
#   3. installs flink_anndata (with the jar inside) into the venv and runs its pytest suite (PyFlink
#      jobs on a local MiniCluster whose samples must equal the Java dump's, the README's Python
#      code as written, the builder's validation, and the training example: its scikit-learn job
#      on the bundled data, a failover run that must end with the same model, the learning-curve
#      PNG, an unbounded run whose Flink metrics are read over REST, and, where torch is
#      importable, the PyTorch learner);
#   4. the serving path (flink_anndata.serve, AnnDataBatches: tests/test_serving.py) in its own
#      venv, python/.venv-torch (python/requirements-torch.txt: torch, pyarrow; no PyFlink): resume
#      from tokens (W = 1, 2, 4, 4 -> 2), a failing job, CSR tensors, Unix-domain sockets and TCP, a
#      2-rank gloo DDP run. The venv's first install
#      downloads ~4 GB (about 4 minutes here); the tests take about 2 minutes.
# Takes about 5 minutes on 2 cores when the jars exist (each training job 15-55 s), plus step 4.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

bash python/setup-venv.sh pyflink
py="$PWD/python/.venv-pyflink/bin/python"

if ! ls flink-sql-connector-anndata/target/flink-sql-connector-anndata-*.jar >/dev/null 2>&1 \
   || [[ ! -f tools/target/anndata-cli.jar ]] \
   || [[ ! -f flink-anndata-serving/target/anndata-serve.jar ]]; then
  echo "== building the jars"
  mvn -B -ntp -DskipTests -Dmaven.javadoc.skip=true package
fi

echo "== installing flink_anndata (bundles the shaded connector jar)"
# setuptools is pinned in the venv, so the build needs no download (no build isolation)
"$py" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall \
  ./python/flink-anndata
rm -rf python/flink-anndata/build python/flink-anndata/src/*.egg-info

echo "== pytest"
(cd python/flink-anndata && "$py" -m pytest -q -p no:cacheprovider --ignore=tests/test_serving.py "$@")

echo "== serving to PyTorch ranks (python/.venv-torch)"
bash python/setup-venv.sh torch
tpy="$PWD/python/.venv-torch/bin/python"
"$tpy" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall \
  ./python/flink-anndata
rm -rf python/flink-anndata/build python/flink-anndata/src/*.egg-info
(cd python/flink-anndata && nice "$tpy" -m pytest -q -p no:cacheprovider tests/test_serving.py)
echo "python-test: done in $(( $(date +%s) - start ))s"
