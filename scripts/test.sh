#!/usr/bin/env bash
# The project's test command.
#
# 1. installs the pinned Python toolchain (python/requirements.txt) into python/.venv;
# 2. regenerates the fixture stores with the real anndata, and the reference expectations with
#    lamindb's MappedCollection, into target/regenerated/;
# 3. builds everything and runs every Java test (unit tests and *ITCase) against those freshly
#    generated files, so a new writer or reference version that disagrees with our readers fails here.
#
# Set SKIP_REGENERATE=1 to test against the committed copies only (fast local loop).
#
# Always: installs the pinned loopback S3 server (python/requirements-s3.txt: moto) into
# python/.venv-s3 for the remote-store tests (S3RangeStoresTest, S3RangeReadsITCase), which fail
# without it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== the loopback S3 server for the remote-store tests"
bash python/setup-venv.sh s3
props=(-Danndata.s3.server="$PWD/python/.venv-s3/bin/moto_server")
if [[ "${SKIP_REGENERATE:-0}" != "1" ]]; then
  bash python/setup-venv.sh
  py=python/.venv/bin/python
  out="$PWD/target/regenerated"
  rm -rf "$out" && mkdir -p "$out"
  echo "== regenerating fixtures with the pinned anndata"
  "$py" python/gen_fixtures.py "$out/fixtures"
  echo "== regenerating reference expectations with lamindb's MappedCollection"
  "$py" python/gen_reference.py "$out/reference"
  echo "== regenerating the real-store expectations (testdata/real-stores) with lamindb's MappedCollection"
  "$py" python/gen_real_store_reference.py "$PWD/testdata/real-stores" "$out/reference/real_store_cases.json"
  props+=(-Danndata.fixtures.dir="$out/fixtures" -Danndata.reference.dir="$out/reference")
fi

echo "== building and testing"
# MAVEN_EXTRA_ARGS: e.g. -Dflink.version=2.2.0 (the CI matrix)
mvn -B -ntp verify ${MAVEN_EXTRA_ARGS:-} "${props[@]}"
