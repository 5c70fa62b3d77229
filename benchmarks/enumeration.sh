#!/usr/bin/env bash
# The enumeration target of issue 5: the split enumerator's planning of 1,000 stores (<= 10 s),
# and its checkpoint state for the same stores with 10x the rows (must not grow with rows).
# Writes the stores once with the real anndata (python/.venv, see python/setup-venv.sh) under
# target/bench/enum/ (half h5ad, half zarr), then runs EnumerationBenchmark on them.
#
# usage: bash benchmarks/enumeration.sh [--stores N]   (default 1,000; JSON: target/bench/enum.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
stores=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stores) stores=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
data="target/bench/enum/n$stores"
if [[ ! -f "$data/c50/.done" || ! -f "$data/c500/.done" ]]; then
  echo "enumeration: writing $stores stores of 50 and of 500 cells under $data"
  rm -rf "$data"
  python/.venv/bin/python -W ignore benchmarks/gen_enum_stores.py "$data" --stores "$stores" --cells 50 500
fi
jar=tools/target/anndata-cli.jar
[[ -f "$jar" ]] || mvn -B -ntp -q -DskipTests package -pl tools -am
echo "enumeration: load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -Xmx1g -cp "$jar" io.github.flinkanndata.tools.bench.EnumerationBenchmark \
  --out target/bench/enum.jsonl --repeat 3 "$data/c50" "$data/c500" 2>/dev/null
