"""flink_anndata.serve and AnnDataBatches against the real anndata-serve job (Arrow Flight).

Resuming from a saved token yields exactly the uninterrupted stream (W = 1, 2, 4, and 4 -> 2); a
job that fails raises in the rank; Unix-domain sockets (the default on one host) and TCP serve the
same stream; a failover after a rank received the end does not hold the job up; where torch is importable, X is a sparse CSR tensor sharing Arrow's
buffers and a 2-rank gloo DDP run trains to completion. Runs in python/.venv-torch
(scripts/python-test.sh): pyarrow and torch, no PyFlink.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from conftest import MIXED

flight = pytest.importorskip("pyarrow.flight")

import flink_anndata  # noqa: E402
from flink_anndata import AnnDataBatches, ServingError, serve  # noqa: E402

B = 4
EPOCHS = 2
SEED = 5
# the job's default topology: source parallelism 1, one server in the source's task
SETTINGS = dict(obs_keys=["cell_type"], seed=SEED, epochs=EPOCHS, idle_timeout=60, checkpoint_interval_ms=500)
# the other one: a source of parallelism 2 and servers behind a keyed exchange
KEYED = dict(parallelism=2, servers=2)

Item = Tuple[int, int, Tuple[int, ...]]  # (epoch, g, global indices)
URIS: List[str] = []  # the server addresses the ranks of _pull connected to
# the job's Unix-domain sockets need Netty's epoll library, which the jar carries for Linux x86-64
UNIX_SOCKETS = sys.platform.startswith("linux") and platform.machine() in ("x86_64", "amd64")


def _jar() -> Optional[str]:
    env = os.environ.get("FLINK_ANNDATA_SERVE_JAR")
    if env:
        return env
    repo = Path(__file__).resolve().parents[3]
    built = repo / "flink-anndata-serving" / "target" / "anndata-serve.jar"
    try:
        flink_anndata.serve_jar()
        return None  # the bundled one
    except FileNotFoundError:
        if built.is_file():
            return str(built)
    pytest.fail("anndata-serve.jar is missing: `mvn -B -ntp -DskipTests -pl flink-connector-anndata,"
                "flink-anndata-serving package`, then reinstall the package")


def _pull(job, rank: int, world: int, token=None, limit: Optional[int] = None) -> Tuple[List[Item], dict]:
    ds = AnnDataBatches(job.endpoint_dir, rank, world, token=token, timeout=120, x_format="numpy")
    out: List[Item] = []
    for x, obs in ds:
        indptr, indices, data, shape = x
        assert shape[0] == B and len(indptr) == B + 1 and len(indices) == len(data) == indptr[-1]
        out.append((ds.last["epoch"], ds.last["g"], tuple(int(i) for i in obs["global_index"])))
        if limit is not None and len(out) >= limit:
            break
    URIS.append(ds.uri)
    return out, ds.state_dict()


def _pull_all(job, world: int, token=None, limit: Optional[int] = None):
    results: Dict[int, Tuple[List[Item], dict]] = {}
    errors: List[BaseException] = []

    def run(r):
        try:
            results[r] = _pull(job, r, world, token, limit)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(r,)) for r in range(world)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    if errors:
        raise errors[0]
    return [results[r][0] for r in range(world)], [results[r][1] for r in range(world)]


@pytest.fixture(scope="module")
def full() -> List[Item]:
    """The uninterrupted stream of one rank (W = 1): every batch of every epoch, in order (behind a
    keyed exchange; the tests compare the default topology's streams with it)."""
    with serve(MIXED, B, world_size=1, jar=_jar(), **SETTINGS, **KEYED) as job:
        (items,), _ = _pull_all(job, 1)
        job.wait(60)
    assert len(items) >= 16
    return items


def _share(full: List[Item], world: int, rank: int) -> List[Item]:
    """What rank r of W must get: g ≡ r (mod W), below floor(G / W) * W of each epoch."""
    g_per_epoch = {}
    for e, g, _ in full:
        g_per_epoch[e] = max(g_per_epoch.get(e, -1), g)
    out = []
    for e, g, cells in full:
        batches = g_per_epoch[e] + 1  # W = 1 gets every batch
        if g % world == rank and g < (batches // world) * world:
            out.append((e, g, cells))
    return out


@pytest.mark.parametrize("world", [1, 2])
def test_resume_from_a_saved_token_equals_the_uninterrupted_stream(full, world):
    steps = 3
    with serve(MIXED, B, world_size=world, jar=_jar(), **SETTINGS) as job:
        first, states = _pull_all(job, world, limit=steps)
    tokens = {s["token"] for s in states}
    assert len(tokens) == 1, f"ranks disagree on the lockstep token: {tokens}"
    token = tokens.pop()
    assert token.endswith(f":0:{steps * world}")
    with serve(MIXED, B, world_size=world, token=token, jar=_jar(), **SETTINGS) as job:
        rest, _ = _pull_all(job, world, token=token)
        job.wait(60)
    for r in range(world):
        assert first[r] + rest[r] == _share(full, world, r), f"rank {r} of {world}"


def test_resume_with_four_ranks_kills_everything_at_step_k_and_equals_the_uninterrupted_stream(full):
    # W = 4 -> 4: the job and its ranks stop at step 2 (batches 0..7 of epoch 0); a new job and new
    # ranks resume from the saved token (one epoch is enough: the token is in the first)
    settings = dict(SETTINGS, epochs=1)
    steps = 2
    with serve(MIXED, B, world_size=4, jar=_jar(), **settings) as job:
        first, states = _pull_all(job, 4, limit=steps)
    tokens = {s["token"] for s in states}
    assert len(tokens) == 1, f"ranks disagree on the lockstep token: {tokens}"
    token = tokens.pop()
    assert token.endswith(f":0:{steps * 4}")
    with serve(MIXED, B, world_size=4, token=token, jar=_jar(), **settings) as job:
        rest, _ = _pull_all(job, 4, token=token)
        job.wait(60)
    epoch0 = [i for i in full if i[0] == 0]
    for r in range(4):
        assert first[r] + rest[r] == _share(epoch0, 4, r), f"rank {r} of 4"
    # the interleaved stream of global indices, step by step, equals the uninterrupted one's
    resumed = [i for step in zip(*[first[r] + rest[r] for r in range(4)]) for i in step]
    assert [cells for _, _, cells in resumed] == [cells for _, _, cells in epoch0[:len(resumed)]]
    assert len(resumed) == (len(epoch0) // 4) * 4
    # on one host the ranks took the servers' Unix-domain sockets (transport "auto")
    assert not UNIX_SOCKETS or URIS[-8:] and all(u.startswith("grpc+unix:///") for u in URIS[-8:]), URIS[-8:]


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_unix_domain_sockets_and_tcp_serve_the_same_stream(full, transport):
    if transport == "unix" and not UNIX_SOCKETS:
        pytest.skip("the serving jar has Netty's epoll library for Linux x86-64 only")
    with serve(MIXED, B, world_size=1, transport=transport, jar=_jar(), **dict(SETTINGS, epochs=1)) as job:
        ds = AnnDataBatches(job.endpoint_dir, 0, 1, timeout=120, x_format="numpy", transport=transport)
        got = [(ds.last["epoch"], ds.last["g"], tuple(int(i) for i in obs["global_index"])) for _, obs in ds]
        job.wait(60)
        ep = json.loads((job.endpoint_dir / "endpoint-0.json").read_text())
        done = json.loads((job.endpoint_dir / "done-0.json").read_text())
    assert ds.uri.startswith(f"grpc+{transport}://")
    assert ("unix" in ep, "tcp" in ep) == (transport == "unix", transport == "tcp"), ep
    assert got == [i for i in full if i[0] == 0]
    # the rank's final acknowledgement, which a server restored after a failover reads
    assert done == {"run": ep["run"], "rank": 0, "world": 1}


def _in_slot(ds, arr) -> bool:
    """Whether a numpy array is a view of one of the rank's shared-memory slots (not a copy)."""
    import numpy as np

    if ds._ring is None:
        return False
    at = arr.ctypes.data
    for _, mapping in ds._ring._maps.values():
        base = np.frombuffer(mapping, dtype=np.uint8).ctypes.data
        if base <= at and at + arr.nbytes <= base + len(mapping):
            return True
    return False


def _leftovers(run: str) -> List[str]:
    return sorted(p.name for p in Path("/dev/shm").glob(f"anndata-serve-{run[:8]}-*"))


def _csr_stream(shared_memory: bool, epochs: int = 1, window: int = 8, keep: bool = False):
    """Every batch of a 1-rank job as (item, copies of its CSR arrays), how many arrived as views
    of a slot, the arrays themselves when ``keep``, and the job's run id."""
    with serve(MIXED, B, world_size=1, jar=_jar(), **dict(SETTINGS, epochs=epochs)) as job:
        ds = AnnDataBatches(job.endpoint_dir, 0, 1, timeout=120, x_format="numpy", window=window,
                            shared_memory=shared_memory)
        got, kept, in_slots = [], [], 0
        for x, obs in ds:
            indptr, indices, data, _ = x
            in_slots += all(_in_slot(ds, a) for a in (indptr, indices, data, obs["global_index"]))
            item = (ds.last["epoch"], ds.last["g"], tuple(int(i) for i in obs["global_index"]))
            got.append((item, indptr.copy(), indices.copy(), data.copy()))
            if keep:
                kept.append((indptr, indices, data))
        job.wait(60)
        run = json.loads((job.endpoint_dir / "endpoint-0.json").read_text())["run"]
        return got, in_slots, kept, ds, run


def _same_csr(a, b) -> bool:
    return a[0] == b[0] and all((x == y).all() for x, y in zip(a[1:], b[1:]))


def test_a_rank_on_the_servers_host_reads_batches_in_shared_memory_without_a_copy(full):
    by_socket, socket_views, _, _, _ = _csr_stream(shared_memory=False)
    got, in_slots, _, ds, run = _csr_stream(shared_memory=True)
    assert [g[0] for g in got] == [i for i in full if i[0] == 0]
    assert socket_views == 0 and in_slots == len(got), (in_slots, len(got))
    assert len(got) == len(by_socket) and all(_same_csr(a, b) for a, b in zip(got, by_socket))
    # the rank and the server removed every file of the job: nothing is left in /dev/shm
    assert _leftovers(run) == []
    assert ds._ring is not None and ds._ring.held == 0  # every slot released as its arrays went


def test_a_rank_that_keeps_its_batches_gets_them_by_socket_once_its_slots_are_full(full):
    # window 2: a ring of 6 slots; the rank keeps every batch, so the server may not write those
    # slots again, and the rank asks for the rest by socket; what it keeps is never overwritten
    got, in_slots, kept, ds, run = _csr_stream(shared_memory=True, epochs=EPOCHS, window=2, keep=True)
    assert [g[0] for g in got] == full
    assert 1 <= in_slots <= ds._ring.slots < len(got), (in_slots, len(got))
    assert all((k[0] == g[1]).all() and (k[1] == g[2]).all() and (k[2] == g[3]).all() for k, g in zip(kept, got))
    assert ds._ring.held == in_slots
    del kept
    import gc

    gc.collect()
    assert ds._ring.held == 0
    assert _leftovers(run) == []


def test_a_rank_that_may_not_map_the_servers_files_takes_the_socket(full, monkeypatch):
    # as for a job run by another user: the probe is readable, the slots are not the rank's to map
    def refuse(path, size):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(flink_anndata.serving._SharedRing, "_map", staticmethod(refuse))
    with pytest.warns(UserWarning, match="takes the socket"):
        got, in_slots, _, ds, run = _csr_stream(shared_memory=True)
    assert [g[0] for g in got] == [i for i in full if i[0] == 0]
    assert in_slots == 0 and not ds.shared_memory
    assert _leftovers(run) == []


def test_resume_with_fewer_ranks_at_a_step_boundary(full):
    # 4 ranks take 2 steps (batches 0..7 of epoch 0) from 2 servers, then 2 ranks go on from the
    # token, served by the default topology
    with serve(MIXED, B, world_size=4, jar=_jar(), **SETTINGS, **KEYED) as job:
        first, states = _pull_all(job, 4, limit=2)
    token = states[0]["token"]
    assert all(s["token"] == token for s in states) and token.endswith(":0:8")
    with serve(MIXED, B, world_size=2, token=token, jar=_jar(), **SETTINGS) as job:
        rest, _ = _pull_all(job, 2, token={"token": token})
        job.wait(60)
    got = sorted(i for items in first + rest for i in items)
    want = sorted(i for r in range(2) for i in _share(full, 2, r))
    assert got == want


def test_a_failing_job_raises_in_the_rank():
    # the rank stops pulling for longer than the idle timeout: the job ends (the trainer looks gone),
    # and when the rank pulls again it raises with the job's failure cause
    settings = dict(SETTINGS, idle_timeout=3, epochs=50)
    with serve(MIXED, B, world_size=1, jar=_jar(), **settings) as job:
        ds = AnnDataBatches(job.endpoint_dir, 0, 1, timeout=120, x_format="numpy", job=job)
        it = iter(ds)
        next(it)
        time.sleep(8)
        with pytest.raises(ServingError, match="idle timeout"):
            for _ in it:
                pass
        assert job.status()["state"] == "FAILED"


def test_x_is_a_sparse_csr_tensor_over_arrow_buffers():
    torch = pytest.importorskip("torch")
    with serve(MIXED, B, world_size=1, jar=_jar(), **dict(SETTINGS, epochs=1)) as job:
        ds = AnnDataBatches(job.endpoint_dir, 0, 1, timeout=120)
        assert isinstance(ds, torch.utils.data.IterableDataset)
        n = 0
        for x, obs in torch.utils.data.DataLoader(ds, batch_size=None):
            assert x.layout == torch.sparse_csr and x.shape[0] == B
            assert x.crow_indices()[-1] == x.values().numel()
            assert torch.as_tensor(obs["cell_type"]).dtype == torch.int32  # category codes
            n += 1
        job.wait(60)
    assert n > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_rank_gloo_ddp_trains_to_completion():
    pytest.importorskip("torch")
    world = 2
    with serve(MIXED, B, world_size=world, jar=_jar(), **SETTINGS) as job:
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()), WORLD_SIZE=str(world))
        worker = Path(__file__).with_name("ddp_worker.py")
        procs = [subprocess.Popen([sys.executable, str(worker), str(job.endpoint_dir)],
                                  env=dict(env, RANK=str(r)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for r in range(world)]
        outs = []
        try:
            for p in procs:
                out, err = p.communicate(timeout=240)  # a hang fails here
                assert p.returncode == 0, err[-2000:]
                outs.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        job.wait(60)
    assert outs[0]["steps"] == outs[1]["steps"] > 0
    assert outs[0]["token"] == outs[1]["token"]


def test_the_readme_training_script_resumes_from_its_checkpoint(tmp_path):
    pytest.importorskip("torch")
    ckpt = tmp_path / "ckpt.pt"
    cmd = [sys.executable, "-m", "flink_anndata.examples.train_torch", *MIXED, "--batch-size", str(B),
           "--epochs", "1", "--endpoint-dir", str(tmp_path / "serve"), "--checkpoint", str(ckpt), "--every", "2"]
    env = dict(os.environ)
    if _jar():
        env["FLINK_ANNDATA_SERVE_JAR"] = _jar()
    first = subprocess.run(cmd + ["--stop-after", "4"], capture_output=True, text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "4 steps" in first.stdout and first.stdout.strip().endswith(":0:4")
    rest = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert rest.returncode == 0, rest.stderr[-3000:]
    # the rest of the epoch: G - 4 steps, ending at the epoch's last batch
    steps = int(rest.stdout.split(":")[1].split("steps")[0])
    token_next = int(rest.stdout.strip().rsplit(":", 1)[1])
    assert steps > 0 and token_next == 4 + steps


def test_a_rank_of_another_process_raises_when_the_job_died_before_it_started(tmp_path):
    # a rank that only knows the endpoint folder (torchrun's ranks) must not wait for its timeout
    # when the serving JVM died at start (here: an option the JVM refuses)
    with serve(MIXED, B, world_size=1, jar=_jar(), endpoint_dir=tmp_path,
               jvm_args=["-XX:+UseParallelGC", "-Xlog:gc:file=x:+notadecorator"], **SETTINGS) as job:
        ds = AnnDataBatches(tmp_path, 0, 1, timeout=120, x_format="numpy")
        started = time.monotonic()
        # nobody reaps the JVM meanwhile: the rank must see an exited, unreaped process as gone
        with pytest.raises(ServingError, match="is gone before it started"):
            next(iter(ds))
        assert time.monotonic() - started < 30
        assert json.loads((tmp_path / "status.json").read_text())["state"] == "STARTING"
        assert job.process.wait(60) != 0
