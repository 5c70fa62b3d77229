"""One rank of a 2-rank gloo DDP run on CPU (test_serving.py): trains a linear classifier of
cell_type on the served batches and prints a JSON summary. Rank and world from $RANK and
$WORLD_SIZE, the rendezvous from $MASTER_ADDR / $MASTER_PORT (as torchrun sets them)."""

import json
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader

from flink_anndata import AnnDataBatches


def main(endpoint_dir: str) -> None:
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    ds = AnnDataBatches(endpoint_dir, timeout=120)
    assert isinstance(ds, torch.utils.data.IterableDataset)
    model = None
    opt = None
    steps = 0
    losses = []
    for x, obs in DataLoader(ds, batch_size=None):
        dense = x.to_dense()
        y = torch.as_tensor(obs["cell_type"], dtype=torch.long)
        y = torch.where(y < 0, torch.full_like(y, 15), y)  # a missing label (-1) is class 15
        if model is None:
            model = DDP(torch.nn.Linear(dense.shape[1], 16))
            opt = torch.optim.SGD(model.parameters(), lr=0.05)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(dense), y)
        loss.backward()  # all-reduce across ranks: a rank short of batches would hang here
        opt.step()
        losses.append(float(loss.detach()))
        steps += 1
    # every rank took the same steps, and the models are the same
    weights = [p.detach().clone() for p in model.parameters()]
    for w in weights:
        other = w.clone()
        dist.broadcast(other, 0)
        assert torch.equal(w, other), "the ranks' models differ"
    print(json.dumps({"rank": rank, "world": world, "steps": steps, "first_loss": losses[0],
                      "last_loss": losses[-1], "token": ds.state_dict()["token"]}))
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
