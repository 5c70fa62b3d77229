"""The PyFlink training example end to end, run as a user runs it
(``python -m flink_anndata.examples.train`` from the repository's root) on the bundled PBMC data:

- the scikit-learn job learns: its holdout accuracy is well above the majority-class rate, which
  is computed here from the labels ``anndata-cli dump`` reads;
- exactly once: with a failure injected after a checkpoint, the job resumes from that checkpoint
  and ends with the same model, bit for bit, and the same report lines as the run without
  failure; every training cell is trained on once per epoch;
- the learning-curve PNG exists and holds the expected series;
- unbounded epochs with a parallel source, stopped by the client, and the trainer's Flink
  metrics read from the REST API while it runs.

The PyTorch learner is not tested here: torch is not part of the pinned toolchain (its Linux
wheel is the ~4 GB CUDA build); it gets its own requirements file with the PyTorch-ranks work.
"""

from __future__ import annotations

import json
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from flink_anndata.examples.trainer import holdout_mask

PBMC = REPO / "examples" / "data" / "pbmc68k_reduced.h5ad"
EPOCHS = 5
FAIL_AFTER = 1000


def user_env():
    # a user's shell: none of the variables PyFlink sets in this test process (see test_readme)
    env = {k: v for k, v in os.environ.items() if "PYFLINK" not in k.upper()}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("FLINK_ANNDATA_JAR", None)
    return env


def train_command(out: Path, *args: str):
    return [sys.executable, "-m", "flink_anndata.examples.train", "--report-json", str(out / "report.json"),
            "--model-out", str(out / "model.pkl"), *args]


def run_train(out: Path, *args: str, timeout=85) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    run = subprocess.run(train_command(out, *args), cwd=REPO, env=user_env(), capture_output=True, text=True,
                         timeout=timeout)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    lines = [json.loads(s) for s in (out / "report.json").read_text().splitlines()]
    return {"stdout": run.stdout, "stderr": run.stderr, "records": lines[:-1], "summary": lines[-1],
            "model": pickle.loads((out / "model.pkl").read_bytes()) if (out / "model.pkl").exists() else None,
            "seconds": time.time() - started, "dir": out}


@pytest.fixture(scope="session")
def labels(dump):
    """bulk_labels of every cell, as anndata-cli dump reads them (codes: the encoder's)."""
    return np.array([s["bulk_labels"] for s in dump([str(PBMC)], "--obs-keys", "bulk_labels")])


@pytest.fixture(scope="session")
def reference(tmp_path_factory):
    """The scikit-learn job with its defaults (seed 0, 5 block-shuffled epochs), no failure."""
    out = tmp_path_factory.mktemp("train-ref")
    return run_train(out, "--plot", str(out / "curve.png"))


def report_lines(stdout: str):
    return [s for s in stdout.splitlines() if s.startswith(("cells=", "epoch=", "final "))]


def trained_per_epoch(labels) -> int:
    return int(((labels >= 0) & ~holdout_mask(np.arange(len(labels)), 0.2)).sum())


def test_sgd_job_beats_the_majority_class(reference, labels):
    counts = Counter(labels.tolist())
    majority = max(counts.values()) / len(labels)
    held = holdout_mask(np.arange(len(labels)), 0.2)
    holdout_majority = max(Counter(labels[held].tolist()).values()) / int(held.sum())
    s = reference["summary"]
    assert s["majority_rate"] == pytest.approx(majority)  # the job's own figure agrees with the data
    assert s["holdout_majority_rate"] == pytest.approx(holdout_majority)
    final = s["final"]
    assert final["holdout_accuracy"] >= max(majority, holdout_majority) + 0.3, final
    epochs = [r for r in reference["records"] if r["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == list(range(1, EPOCHS + 1))
    assert epochs[0]["prequential_accuracy"] >= majority + 0.2  # online, on cells it had not seen
    assert final["trained_per_epoch"] == {str(e): trained_per_epoch(labels) for e in range(1, EPOCHS + 1)}
    assert final["cells"] == EPOCHS * len(labels) and final["restores"] == 0
    lines = report_lines(reference["stdout"])
    assert len(lines) == len(set(lines)) == len(reference["records"])  # each report printed once
    assert "majority class 'Dendritic': %.3f" % majority in reference["stdout"]


def test_failover_resumes_exactly_once_with_the_same_model(reference, labels, tmp_path):
    got = run_train(tmp_path / "failover", "--fail-after-cells", str(FAIL_AFTER), "--plot", str(tmp_path / "c.png"))
    assert "injected failure" in got["stderr"]
    final = got["summary"]["final"]
    # it did fail once, after a checkpoint holding at least FAIL_AFTER cells, and restored that state
    assert final["restores"] == 1 and final["restored_at_cells"] >= FAIL_AFTER, final
    assert final["trained_per_epoch"] == {str(e): trained_per_epoch(labels) for e in range(1, EPOCHS + 1)}
    assert final["cells"] == reference["summary"]["final"]["cells"]
    # the same model, bit for bit, as the run without failure
    want, have = reference["model"].params(), got["model"].params()
    assert want.keys() == have.keys() and want
    for k in want:
        np.testing.assert_array_equal(have[k], want[k], err_msg=k)
    assert pickle.dumps(got["model"].model) == pickle.dumps(reference["model"].model)
    # and the same report lines, each printed once
    strip = lambda r: {k: v for k, v in r.items() if k not in ("time", "first_batch_time", "restores",  # noqa: E731
                                                               "restored_at_cells")}
    assert [strip(r) for r in got["records"]] == [strip(r) for r in reference["records"]]
    lines = [s for s in report_lines(got["stdout"]) if not s.startswith("final ")]
    assert lines == [s for s in report_lines(reference["stdout"]) if not s.startswith("final ")]


def test_the_learning_curve_png_has_the_expected_series(reference):
    from PIL import Image

    png = reference["dir"] / "curve.png"
    assert png.is_file() and 10_000 < png.stat().st_size < 300_000
    image = Image.open(png)
    assert image.format == "PNG" and image.size[0] >= 600 and image.size[1] >= 400
    assert np.asarray(image.convert("L")).std() > 10
    windows = [r for r in reference["records"] if r["kind"] == "window"]
    series = json.loads(image.text["Series"])
    assert series == {
        "prequential accuracy (test-then-train)": len(windows) - 1,  # the first report is of the untrained model
        "holdout accuracy (fixed set)": len(windows),
        "majority-class rate": 1,
        "prequential loss": len(windows) - 1,
        "holdout loss": len(windows),
        "epoch boundaries": EPOCHS,
    }
    assert reference["summary"]["plot_series"] == series
    assert f"learning curve: {png}" in reference["stdout"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=3) as r:
        return json.load(r)


def poll_trainer_metrics(port: int, seen: dict, stop: threading.Event):
    """Reads the trainer's gauges from the local cluster's REST API until stopped."""
    base = f"http://127.0.0.1:{port}"
    while not stop.is_set():
        try:
            for job in get_json(base + "/jobs/overview")["jobs"]:
                if job["state"] != "RUNNING":
                    continue
                for v in get_json(f"{base}/jobs/{job['jid']}")["vertices"]:
                    if not v["name"].startswith("train"):
                        continue
                    ids = [m["id"] for m in get_json(f"{base}/jobs/{job['jid']}/vertices/{v['id']}/metrics")]
                    wanted = [i for i in ids if i.rsplit(".", 1)[-1] in
                              ("cellsSeen", "cellsTrained", "epoch", "holdoutAccuracyPermille",
                               "prequentialAccuracyPermille", "prequentialLossMilli")]
                    if wanted:
                        values = get_json(f"{base}/jobs/{job['jid']}/vertices/{v['id']}/metrics?get=" + ",".join(wanted))
                        for m in values:
                            name = m["id"].rsplit(".", 1)[-1]
                            seen.setdefault(name, []).append(int(float(m["value"])))
        except OSError:
            pass  # the cluster is not up yet, or gone
        stop.wait(0.3)


def test_unbounded_parallel_run_reports_flink_metrics(labels, tmp_path):
    port = free_port()
    out = tmp_path / "unbounded"
    out.mkdir()
    cmd = train_command(out, "--epochs", "-1", "--parallelism", "2", "--stop-after-cells", "14000",
                        "--report-every", "700", "--plot", str(out / "curve.png"),
                        "--conf", f"rest.port={port}", "--conf", "metrics.fetcher.update-interval=200 ms")
    seen: dict = {}
    stop = threading.Event()
    poller = threading.Thread(target=poll_trainer_metrics, args=(port, seen, stop), daemon=True)
    poller.start()
    try:
        run = subprocess.run(cmd, cwd=REPO, env=user_env(), capture_output=True, text=True, timeout=85)
    finally:
        stop.set()
        poller.join(5)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    assert "stopping after" in run.stdout and "unbounded epochs" in run.stdout
    records = [json.loads(s) for s in (out / "report.json").read_text().splitlines()]
    windows = [r for r in records if r["kind"] == "window"]
    assert windows[-1]["cells"] >= 14000 and not any(r["kind"] == "final" for r in records)
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert len(epochs) >= 15 and all(e["epoch_trained"] == trained_per_epoch(labels) for e in epochs)
    assert (out / "curve.png").is_file()
    # the gauges, as Flink's REST API serves them while the job runs
    print("gauges seen (max, readings):", {k: (max(v), len(v)) for k, v in seen.items()})
    assert seen.get("cellsSeen") and max(seen["cellsSeen"]) > 0, seen
    assert max(seen["cellsTrained"]) > 0 and max(seen["epoch"]) >= 1, seen
    majority = max(Counter(labels.tolist()).values()) / len(labels)
    assert max(seen["holdoutAccuracyPermille"]) > 1000 * (majority + 0.2), seen
    assert 0 < max(seen["prequentialAccuracyPermille"]) <= 1000 and max(seen["prequentialLossMilli"]) > 0, seen
