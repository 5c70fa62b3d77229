#!/usr/bin/env bash
# Create a venv with a pinned toolchain (Python 3.11):
#   python/setup-venv.sh           -> python/.venv          from requirements.txt (anndata, lamindb)
#   python/setup-venv.sh pyflink   -> python/.venv-pyflink  from requirements-pyflink.txt (apache-flink)
#   python/setup-venv.sh s3        -> python/.venv-s3       from requirements-s3.txt (moto, the loopback S3 server)
#   python/setup-venv.sh torch     -> python/.venv-torch    from requirements-torch.txt (torch, pyarrow: serving to PyTorch ranks)
# Idempotent: a stamp file holds the hash of requirements.txt and the interpreter version, and
# the install is skipped while it matches. Needs no network other than PyPI.
#   PYTHON=/path/to/python3.11 python/setup-venv.sh   # to choose the interpreter
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
flavour="${1:-}"
if [ -n "$flavour" ]; then
  venv="$here/.venv-$flavour"
  req="$here/requirements-$flavour.txt"
else
  venv="$here/.venv"
  req="$here/requirements.txt"
fi
[ -f "$req" ] || { echo "setup-venv: no $req" >&2; exit 1; }
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
# Wheels only where a wheel exists, so nothing native is compiled; apache-beam (a PyFlink
# dependency) pulls four pure-Python packages that PyPI has only as source archives.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --prefer-binary -r "$req"
echo "$want" > "$stamp"
echo "setup-venv: installed $(grep -c '==' "$req") pinned packages into $venv in $(( $(date +%s) - start ))s"
