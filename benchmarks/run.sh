#!/usr/bin/env bash
# The side-by-side loader benchmark: our source (Flink MiniCluster) and collection against lamindb's
# MappedCollection + PyTorch DataLoader and annbatch, on the same generated stores, plus the
# single-thread decode ceiling and the scale targets. Writes target/bench/results.{md,json}.
#
# usage: bash benchmarks/run.sh [--quick] [--stores N] [--cells C] [--genes G] [--nnz K]
#                               [--seconds S] [--all-cases] [--skip-peers] [--serving-only] [--remote-only]
#   default: 10 stores x 20,000 cells x 30,000 genes, ~2,000 non-zeros per cell, 10 s per case
#   --quick: 4 stores x 5,000 cells (same genes and density), 3 s per case
#   --serving-only: only the serving comparison (issue 20): the serving sink to 1 and 2 PyTorch
#     ranks, annbatch and the PyFlink per-row path on the zarr zstd stores, in one run
#   --remote-only: only the remote-store comparison (issue 16): epochs of the source over the zarr
#     zstd stores uploaded to an S3 server on loopback against the same stores read locally
#     (gofakes3 when Go is installed, else the pinned moto, which costs more CPU per request)
#   the full Flink matrix (sequential / block / weighted x sparse / dense x p=1 / p=2) runs on the
#   zarr form; on the other forms the block-shuffled and uniform cases only (--all-cases: on all)
# First run: installs the peers (benchmarks/.venv, ~6 GB with PyTorch's CUDA wheels) and writes
# the stores (target/bench/s<N>x<C>x<G>x<K>/, reused by later runs with the same parameters).
set -euo pipefail
cd "$(dirname "$0")/.."
stores=10 cells=20000 genes=30000 nnz=2000 seconds=10 warmup=5 quick=0 peers=1 all=0 serving_only=0 remote_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 stores=4 cells=5000 seconds=3 warmup=2 ;;
    --stores) stores=$2; shift ;;
    --cells) cells=$2; shift ;;
    --genes) genes=$2; shift ;;
    --nnz) nnz=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --skip-peers) peers=0 ;;
    --all-cases) all=1 ;;
    --serving-only) serving_only=1 ;;
    --remote-only) remote_only=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
started=$(date +%s)
data="target/bench/s${stores}x${cells}x${genes}x${nnz}"
tag="${BENCH_TAG:+-$BENCH_TAG}" # BENCH_TAG: suffix of the result files (before/after runs)
raw="target/bench/raw$tag.jsonl"
py=benchmarks/.venv/bin/python
log() { echo "[bench $(( $(date +%s) - started ))s, load $(cut -d' ' -f1 /proc/loadavg)] $*"; }

bash benchmarks/setup-peers.sh
if [[ ! -f "$data/.done" ]]; then
  log "generating $data"
  rm -rf "$data"
  $py -W ignore benchmarks/gen_bench_stores.py "$data" --stores "$stores" --cells "$cells" \
      --genes "$genes" --nnz "$nnz" --many 1000
  touch "$data/.done"
fi
# the heap target's collection: the stores again and again (symbolic links), >= 2,000,000 cells
heap="$data/heap2m"
if [[ ! -d "$heap" ]]; then
  mkdir -p "$heap"
  copies=$(( (2000000 + stores * cells - 1) / (stores * cells) ))
  for ((k = 0; k < copies; k++)); do
    for f in "$data"/h5ad_none/*.h5ad; do ln -s "$(realpath "$f")" "$heap/c$(printf %03d $k)_$(basename "$f")"; done
  done
fi
jar=tools/target/anndata-cli.jar
cp="${BENCH_CLASSPATH:-$jar}" # BENCH_CLASSPATH: classes to try ahead of the jar (A/B runs)
# BENCH_XMX: heap of the benchmark JVM (default 1g: the TaskManager heap target)
[[ -f "$jar" ]] || mvn -B -ntp -q -DskipTests package
rm -f "$raw"
remote_bench() { # the source over a loopback S3 server against the same stores read locally
  log "remote stores: the zarr zstd stores over a loopback S3 server against the same stores read locally"
  local server=moto out="$PWD/target/bench/remote$tag.jsonl"
  if command -v go >/dev/null && GOBIN="$PWD/target/gofakes3/bin" GOFLAGS=-mod=mod \
      go install github.com/johannesboyne/gofakes3/cmd/gofakes3@v1.2.0; then
    server=gofakes3
  else
    bash python/setup-venv.sh s3 >/dev/null
  fi
  rm -f "$out"
  # round 0 of each mode warms the JIT (the report leaves it out); a cold range cache per S3 epoch
  mvn -B -ntp verify -pl flink-connector-anndata -Dtest=S3SourceBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
    -Djacoco.skip=true -Dbench.stores="$PWD/$data/zarr_zstd" -Dbench.block=512 -Dbench.window=32 \
    -Dbench.rounds="${REMOTE_ROUNDS:-6}" -Danndata.s3.server.kind="$server" -Dbench.out="$out" \
    | grep -E "^(store:|SEQUENTIAL|BLOCK_SHUFFLED)" | cut -c1-160 || log "remote benchmark failed"
}
if [[ $remote_only == 1 ]]; then
  remote_bench
  $py benchmarks/report.py "$raw" "$data" "target/bench/results$tag" --quick "$quick" --remote-only \
    --remote "target/bench/remote$tag.jsonl"
  log "done: target/bench/results$tag.md"
  exit 0
fi
java_bench() { # FORM DIR CASES...
  local form=$1 dir=$2; shift 2
  java "-Xmx${BENCH_XMX:-1g}" -cp "$cp" io.github.flinkanndata.tools.bench.LoaderBenchmark \
    --form "$form" --stores "$dir" --out "$raw" --warmup "$warmup" --seconds "$seconds" \
    --block 512 --window 32 "$@" 2>/dev/null | cut -c1-160
}
peer() { # LOADER FORM DIR
  [[ $peers == 1 ]] || return 0
  $py -W ignore benchmarks/peers/bench_peers.py --loader "$1" --form "$2" --stores "$3" --out "$raw" \
    --warmup "$warmup" --seconds "$seconds" --chunk 512 --preload 32 2>/dev/null | cut -c1-160 || log "peer $1 on $2 failed"
}
forms=(h5ad_none h5ad_gzip zarr_zstd annbatch)
[[ $serving_only == 1 ]] && forms=()
for form in "${forms[@]}"; do
  dir="$data/$form"
  log "form $form"
  cases=(ceiling:"$data/manifest_$form.json" coll:range coll:get flink:block:sparse:2 flink:block:sparse:1 flink:uniform:sparse:2
         batch:block:sparse:2 batch:block:sparse:1)
  if [[ $all == 1 || $form == zarr_zstd ]]; then
    cases+=(flink:seq:sparse:1 flink:seq:sparse:2 flink:weighted:sparse:2 flink:block:dense:2 flink:seq:dense:2 flink:weighted:dense:2)
  fi
  java_bench "$form" "$dir" "${cases[@]}"
  peer mapped "$form" "$dir"
  [[ $form == zarr_zstd || $form == annbatch ]] && peer annbatch "$form" "$dir"
done
log "PyFlink: one Row per cell against packed mini-batches (two zarr zstd stores, one epoch)"
bash python/setup-venv.sh pyflink >/dev/null
python/.venv-pyflink/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
  --no-build-isolation --force-reinstall ./python/flink-anndata >/dev/null
rm -rf python/flink-anndata/build python/flink-anndata/src/*.egg-info
rm -f "target/bench/pyflink$tag.jsonl"
for p in 1 2; do
  python/.venv-pyflink/bin/python benchmarks/pyflink_paths.py $(ls -d "$data"/zarr_zstd/* | head -n 2) \
    --epochs 1 --parallelism "$p" --batch-size 512 2>/dev/null | tee -a "target/bench/pyflink$tag.jsonl" | tail -n 1
done
if [[ $serving_only == 1 ]]; then
  peer annbatch zarr_zstd "$data/zarr_zstd"
fi
if [[ $peers == 1 ]]; then
  log "annbatch as two DDP ranks would run it: two loaders at once on the same stores"
  for r in 0 1; do
    $py -W ignore benchmarks/peers/bench_peers.py --loader annbatch --case annbatch-2-ranks --form zarr_zstd \
      --stores "$data/zarr_zstd" --out "$raw" --warmup "$warmup" --seconds "$seconds" --chunk 512 --preload 32 \
      2>/dev/null | cut -c1-160 &
  done
  wait
fi
log "serving to PyTorch ranks (1 and 2 ranks) on the zarr zstd stores, beside annbatch and the PyFlink per-row path"
bash python/setup-venv.sh torch >/dev/null
[[ -f flink-anndata-serving/target/anndata-serve.jar ]] || mvn -B -ntp -q -DskipTests package -pl flink-connector-anndata,flink-anndata-serving
rm -f "target/bench/serving$tag.jsonl"
python/.venv-torch/bin/python benchmarks/serving.py "$data"/zarr_zstd/* --ranks 1 2 --batches 300 --epochs 200 \
  --warmup 60 2>/dev/null | tee -a "target/bench/serving$tag.jsonl" | grep total || log "serving failed"
if [[ $serving_only == 1 ]]; then
  $py benchmarks/report.py "$raw" "$data" "target/bench/results$tag" --quick "$quick" --serving-only \
    --serving "target/bench/serving$tag.jsonl" --pyflink "target/bench/pyflink$tag.jsonl"
  log "done: target/bench/results$tag.md"
  exit 0
fi
log "PyFlink training example on the bundled PBMC data: SGDClassifier, no learner, and the Java training example"
python/.venv-pyflink/bin/python benchmarks/pyflink_training.py --epochs 30 --java-epochs 100 2>/dev/null \
  | tee -a "target/bench/pyflink-training$tag.jsonl" | tail -n 3
log "scale: 1,000 stores, 2M cells, checkpoint size"
java_bench many "$data/many" plan flink:seq:sparse:1
java_bench heap2m "$heap" flink:block:sparse:2
java_bench rows_small "$data/rows_small" ckpt:block:sparse:2
java_bench rows_large "$data/rows_large" ckpt:block:sparse:2
remote_bench
$py benchmarks/report.py "$raw" "$data" "target/bench/results$tag" --quick "$quick" \
  --serving "target/bench/serving$tag.jsonl" --pyflink "target/bench/pyflink$tag.jsonl" \
  --remote "target/bench/remote$tag.jsonl"
log "done: target/bench/results$tag.md, target/bench/results$tag.json"
