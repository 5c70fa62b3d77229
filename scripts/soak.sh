#!/usr/bin/env bash
# The soak (issue 17, item 4): the training example (unbounded, block-shuffled, two readers) on a
# MiniCluster of two TaskManagers for MINUTES minutes, a failure injected every MINUTES*3 s (between
# 30 s and 3 min; alternately a task exception and a TaskManager replaced), sampled every 30 s:
# heap after GC, RSS, open file descriptors, threads, files and bytes in the temp folder,
# checkpoint size, cells/s. Fails if a series grows after warm-up (SoakVerdict). CI runs the
# 5-minute version as SoakITCase in `mvn verify`.
#
#   scripts/soak.sh MINUTES [maven arguments, e.g. -o]
#
# Writes examples/target/soak-<MINUTES>min/{soak.csv,soak-summary.txt,soak-run.log}. Runs at the
# lowest CPU priority (nice 19): it is meant to run beside other work.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:?usage: scripts/soak.sh MINUTES [maven arguments]}"
shift
out="target/soak-${minutes}min"
nice -n 19 mvn -B -ntp "$@" verify -pl flink-connector-anndata,examples -am \
  -Dtest=SoakITCase -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.javadoc.skip=true \
  -Dsoak.minutes="$minutes" -Dsoak.out="$out"
echo "== examples/$out/soak-summary.txt"
cat "examples/$out/soak-summary.txt"
