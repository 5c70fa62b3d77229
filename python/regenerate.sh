#!/usr/bin/env bash
# Regenerate every committed Python-made test resource: set up the pinned venv, then write the
# format fixtures and the MappedCollection reference cases. Prints how long each step took.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

t0=$(date +%s)
python/setup-venv.sh
t1=$(date +%s)
python/.venv/bin/python python/gen_fixtures.py
t2=$(date +%s)
python/.venv/bin/python python/gen_reference.py
t3=$(date +%s)
python/.venv/bin/python python/gen_real_store_reference.py   # reads testdata/real-stores
t4=$(date +%s)
echo "regenerate: setup $((t1 - t0))s, fixtures $((t2 - t1))s, reference $((t3 - t2))s, real stores $((t4 - t3))s, total $((t4 - t0))s"
