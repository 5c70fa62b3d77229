"""The peer loaders of the side-by-side benchmark, on the same stores as ours.

  mapped    lamindb's MappedCollection in a torch DataLoader: shuffle=True, batch 256,
            num_workers = cores, lamindb's torch_worker_init_fn, parallel=True (its documented
            multi-worker setup); per-cell random reads, dense rows.
  annbatch  annbatch.Loader: shuffle=True, chunk_size and preload_nchunks as given (matched to
            our blockSize / windowBlocks), batch 256, zarrs codec pipeline, CPU (no cupy);
            sparse CSR batches. annbatch reads zarr only (it refuses h5ad-backed arrays).

Each run warms up, then counts cells over a fixed wall time; every value of every batch is
summed. Peak RSS is the sampled maximum of this process plus its workers.

usage: python bench_peers.py --loader mapped|annbatch --form NAME --stores DIR --out FILE
                             [--warmup S] [--seconds S] [--chunk 512] [--preload 32]
"""
import argparse
import json
import os
import pathlib
import threading
import time

import numpy as np
import psutil


def stores(d):
    d = pathlib.Path(d)
    found = []
    for p in sorted(d.rglob("*")):
        n = p.name
        if (n.endswith(".h5ad") and p.is_file()) or (n.endswith(".zarr") and (p / "X" / "zarr.json").exists()) \
                or (n.startswith("dataset_") and p.is_dir()):
            found.append(str(p))
    return found


class RssPeak:
    def __init__(self):
        self.peak = 0
        self.running = True
        self.me = psutil.Process()
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while self.running:
            try:
                procs = [self.me] + self.me.children(recursive=True)
                rss = sum(p.memory_info().rss for p in procs)
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.2)


def cpu_seconds():
    """CPU time of this process and its (live) workers."""
    me = psutil.Process()
    total = 0.0
    for p in [me] + me.children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def measure(batches, warmup, seconds, count, touch):
    it = iter(batches)
    t_start = time.time()
    first = None
    # warm-up: worker start-up, first chunks, JIT of numba etc.
    while time.time() - t_start < warmup or first is None:
        b = next(it)
        touch(b)
        if first is None:
            first = time.time() - t_start
    cells = 0
    t0 = time.time()
    c0 = cpu_seconds()
    while time.time() - t0 < seconds:
        b = next(it)
        touch(b)
        cells += count(b)
    measure.cpu = cpu_seconds() - c0
    return cells, time.time() - t0, first


def run_mapped(paths, a):
    import torch
    from lamindb.core import MappedCollection
    mc = MappedCollection(paths, layers_keys="X", obs_keys="cell_type", join="inner", parallel=True)
    workers = a.workers or os.cpu_count()
    dl = torch.utils.data.DataLoader(mc, batch_size=256, shuffle=True, num_workers=workers,
                                     worker_init_fn=mc.torch_worker_init_fn, persistent_workers=True)
    acc = [0.0]

    def forever():
        while True:
            yield from dl

    def touch(b):
        acc[0] += float(b["X"].sum()) + float(b["cell_type"].sum())

    cells, secs, first = measure(forever(), a.warmup, a.seconds, lambda b: b["X"].shape[0], touch)
    return {"loader": "mapped-collection", "sampling": "uniform", "output": "dense", "parallelism": workers,
            "stores": len(paths), "cells": cells, "seconds": secs, "first_record_s": first}


def run_annbatch(paths, a):
    import anndata as ad
    import zarr
    import annbatch
    zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"})
    adatas = []
    for p in paths:
        g = zarr.open_group(p, mode="r")
        obs = ad.io.read_elem(g["obs"])[["cell_type"]]
        var = ad.io.read_elem(g["var"])
        adatas.append(ad.AnnData(X=ad.io.sparse_dataset(g["X"]), obs=obs, var=var))
    loader = annbatch.Loader(chunk_size=a.chunk, preload_nchunks=a.preload, batch_size=256, shuffle=True,
                             preload_to_gpu=False, rng=np.random.default_rng(0)).add_adatas(adatas)
    acc = [0.0]

    def forever():
        while True:
            yield from loader

    def touch(b):
        x = b["X"]
        acc[0] += float(x.data.sum()) + float(x.indices.sum())

    cells, secs, first = measure(forever(), a.warmup, a.seconds, lambda b: b["X"].shape[0], touch)
    return {"loader": "annbatch", "sampling": "block", "output": "sparse", "parallelism": os.cpu_count(),
            "stores": len(paths), "cells": cells, "seconds": secs, "first_record_s": first,
            "chunk": a.chunk, "preload": a.preload}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loader", required=True, choices=["mapped", "annbatch"])
    p.add_argument("--form", required=True)
    p.add_argument("--stores", required=True)
    p.add_argument("--out")
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--chunk", type=int, default=512)
    p.add_argument("--preload", type=int, default=32)
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--case", help="the case's name in the results (default: the loader's)")
    a = p.parse_args()
    paths = stores(a.stores)
    rss = RssPeak()
    r = run_mapped(paths, a) if a.loader == "mapped" else run_annbatch(paths, a)
    rss.running = False
    r.update({"form": a.form, "case": a.case or a.loader, "cells_per_s": r["cells"] / r["seconds"],
              "cpu_s": measure.cpu, "cells_per_cpu_s": r["cells"] / max(1e-9, measure.cpu),
              "peak_rss_mb": rss.peak / 2**20, "load1": os.getloadavg()[0]})
    line = json.dumps(r)
    print(line, flush=True)
    if a.out:
        with open(a.out, "a") as f:
            f.write(line + "\n")
    os._exit(0)  # DataLoader workers and zarrs threads must not delay the exit


if __name__ == "__main__":
    main()
