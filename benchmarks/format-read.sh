#!/usr/bin/env bash
# Format-layer baseline: rows/s of sequential range reads and random single-row reads of one CSR
# matrix stored as h5ad gzip, h5ad uncompressed and zarr v3 sharded (zstd).
#
# usage: bash benchmarks/format-read.sh [--quick]
#   default: 20,000 cells x 20,000 genes, ~1,000 non-zeros per cell; --quick: 4,000 x 10,000, ~500.
set -euo pipefail
cd "$(dirname "$0")/.."
cells=20000 genes=20000 nnz=1000 random=2000
if [[ "${1:-}" == "--quick" ]]; then cells=4000 genes=10000 nnz=500 random=1000; fi
out="target/bench/format-${cells}x${genes}x${nnz}"
bash python/setup-venv.sh
if [[ ! -f "$out/.done" ]]; then
  rm -rf "$out"
  python/.venv/bin/python benchmarks/gen_format_stores.py "$out" --cells "$cells" --genes "$genes" --nnz "$nnz"
  touch "$out/.done"
fi
[[ -f tools/target/anndata-cli.jar ]] || mvn -B -ntp -q -DskipTests package
java -Xmx2g -cp tools/target/anndata-cli.jar io.github.flinkanndata.tools.bench.FormatReadBenchmark "$out" "$random" 3
