"""Throughput of the serving path (issue 20, item 5): cells/s and MB/s per trainer rank pulling
numbered mini-batches from anndata-serve over Arrow Flight, for 1 and 2 ranks.

Each rank is its own process (as under torchrun) and touches every value it receives (a sum over
the CSR data), converting to a torch CSR tensor when --torch is given. The clock of a rank runs
from its first batch to its last, so the job's start (JVM, planning) is not counted; MB are the
Arrow buffers received (indptr, indices, data, global_index).

usage: python benchmarks/serving.py STORE... [--batch-size 512] [--ranks 1 2] [--batches 200]
       [--parallelism 1] [--servers 1] [--torch] [--transport auto|tcp|unix] [--jar anndata-serve.jar]
Run it with python/.venv-torch/bin/python (flink_anndata installed there by scripts/python-test.sh),
or any Python with pyarrow where python/flink-anndata/src is importable. Report `uptime` beside it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python" / "flink-anndata" / "src"))

from flink_anndata import AnnDataBatches, serve  # noqa: E402


def _rank(endpoint_dir: str, rank: int, world: int, limit: int, use_torch: bool, warmup: float, transport: str,
          window: int, shared_memory: bool, out) -> None:
    try:
        _pull(endpoint_dir, rank, world, limit, use_torch, warmup, transport, window, shared_memory, out)
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which stops
        out.put({"rank": rank, "error": repr(e)})
        raise


def _pull(endpoint_dir: str, rank: int, world: int, limit: int, use_torch: bool, warmup: float, transport: str,
          window: int, shared_memory: bool, out) -> None:
    ds = AnnDataBatches(endpoint_dir, rank, world, x_format="torch" if use_torch else "numpy", timeout=300,
                        transport=transport, window=window, shared_memory=shared_memory)
    cells = 0
    nbytes = 0
    batches = 0
    checksum = 0.0
    start = None
    first = None
    for x, obs in ds:
        if first is None:
            first = time.perf_counter()
        if start is None:
            # the clock starts `warmup` seconds after the first batch: neither the job's start-up
            # nor the JIT compiler's first minute (a third of the JVM's CPU at first) is counted
            if time.perf_counter() - first >= warmup:
                start = time.perf_counter()
                cpu0 = time.process_time()
                out.put({"rank": rank, "started": True})
        else:
            if use_torch:
                vals = x.values()
                nnz = vals.numel()
                checksum += float(vals.sum())
                n = x.shape[0]
            else:
                indptr, indices, data, shape = x
                nnz = len(data)
                checksum += float(data.sum())
                n = shape[0]
            cells += n
            nbytes += (n + 1) * 4 + nnz * 8 + n * 8
            batches += 1
        if batches >= limit:
            break
    elapsed = time.perf_counter() - (start or time.perf_counter())
    rank_cpu = time.process_time() - cpu0 if start is not None else 0.0
    out.put({"rank": rank, "batches": batches, "cells": cells, "seconds": elapsed,
             "rank_cpu_ms_per_1k_cells": 1e6 * rank_cpu / cells if cells else 0.0,
             "cells_per_s": cells / elapsed if elapsed else 0.0, "mb_per_s": nbytes / 1e6 / elapsed if elapsed else 0.0,
             "checksum": checksum, "uri": ds.uri, "shared_memory": ds.shared_memory and ds._ring is not None})


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batches", type=int, default=200, help="batches per rank (after the warm-up)")
    ap.add_argument("--warmup", type=float, default=20.0, help="seconds of pulling before the clock starts")
    ap.add_argument("--parallelism", type=int, default=1, help="source parallelism (default: the job's, 1)")
    ap.add_argument("--buffer", type=int, default=8, help="batches the job holds per rank (serve's buffer)")
    ap.add_argument("--window", type=int, default=8, help="batches a rank takes per stream (AnnDataBatches' window)")
    ap.add_argument("--servers", type=int, default=1, help="Flight servers (sink subtasks; default 1)")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--torch", action="store_true", help="build torch CSR tensors")
    ap.add_argument("--checkpoint-interval", type=int, default=30000, help="the job's checkpoint interval, ms")
    ap.add_argument("--transport", default="auto", choices=["auto", "tcp", "unix"],
                    help="how ranks reach the servers (auto: a Unix-domain socket on the same host)")
    ap.add_argument("--no-shared-memory", dest="shared_memory", action="store_false",
                    help="ranks on the server's host take the batch data by socket too (the default is shared memory)")
    ap.add_argument("--jar", default=os.environ.get("FLINK_ANNDATA_SERVE_JAR"))
    ap.add_argument("--jvm-arg", action="append", default=[], help="an option of the serving JVM (repeatable)")
    args = ap.parse_args()
    jar = args.jar
    if jar is None and (REPO / "flink-anndata-serving" / "target" / "anndata-serve.jar").is_file():
        jar = str(REPO / "flink-anndata-serving" / "target" / "anndata-serve.jar")
    ctx = mp.get_context("spawn")
    for world in args.ranks:
        with serve(args.stores, args.batch_size, world_size=world, epochs=args.epochs, parallelism=args.parallelism, servers=args.servers,
                   buffer=args.buffer, checkpoint_interval_ms=args.checkpoint_interval, transport=args.transport,
                   jar=jar, jvm_args=args.jvm_arg, idle_timeout=120,
                   options={"anndata.block-size": 512, "anndata.window-blocks": 32}) as job:
            q = ctx.Queue()
            procs = [ctx.Process(target=_rank, args=(str(job.endpoint_dir), r, world, args.batches, args.torch,
                                                        args.warmup, args.transport, args.window,
                                                        args.shared_memory, q))
                     for r in range(world)]
            for p in procs:
                p.start()
            messages = [q.get(timeout=1800) for _ in procs]  # each rank's first batch (or its error)
            cpu0 = _cpu_seconds(job.process.pid)
            messages += [q.get(timeout=1800) for m in messages if "started" in m]
            server_cpu = _cpu_seconds(job.process.pid) - cpu0
            results = sorted((m for m in messages if "started" not in m), key=lambda r: r["rank"])
            for p in procs:
                p.join()
            for r in results:
                if "error" in r:
                    raise SystemExit(f"rank {r['rank']} failed: {r['error']}")
        load = os.getloadavg()
        for r in results:
            print(json.dumps({"world": world, "batch_size": args.batch_size, "torch": args.torch,
                              "transport": args.transport,
                              "load_avg_1m": round(load[0], 2), **{k: (round(v, 1) if isinstance(v, float) else v)
                                                                  for k, v in r.items()}}), flush=True)
        cells = sum(r["cells"] for r in results)
        print(json.dumps({"world": world, "total_cells_per_s": round(sum(r["cells_per_s"] for r in results)),
                          # the serving JVM's CPU (all its threads, GC included) while the ranks pulled
                          "server_cpu_ms_per_1k_cells": round(1e6 * server_cpu / cells, 1) if cells else None,
                          "total_mb_per_s": round(sum(r["mb_per_s"] for r in results), 1)}), flush=True)


if __name__ == "__main__":
    main()
