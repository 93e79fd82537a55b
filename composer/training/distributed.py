"""Training on several processes: torchrun's environment, DistributedDataParallel, and
the few collective steps the loop needs. One process (no ``WORLD_SIZE``, or 1) runs
exactly as before: every function here is then a no-op or the identity.

``composer train`` under ``torchrun --nproc-per-node N [--nnodes M --rdzv-backend c10d
--rdzv-endpoint HOST:PORT] -m composer train ...`` (or ``composer train --nproc N``,
which starts torchrun itself) joins the process group from the environment torchrun
sets (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``/``MASTER_PORT``): gloo
on CPU, nccl on CUDA (the device is chosen automatically: a CUDA device per local rank
when there is one, else the CPU).
"""

from __future__ import annotations

import os

import torch
from torch import nn


def world_size() -> int:
    """Processes training together (1 without torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def rank() -> int:
    """This process's rank (0 without torchrun); rank 0 alone writes."""
    return int(os.environ.get("RANK", "0") or 0)


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0") or 0)


def active() -> bool:
    return world_size() > 1


def device() -> torch.device:
    """A CUDA device per local rank when CUDA is there, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", local_rank() % torch.cuda.device_count())
    return torch.device("cpu")


def setup() -> None:
    """Join the process group torchrun describes (once; no-op for one process)."""
    if not active() or torch.distributed.is_initialized():
        return
    backend = "nccl" if device().type == "cuda" else "gloo"
    if device().type == "cuda":
        torch.cuda.set_device(device())
    torch.distributed.init_process_group(backend=backend)


def teardown() -> None:
    if active() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def wrap(model: nn.Module) -> nn.Module:
    """``model`` in DistributedDataParallel when training on several processes."""
    if not active():
        return model
    setup()
    dev = device()
    if dev.type == "cuda":
        return nn.parallel.DistributedDataParallel(model, device_ids=[dev.index])
    return nn.parallel.DistributedDataParallel(model)


def all_sum(value: torch.Tensor) -> torch.Tensor:
    """``value`` summed over the processes."""
    if not active():
        return value
    out = value.detach().clone()
    torch.distributed.all_reduce(out)
    return out


def broadcast(value: float) -> float:
    """Rank 0's ``value`` on every process."""
    if not active():
        return value
    t = torch.tensor([float(value)], dtype=torch.float64)
    torch.distributed.broadcast(t, 0)
    return float(t[0])


def agree(value: float) -> float:
    """One value every process uses (rank 0's), e.g. the elapsed time a time budget is
    measured by, so all processes follow the same schedule and stop together."""
    return broadcast(value)


def all_gather_rows(value: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Every process's ``value`` (equal shapes) concatenated along ``dim``, rank order."""
    if not active():
        return value
    parts = [torch.empty_like(value) for _ in range(world_size())]
    torch.distributed.all_gather(parts, value.contiguous())
    return torch.cat(parts, dim=dim)


def barrier() -> None:
    if active():
        torch.distributed.barrier()


def shard(total: int, dim_name: str = "rows") -> slice:
    """This process's part of ``total`` rows (``total`` must divide by the processes)."""
    world = world_size()
    if total % world:
        from composer.training.corpus import DataError

        raise DataError(f"a batch of {total} {dim_name} does not split over {world} "
                        f"processes: choose a batch that divides by {world}")
    size = total // world
    return slice(rank() * size, (rank() + 1) * size)
