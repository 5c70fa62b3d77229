"""Serving mini-batches to PyTorch ranks: ``serve`` starts the Java job, ``AnnDataBatches`` pulls.

``serve(paths, batch_size, world_size=W, ...)`` starts ``anndata-serve.jar`` (a Flink job on an
embedded cluster, or submitted to a running one) as a subprocess. The job reads the collection as
numbered mini-batches — batch ``g`` of an epoch is the cells at positions ``[g*B, (g+1)*B)`` of
the epoch's sample order, a pure function of (collection, settings, seed, epoch, g) — and serves
them over Arrow Flight: rank ``r`` of ``W`` gets the batches with ``g ≡ r (mod W)``, in order,
``floor(G / W)`` per epoch (the last ``G mod W`` batches of an epoch are dropped, so DDP ranks
step in lockstep), epoch after epoch.

``AnnDataBatches(endpoint_dir, rank, world_size)`` finds its server in the endpoint folder (each
server writes ``endpoint-<i>.json``), pulls, reconnects when the connection drops (a Flink
failover), and yields ``(X, obs)`` per batch. A rank on the server's host takes the batch data
from shared memory (a ring of slots in ``/dev/shm`` the server writes; see ``_SharedRing``), the
socket carrying only the metadata. ``state_dict()`` returns the position token after
the last yielded batch, ``{"token": "fab1:<key>:<epoch>:<next>"}`` — the same on every rank of a
lockstep step — and ``load_state_dict`` resumes there; ``serve(..., token=...)`` starts a job at a
token (with the same world size, or another one that divides ``next``).

No PyFlink is needed for this path: pyarrow, and torch for tensors (imported on first use).
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import signal
import subprocess
import tempfile
import struct
import threading
import time
import warnings
import weakref
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

SERVE_JAR_ENV = "FLINK_ANNDATA_SERVE_JAR"
_LIB = Path(__file__).resolve().parent / "lib"
# Arrow's Java memory module reads direct buffers through java.nio internals
_JVM_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED"


class ServingError(RuntimeError):
    """The serving job failed (its message is the job's failure cause), or cannot be reached."""


def serve_jar(jar: Optional[str] = None) -> Path:
    """The launcher jar: ``jar``, else ``$FLINK_ANNDATA_SERVE_JAR``, else the one bundled in the package."""
    source = "the jar argument"
    if jar is None and os.environ.get(SERVE_JAR_ENV):
        jar, source = os.environ[SERVE_JAR_ENV], "$" + SERVE_JAR_ENV
    if jar is None:
        bundled = _LIB / "anndata-serve.jar"
        if bundled.is_file():
            return bundled
        raise FileNotFoundError(
            f"flink_anndata was installed without anndata-serve.jar ({_LIB}): build it with "
            "`mvn -B -ntp -DskipTests -pl flink-connector-anndata,flink-anndata-serving package` and "
            f"reinstall the package, or set {SERVE_JAR_ENV}")
    path = Path(jar).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"the serving jar given by {source} does not exist: {path}")
    return path


def _token_text(token: Any) -> Optional[str]:
    if token is None:
        return None
    if isinstance(token, Mapping):
        token = token.get("token")
        if token is None:
            return None
    text = str(token)
    parse_token(text)
    return text


def parse_token(text: str) -> Tuple[str, int, int]:
    """``fab1:<key>:<epoch>:<next>`` as (key, epoch, next); ValueError if it is not one."""
    parts = text.strip().split(":")
    if len(parts) != 4 or parts[0] != "fab1":
        raise ValueError(f"not a batch token (fab1:<key>:<epoch>:<next>): {text!r}")
    return parts[1], int(parts[2]), int(parts[3])


def read_status(endpoint_dir: Union[str, Path]) -> Optional[Dict[str, Any]]:
    """The job's ``status.json`` (state RUNNING, FINISHED or FAILED, with ``error``), or None."""
    try:
        return json.loads((Path(endpoint_dir) / "status.json").read_text())
    except (OSError, ValueError):
        return None


class ServingJob:
    """A running ``anndata-serve`` process; a context manager that stops it on exit."""

    def __init__(self, process: subprocess.Popen, endpoint_dir: Path, world_size: int, owns_dir: bool,
                 log_path: Path):
        self.process = process
        self.endpoint_dir = endpoint_dir
        self.world_size = world_size
        self.log_path = log_path
        self._owns_dir = owns_dir

    def dataset(self, rank: int, **kwargs):
        """``AnnDataBatches`` of ``rank`` for this job."""
        return AnnDataBatches(self.endpoint_dir, rank, self.world_size, job=self, **kwargs)

    def status(self) -> Optional[Dict[str, Any]]:
        return read_status(self.endpoint_dir)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def failure(self) -> Optional[str]:
        """The job's failure cause if it failed (or died), else None."""
        st = self.status()
        if st is not None and st.get("state") == "FAILED":
            return st.get("error") or "the serving job failed"
        code = self.process.poll()
        if code is not None and code != 0:
            tail = self.log().strip().splitlines()[-3:]
            return f"the serving job exited with code {code}: " + " | ".join(tail)
        return None

    def wait(self, timeout: Optional[float] = None) -> int:
        """Waits for the job to end; raises ServingError if it failed."""
        code = self.process.wait(timeout)
        if code != 0:
            raise ServingError(self.failure() or f"the serving job exited with code {code}")
        return code

    def stop(self, timeout: float = 20.0) -> None:
        """Stops the job (SIGTERM, then SIGKILL) and removes a temporary endpoint folder."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._owns_dir:
            shutil.rmtree(self.endpoint_dir, ignore_errors=True)

    def __enter__(self) -> "ServingJob":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(paths: Union[str, Sequence[str]], batch_size: int, *, obs_keys: Optional[Sequence[str]] = None,
          layers_keys: Optional[Sequence[str]] = None, seed: int = 0, epochs: int = 1, world_size: int = 1,
          token: Any = None, sampling: str = "block_shuffled", parallelism: int = 1,
          endpoint_dir: Optional[Union[str, Path]] = None, buffer: int = 8, idle_timeout: float = 600,
          checkpoint_interval_ms: int = 30000, options: Optional[Mapping[str, Any]] = None,
          jobmanager: Optional[str] = None, bind: str = "127.0.0.1", transport: str = "auto",
          java: Optional[str] = None, servers: int = 1,
          jar: Optional[str] = None, jvm_args: Sequence[str] = ()) -> ServingJob:
    """Starts the serving job and returns its handle (use it as a context manager).

    ``token`` (a token text, or a ``state_dict()``) resumes where a trainer's checkpoint left off.
    ``options`` are further source options (``anndata.*`` keys). ``jobmanager`` (``host:port``)
    submits to a running Flink cluster (its REST address; the cluster's restart strategy applies,
    and ``stop()`` cancels the job there); the default runs an embedded one in the subprocess.
    ``transport``: ``auto`` (the servers listen on TCP at ``bind`` and, where Netty's epoll
    transport runs, on a Unix-domain socket in the endpoint folder, which ranks on the same host
    take), ``tcp`` or ``unix`` (a socket only). ``parallelism`` is the source's (its decoding uses
    every core at any parallelism) and ``servers`` the number of Flight servers, server ``i``
    serving the ranks ``r ≡ i (mod servers)``; with one of each (the defaults) the server runs in
    the source's task, with no exchange between them, the fastest way on one node. ``jvm_args``
    are options of the serving JVM (by default it runs the parallel garbage collector; name
    another ``-XX:+Use...GC`` to change that).
    """
    if transport not in _TRANSPORTS:
        raise ValueError(f"transport must be one of {_TRANSPORTS}, was {transport!r}")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    owns = endpoint_dir is None
    folder = Path(tempfile.mkdtemp(prefix="anndata-serve-")) if owns else Path(endpoint_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in [*folder.glob("endpoint-*.json"), *folder.glob("done-*.json"), folder / "status.json"]:
        stale.unlink(missing_ok=True)
    jvm = list(jvm_args)
    if not any(a.startswith("-XX:+Use") and a.endswith("GC") for a in jvm):
        # the throughput collector: 8 % less CPU per cell than G1 for this job, whose rank queues
        # absorb its pauses (benchmarks/serving.py, interleaved A/B)
        jvm.insert(0, "-XX:+UseParallelGC")
    cmd: List[str] = [java or shutil.which("java") or "java", _JVM_OPENS, *jvm, "-jar", str(serve_jar(jar))]
    cmd += [str(p) for p in paths]
    cmd += ["--batch-size", str(int(batch_size)), "--endpoint-dir", str(folder), "--world-size", str(int(world_size)),
            "--epochs", str(int(epochs)), "--seed", str(int(seed)), "--sampling", sampling,
            "--parallelism", str(int(parallelism)), "--buffer", str(int(buffer)),
            "--idle-timeout", str(max(1, int(round(idle_timeout)))),
            "--checkpoint-interval", str(int(checkpoint_interval_ms)), "--bind", bind, "--transport", transport]
    cmd += ["--servers", str(int(servers))]
    if obs_keys:
        cmd += ["--obs-keys", ",".join(obs_keys)]
    if layers_keys:
        cmd += ["--layers-keys", ",".join(layers_keys)]
    text = _token_text(token)
    if text is not None:
        cmd += ["--token", text]
    for k, v in (options or {}).items():
        cmd += ["--option", f"{k}={v}"]
    if jobmanager:
        cmd += ["--jobmanager", jobmanager]
    log_path = folder / "serve.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    _announce_start(folder, process.pid)
    return ServingJob(process, folder, int(world_size), owns, log_path)


def _announce_start(folder: Path, pid: int) -> None:
    """Writes ``status.json`` (state STARTING, the JVM's pid and this host's boot id) unless the
    job wrote its own already, which then replaces it: ranks in other processes (``torchrun``) can
    tell a job that died before it wrote a status (a bad JVM option, a missing jar) from one that
    is still starting, rather than waiting for their timeout."""
    status = {"state": "STARTING", "pid": pid, "boot_id": _boot_id()}
    try:
        fd = os.open(folder / "status.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as f:
        json.dump(status, f)


def _pid_gone(pid: int) -> bool:
    """True if no process ``pid`` runs on this host (an exited child not reaped yet counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:][:1] in ("Z", "X")


_TRANSPORTS = ("auto", "tcp", "unix")


def _boot_id() -> Optional[str]:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _endpoint_uri(ep: Mapping[str, Any], transport: str) -> str:
    """The address a rank connects to: the server's Unix-domain socket when it offers one and the
    rank runs on its host (same kernel boot id, and the socket file is visible here: a container
    of the same host may not see it; ``transport="unix"`` insists), else TCP."""
    unix = ep.get("unix")
    if transport != "tcp" and unix:
        if transport == "unix":
            return unix
        if ep.get("boot_id") and ep.get("boot_id") == _boot_id() and os.path.exists(unix[len("grpc+unix://"):]):
            return unix
    if transport == "unix":
        raise ServingError(f"the server of ranks {ep.get('ranks')} offers no Unix-domain socket on this host "
                           "(serve(..., transport='unix'), and a rank on the server's host)")
    return ep.get("tcp") or ep["uri"]


def _shared_memory_usable(ep: Mapping[str, Any]) -> bool:
    """Whether this rank sees the server's shared-memory folder: its probe file holds the nonce
    the endpoint names (same host, and the same folder: a container may have one of its own)."""
    shm = ep.get("shm")
    if not shm:
        return False
    try:
        with open(shm["probe"], "rb") as f:
            return f.read().decode() == shm["nonce"]
    except (OSError, KeyError, UnicodeDecodeError):
        return False


class _SharedRing:
    """The rank's side of a server's shared-memory slots (see the Java ``SharedSlots``).

    A batch arrives as metadata naming a slot: an Arrow IPC stream in a file this rank maps. The
    arrays it yields are views of the mapping (no copy), so the slot is released — its generation
    stored into the control file, after which the server may write it again — only when the last
    of them is garbage: a finalizer on the byte view they all derive from."""

    def __init__(self, info: Mapping[str, Any]):
        self.name = info["ring"]
        self.slots = int(info["slots"])
        self._control = self._map(info["ctl"], 8 * self.slots)
        self._maps: Dict[int, Tuple[str, mmap.mmap]] = {}  # slot -> (file, mapping)
        self.seen = 0  # the last generation received
        self.held = 0  # slots whose arrays are still alive

    @staticmethod
    def _map(path: str, size: int) -> mmap.mmap:
        fd = os.open(path, os.O_RDWR)
        try:
            mapped = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        # nothing opens it by name again: removed now, its memory is freed with the last mapping
        # even if the server is killed
        try:
            os.unlink(path)
        except OSError:
            pass
        return mapped

    def batch(self, info: Mapping[str, Any]):
        """The record batch in the slot ``info`` names, its buffers views of the slot."""
        import pyarrow as pa

        slot, gen, length = int(info["slot"]), int(info["gen"]), int(info["len"])
        known = self._maps.get(slot)
        if known is None or known[0] != info["file"]:
            # a new or larger file for this slot; the old mapping lives on while arrays use it
            known = (info["file"], self._map(info["file"], int(info["size"])))
            self._maps[slot] = known
        view = np.frombuffer(known[1], dtype=np.uint8, count=length)
        self.seen = max(self.seen, gen)
        self.held += 1
        done = weakref.finalize(view, self._release, slot, gen)
        done.atexit = False
        return pa.ipc.open_stream(pa.py_buffer(view)).read_next_batch()

    def _release(self, slot: int, gen: int) -> None:
        self.held -= 1
        struct.pack_into("<q", self._control, 8 * slot, gen)


class _CsrBatch(tuple):
    """X without torch: ``(indptr, indices, data, shape)`` numpy arrays (zero-copy views of Arrow buffers)."""


def _find_endpoint(folder: Path, rank: int) -> Optional[Dict[str, Any]]:
    for f in sorted(folder.glob("endpoint-*.json")):
        try:
            ep = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        if rank in ep.get("ranks", []):
            return ep
    return None


class _BatchesCore:
    """The client of one rank; ``AnnDataBatches`` adds torch's IterableDataset when torch exists."""

    def __init__(self, endpoint_dir: Union[str, Path], rank: Optional[int] = None, world_size: Optional[int] = None,
                 *, token: Any = None, matrix: str = "X", x_format: Optional[str] = None, timeout: float = 120.0,
                 window: int = 8, job: Optional[ServingJob] = None, transport: str = "auto",
                 shared_memory: bool = True):
        if rank is None:
            rank = int(os.environ.get("RANK", "0"))
        if world_size is None:
            world_size = int(os.environ.get("WORLD_SIZE", "1"))
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} outside [0, {world_size})")
        self.endpoint_dir = Path(endpoint_dir)
        self.rank = rank
        self.world_size = world_size
        self.matrix = matrix
        self.x_format = x_format
        self.timeout = timeout
        self.window = window
        self.job = job
        if transport not in _TRANSPORTS:
            raise ValueError(f"transport must be one of {_TRANSPORTS}, was {transport!r}")
        self.transport = transport
        self.shared_memory = shared_memory
        self._ring: Optional[_SharedRing] = None  # the server's slots this rank has mapped
        self._shm_failures = 0
        self.uri: Optional[str] = None  # the server address last connected to
        self.last: Optional[Dict[str, Any]] = None  # the metadata of the last yielded batch
        self._token: Optional[str] = None
        self._pos: Optional[Tuple[int, int]] = None  # (epoch, g) of this rank's next batch
        self._key: Optional[str] = None
        self.load_state_dict({"token": _token_text(token)})

    # -- position -------------------------------------------------------------------------------
    def state_dict(self) -> Dict[str, Optional[str]]:
        """The lockstep token after the last yielded batch: ``{"token": "fab1:<key>:<epoch>:<next>"}``."""
        return {"token": self._token}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        text = _token_text(state)
        self._token = text
        if text is None:
            self._pos = None
            self._key = None
            return
        key, epoch, nxt = parse_token(text)
        if nxt % self.world_size:
            raise ValueError(f"token {text} is not at a step boundary of {self.world_size} ranks "
                             f"(its next batch {nxt} is not a multiple of the world size)")
        self._key = key
        self._pos = (epoch, nxt + self.rank)

    # -- iteration ------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Tuple[Any, Dict[str, Any]]]:
        import pyarrow.flight as flight

        last_progress = time.monotonic()
        client = None
        uri = None
        try:
            while True:
                ep = _find_endpoint(self.endpoint_dir, self.rank)
                if ep is None:
                    self._check_alive(last_progress, "no server announces rank %d in %s" % (self.rank, self.endpoint_dir))
                    time.sleep(0.1)
                    continue
                target = _endpoint_uri(ep, self.transport)
                if client is None or uri != target:
                    if client is not None:
                        client.close()
                    uri = target
                    client = flight.FlightClient(uri)
                    self.uri = uri
                ticket: Dict[str, Any] = {"rank": self.rank, "world": self.world_size, "max": self.window}
                if self._pos is not None:
                    ticket["epoch"], ticket["g"] = self._pos
                ring = self._ring
                # by shared memory unless this rank keeps so many batches that the ring is full
                if self.shared_memory and _shared_memory_usable(ep) and (
                        ring is None or ring.held + self.window <= ring.slots):
                    ticket["shm"] = {"ring": ring.name if ring else None, "gen": ring.seen if ring else 0}
                try:
                    reader = client.do_get(flight.Ticket(json.dumps(ticket).encode()))
                    while True:
                        try:
                            chunk = reader.read_chunk()
                        except StopIteration:
                            break
                        meta = json.loads(bytes(chunk.app_metadata)) if chunk.app_metadata is not None else {}
                        if meta.get("end"):
                            self._mark_done(ep)
                            return
                        data = chunk.data
                        if data is None and "shm" in meta:
                            data = self._from_shared_memory(meta.pop("shm"))
                            if data is None:
                                break  # asks again, by socket, from the same position
                        if data is None:
                            continue
                        if self._key is not None and meta["key"] != self._key:
                            raise ServingError(f"the job serves batches of {meta['key']}, the token names {self._key}")
                        x, obs = self._decode(data, meta)
                        del data, chunk
                        self._key = meta["key"]
                        epoch, g = int(meta["epoch"]), int(meta["g"])
                        self._pos = (epoch, g + self.world_size)
                        self._token = f"fab1:{self._key}:{epoch}:{g - self.rank + self.world_size}"
                        self.last = meta
                        last_progress = time.monotonic()
                        yield x, obs
                except (flight.FlightUnavailableError, flight.FlightCancelledError, flight.FlightTimedOutError,
                        flight.FlightInternalError, ConnectionError, OSError) as e:
                    # the server went away (a Flink failover restarts it elsewhere) or broke the
                    # stream: raise if the job failed, else reconnect until `timeout` without a batch
                    self._check_alive(last_progress, str(e))
                    client.close()
                    client = None
                    time.sleep(0.2)
                except flight.FlightServerError as e:
                    raise ServingError(self._failure() or str(e)) from e
        finally:
            if client is not None:
                client.close()

    def _from_shared_memory(self, info: Mapping[str, Any]):
        """The record batch in the slot ``info`` names; None if this rank cannot map the server's
        files (another user's, say), after which it takes the socket."""
        try:
            if self._ring is None or self._ring.name != info["ring"]:
                self._ring = _SharedRing(info)
            batch = self._ring.batch(info)
            self._shm_failures = 0
            return batch
        except OSError as e:
            # a file removed under it: the server restarted (a failover), reconnect as for a broken
            # socket; files it may not open, or removal again and again: the socket from now on
            self._shm_failures += 1
            if not isinstance(e, PermissionError) and self._shm_failures < 3:
                raise
            warnings.warn(f"rank {self.rank} cannot read the server's shared memory ({e}); "
                          "it takes the socket")
            self.shared_memory = False
            return None

    def _mark_done(self, ep: Mapping[str, Any]) -> None:
        """The rank's final acknowledgement, ``done-<rank>.json`` in the endpoint folder: a server
        restored after a failover reads it and does not wait for a rank that has left."""
        done = {"run": ep.get("run"), "rank": self.rank, "world": self.world_size}
        tmp = self.endpoint_dir / f".done-{self.rank}.json.tmp"
        try:
            tmp.write_text(json.dumps(done))
            os.replace(tmp, self.endpoint_dir / f"done-{self.rank}.json")
        except OSError as e:  # a folder this rank cannot write: a failover now waits for the idle timeout
            warnings.warn(f"rank {self.rank} cannot record its end in {self.endpoint_dir}: {e}")

    def _failure(self) -> Optional[str]:
        if self.job is not None:
            return self.job.failure()
        st = read_status(self.endpoint_dir)
        if st is not None and st.get("state") == "FAILED":
            return st.get("error") or "the serving job failed"
        # a pid names a process of the job's host only: another host's rank cannot judge it
        if st is not None and st.get("pid") and st.get("boot_id") and st.get("boot_id") == _boot_id():
            if _pid_gone(int(st["pid"])):
                return (f"the serving job (pid {st['pid']}) is gone" + (" before it started; see serve.log in "
                        f"{self.endpoint_dir}" if st.get("state") == "STARTING" else ""))
        return None

    def _check_alive(self, last_progress: float, what: str) -> None:
        failure = self._failure()
        if failure is not None:
            raise ServingError(failure)
        st = read_status(self.endpoint_dir)
        if st is not None and st.get("state") == "FINISHED":
            raise ServingError(f"the serving job finished before rank {self.rank} was told the stream ended ({what})")
        if time.monotonic() - last_progress > self.timeout:
            raise TimeoutError(f"rank {self.rank}: no batch for {self.timeout:.0f} s ({what}); job status: {st}")

    def _decode(self, batch, meta: Dict[str, Any]):
        names = batch.schema.names
        n = batch.num_rows
        width = int(meta.get("widths", {}).get(self.matrix, 0))
        fmt = self.x_format or ("torch" if _torch() is not None else "numpy")
        if self.matrix + ".indices" in names:
            col = batch.column(names.index(self.matrix + ".indices"))
            indptr = col.offsets.to_numpy()
            indices = col.values.to_numpy()
            data = batch.column(names.index(self.matrix + ".values")).values.to_numpy()
            if fmt == "torch":
                torch = _torch()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta"
                    x = torch.sparse_csr_tensor(_tensor(indptr), _tensor(indices), _tensor(data), size=(n, width),
                                                check_invariants=False)
            else:
                x = _CsrBatch((indptr, indices, data, (n, width)))
        elif self.matrix in names:
            col = batch.column(names.index(self.matrix))
            values = col.values.to_numpy()
            if hasattr(col.type, "list_size"):
                arr = values.reshape(n, col.type.list_size)
            else:  # ragged dense rows (absent cells): padded with zeros to the widest
                offsets = col.offsets.to_numpy()
                arr = np.zeros((n, width), dtype=np.float32)
                for i in range(n):
                    arr[i, : offsets[i + 1] - offsets[i]] = values[offsets[i]:offsets[i + 1]]
            x = _tensor(arr) if fmt == "torch" else arr
        else:
            raise KeyError(f"batches carry no matrix {self.matrix!r}: columns {names}")
        obs: Dict[str, Any] = {"global_index": batch.column(names.index("global_index")).to_numpy()}
        for i, name in enumerate(names):
            if name.startswith("obs."):
                col = batch.column(i)
                obs[name[4:]] = _obs_column(col)
        return x, obs


def _obs_column(col):
    """An obs column as numpy: category codes int32 with -1 where missing (as pandas' codes),
    numbers float64 with NaN where missing; labels (text, bool) with None where missing as a list."""
    import pyarrow as pa

    if col.null_count == 0 and not pa.types.is_string(col.type):
        return col.to_numpy(zero_copy_only=False)
    if pa.types.is_int32(col.type):
        return col.fill_null(-1).to_numpy()
    if pa.types.is_floating(col.type) or pa.types.is_int64(col.type):
        return col.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return col.to_pylist()


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _tensor(arr: np.ndarray):
    torch = _torch()
    with warnings.catch_warnings():
        # Arrow's buffers are read-only; the tensor shares them (no copy) and is never written
        warnings.simplefilter("ignore", UserWarning)
        return torch.from_numpy(arr)


_CLASS = None
_LOCK = threading.Lock()


def _batches_class():
    global _CLASS
    with _LOCK:
        if _CLASS is None:
            torch = _torch()
            if torch is not None:
                from torch.utils.data import IterableDataset

                _CLASS = type("AnnDataBatches", (_BatchesCore, IterableDataset), {"__doc__": _BatchesCore.__doc__,
                                                                                   "__module__": __name__})
            else:
                _CLASS = type("AnnDataBatches", (_BatchesCore,), {"__doc__": _BatchesCore.__doc__,
                                                                  "__module__": __name__})
        return _CLASS


def AnnDataBatches(endpoint_dir: Union[str, Path], rank: Optional[int] = None, world_size: Optional[int] = None,
                   **kwargs):
    """The batches of one rank: a ``torch.utils.data.IterableDataset`` when torch is installed
    (use ``DataLoader(ds, batch_size=None)``), a plain iterable otherwise.

    Yields ``(X, obs)``: X a ``torch.sparse_csr_tensor`` (sparse matrices) or dense tensor (dense
    ones) — ``x_format="numpy"`` gives ``(indptr, indices, data, shape)`` arrays instead — and obs a
    dict of the obs columns plus ``global_index`` (category codes as int32 arrays, -1 where
    missing; numbers float64, NaN where missing; text labels as lists, None where missing).
    ``transport``: ``auto`` takes the server's Unix-domain socket when the rank runs on its host,
    else TCP; ``tcp`` and ``unix`` insist. ``shared_memory`` (default True): a rank that sees the
    server's shared-memory folder (same host and ``/dev/shm``) receives the batch data there and
    only the metadata by socket; X and the obs arrays are then views of the server's slot, which
    is written again once they are all garbage — keep ``x.clone()`` of what must outlive the next
    ``2 * window`` batches (a rank that holds that many gets the next ones by socket). ``rank`` and
    ``world_size`` default to ``$RANK`` and ``$WORLD_SIZE`` (torchrun's). ``token`` (or
    ``load_state_dict``) resumes; ``timeout`` bounds the wait for a batch when no server answers.
    """
    return _batches_class()(endpoint_dir, rank, world_size, **kwargs)
