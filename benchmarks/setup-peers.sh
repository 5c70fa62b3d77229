#!/usr/bin/env bash
# Creates benchmarks/.venv with the peer loaders (requirements-peers.txt): lamindb's
# MappedCollection + PyTorch DataLoader, and annbatch. Kept apart from python/.venv so CI never
# downloads PyTorch. Idempotent: skipped while the stamp matches the requirements.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
stamp="$venv/.peers.stamp"
py="${PYTHON:-python3.11}"
want="$( (cat "$here/requirements-peers.txt" "$here/../python/requirements.txt" "$here/peers/compat_annbatch.py") | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup-peers: $venv is up to date"
  exit 0
fi
start=$(date +%s)
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
rm -f "$stamp"
# wheels only; annbatch's metadata says >=3.12, its code runs on 3.11 after the compat rewrite
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
  --ignore-requires-python -r "$here/requirements-peers.txt"
# a pristine annbatch, then the compat rewrite (so a changed rewrite never stacks on an old one)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
  --ignore-requires-python --no-deps --force-reinstall "$(grep '^annbatch==' "$here/requirements-peers.txt")"
"$venv/bin/python" "$here/peers/compat_annbatch.py"
"$venv/bin/python" -c "import torch, annbatch, lamindb" 2>/dev/null || "$venv/bin/python" -c "import torch, annbatch"
echo "$want" > "$stamp"
echo "setup-peers: installed into $venv in $(( $(date +%s) - start ))s ($(du -sh "$venv" | cut -f1))"
