"""Training with PyTorch on served mini-batches, resumable from a checkpoint — on one process or
under torchrun (DDP, gloo on CPU or nccl on GPUs).

    python -m flink_anndata.examples.train_torch STORE... --batch-size 64 --epochs 2 \\
        --endpoint-dir serve-endpoints --checkpoint ckpt.pt
    torchrun --nproc-per-node 2 -m flink_anndata.examples.train_torch STORE... --endpoint-dir serve-endpoints ...

Rank 0 starts the serving job (one per node, an embedded Flink cluster) for all ranks; every rank
pulls its own batches (g ≡ rank mod W). The checkpoint holds the model and the data position
token; run the same command again and it resumes at the exact batch where the checkpoint was
taken — the rest of the run is what an uninterrupted one would have seen.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader

from flink_anndata import AnnDataBatches, serve


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--label", default="cell_type", help="obs column to predict (category codes)")
    ap.add_argument("--classes", type=int, default=64)
    ap.add_argument("--endpoint-dir", required=True)
    ap.add_argument("--checkpoint", help="save the model and the data token here every --every steps")
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--stop-after", type=int, help="stop after this many steps (to try resuming)")
    args = ap.parse_args(argv)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("gloo" if not torch.cuda.is_available() else "nccl")
    state = torch.load(args.checkpoint) if args.checkpoint and Path(args.checkpoint).is_file() else None
    token = state["data"]["token"] if state else None

    job = None
    if rank == 0:
        job = serve(args.stores, args.batch_size, obs_keys=[args.label], seed=args.seed, epochs=args.epochs,
                    world_size=world, token=token, endpoint_dir=args.endpoint_dir)
    if world > 1:
        dist.barrier()  # rank 0 has cleared the folder of an earlier run's files
    data = AnnDataBatches(args.endpoint_dir, rank, world, token=token)

    model = None
    opt = None
    steps = 0
    try:
        for x, obs in DataLoader(data, batch_size=None):
            x = x.to_dense()
            y = torch.as_tensor(obs[args.label], dtype=torch.long).clamp(min=-1)
            y = torch.where(y < 0, torch.full_like(y, args.classes - 1), y)  # missing label: the last class
            if model is None:
                torch.manual_seed(args.seed)
                model = torch.nn.Linear(x.shape[1], args.classes)
                if state:
                    model.load_state_dict(state["model"])
                if world > 1:
                    model = torch.nn.parallel.DistributedDataParallel(model)
                opt = torch.optim.Adam(model.parameters(), lr=1e-3)
                if state:
                    opt.load_state_dict(state["opt"])
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            steps += 1
            if args.checkpoint and steps % args.every == 0 and rank == 0:
                inner = model.module if world > 1 else model
                torch.save({"model": inner.state_dict(), "opt": opt.state_dict(), "data": data.state_dict()},
                           args.checkpoint)
            if args.stop_after and steps >= args.stop_after:
                break
        print(f"rank {rank}: {steps} steps, last loss {float(loss.detach()):.4f}, token {data.state_dict()['token']}")
    finally:
        if job is not None:
            job.stop()
        if world > 1:
            dist.destroy_process_group()


if __name__ == "__main__":
    main()
