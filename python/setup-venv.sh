#!/usr/bin/env bash
# Create python/.venv with the pinned toolchain of requirements.txt (Python 3.11).
# Idempotent: a stamp file holds the hash of requirements.txt and the interpreter version, and
# the install is skipped while it matches. Needs no network other than PyPI.
#   PYTHON=/path/to/python3.11 python/setup-venv.sh   # to choose the interpreter
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.requirements.stamp"

py="${PYTHON:-}"
if [ -z "$py" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1; then py="$cand"; break; fi
  done
fi
if [ -z "$py" ]; then
  echo "setup-venv: no python3.11 found (set PYTHON=...)" >&2
  exit 1
fi
pyver="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$pyver" != "3.11" ]; then
  # anndata 0.12.19 and the other pins were resolved for 3.11; other versions may resolve differently.
  echo "setup-venv: warning: $py is Python $pyver, the pins were made for 3.11" >&2
fi

want="$( (cat "$req"; echo "python=$pyver") | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup-venv: $venv is up to date"
  exit 0
fi

start=$(date +%s)
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
rm -f "$stamp"
# Wheels only: nothing is compiled, so the install behaves the same on every machine with the same Python.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: -r "$req"
echo "$want" > "$stamp"
echo "setup-venv: installed $(grep -c '==' "$req") pinned packages into $venv in $(( $(date +%s) - start ))s"
