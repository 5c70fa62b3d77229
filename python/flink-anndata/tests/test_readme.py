"""The README's Python code, run verbatim from the repository's root as a user would after
`pip install`: each block must finish and print either one total per cell of the bundled dataset,
equal to the row sums of what `anndata-cli dump` reads, or (the mini-batch example) the number of
cells it received, which must be every cell once."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

README = REPO / "README.md"
PBMC = REPO / "examples" / "data" / "pbmc68k_reduced.h5ad"


def python_blocks(text: str) -> list:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_readme_has_python_blocks_to_run():
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "no ```python block in README.md"
    assert any("examples/data/pbmc68k_reduced.h5ad" in b for b in blocks)
    assert any("build_batches" in b for b in blocks)


def test_every_readme_python_block_runs_as_written(dump):
    expected = sorted(math.fsum(s["X"]) for s in dump([str(PBMC)]))
    # a user's shell: none of the variables PyFlink sets in this test process (after an earlier
    # test, PYFLINK_GATEWAY_DISABLED / PYFLINK_GATEWAY_PORT would make the child refuse to start
    # its own gateway or talk to ours)
    env = {k: v for k, v in os.environ.items() if "PYFLINK" not in k.upper()}
    # PyFlink starts its Python workers with `python` from PATH: the interpreter of this venv
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("FLINK_ANNDATA_JAR", None)  # the bundled jar, as after `pip install`
    for block in python_blocks(README.read_text(encoding="utf-8")):
        run = subprocess.run([sys.executable, "-c", block], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr[-4000:]
        printed = []
        for line in run.stdout.splitlines():
            # print() of a parallel stream prefixes the subtask ("2> 12.5")
            m = re.fullmatch(r"(?:\d+> )?(-?[0-9.]+(?:[eE][-+]?\d+)?)", line.strip())
            if m:
                printed.append(float(m.group(1)))
        if len(printed) == 1:
            assert printed[0] == len(expected), run.stdout[-2000:]
            continue
        assert len(printed) == len(expected), run.stdout[-2000:]
        for got, want in zip(sorted(printed), expected):
            assert math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-3), (got, want)
