"""Training on several processes: torchrun's environment, DistributedDataParallel, and
the few collective steps the loop needs. One process (no ``WORLD_SIZE``, or 1) runs
exactly as before: every function here is then a no-op or the identity.

``composer train`` under ``torchrun --nproc-per-node N [--nnodes M --rdzv-backend c10d
--rdzv-endpoint HOST:PORT] -m composer train ...`` (or ``composer train --nproc N``,
which starts torchrun itself) joins the process group from the environment torchrun
sets (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``,
``MASTER_ADDR``/``MASTER_PORT``): gloo on CPU, nccl on CUDA (the device is chosen
automatically: a CUDA device per local rank when there is one, else the CPU).

**Stopping.** A collective waits for every process, so a stop must be agreed: under
several processes Ctrl-C (SIGINT: torchrun passes it on to every worker) only sets a
flag (:func:`stop_requested`; so does losing the parent process, torchrun), and the
loop asks :func:`any_true` once a step whether any process wants to stop; all then
save and stop at the same step. A process that dies is noticed by torchrun, which
ends the others; past that (a node lost in a multi-node run) every collective gives up
after ``COMPOSER_DIST_TIMEOUT`` seconds (default 600) instead of waiting forever.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta

import torch
from torch import nn

TIMEOUT_S = 600.0
"""Seconds a collective waits for the other processes before giving up (the default of
``COMPOSER_DIST_TIMEOUT``): longer than rank 0's evaluation of the validation data,
which the others wait for."""


def world_size() -> int:
    """Processes training together (1 without torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def rank() -> int:
    """This process's rank (0 without torchrun); rank 0 alone writes."""
    return int(os.environ.get("RANK", "0") or 0)


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0") or 0)


def local_world_size() -> int:
    """Processes training on this machine."""
    return int(os.environ.get("LOCAL_WORLD_SIZE", "0") or 0) or world_size()


def active() -> bool:
    return world_size() > 1


def device() -> torch.device:
    """A CUDA device per local rank when CUDA is there, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", local_rank() % torch.cuda.device_count())
    return torch.device("cpu")


def threads(wanted: int) -> int:
    """CPU threads for this process: ``wanted``; under several processes no more than
    this machine's cores shared among them (2 processes on 2 cores: 1 each)."""
    if local_world_size() == 1:
        return wanted
    return max(1, min(wanted, (os.cpu_count() or 1) // local_world_size()))


def timeout() -> timedelta:
    return timedelta(seconds=float(os.environ.get("COMPOSER_DIST_TIMEOUT", TIMEOUT_S)))


def setup() -> None:
    """Join the process group torchrun describes (once; no-op for one process)."""
    if not active() or torch.distributed.is_initialized():
        return
    dev = device()
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    torch.distributed.init_process_group(backend="nccl" if dev.type == "cuda" else "gloo",
                                         timeout=timeout())


def teardown() -> None:
    if active() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def wrap(model: nn.Module) -> nn.Module:
    """``model`` in DistributedDataParallel when training on several processes (rank
    0's weights are copied to the others here)."""
    if not active():
        return model
    setup()
    dev = device()
    if dev.type == "cuda":
        return nn.parallel.DistributedDataParallel(model, device_ids=[dev.index])
    return nn.parallel.DistributedDataParallel(model)


def _collective_device() -> torch.device:
    """Where small tensors for a collective live: nccl takes CUDA tensors only."""
    return device() if torch.distributed.get_backend() == "nccl" else torch.device("cpu")


def all_sum(value: torch.Tensor) -> torch.Tensor:
    """``value`` summed over the processes."""
    if not active():
        return value
    out = value.detach().clone().to(_collective_device())
    torch.distributed.all_reduce(out)
    return out.to(value.device)


def any_true(flag: bool) -> bool:
    """Whether ``flag`` is true on any process (every process must ask)."""
    if not active():
        return flag
    return bool(all_sum(torch.tensor([1.0 if flag else 0.0])) > 0)


def broadcast(value: float) -> float:
    """Rank 0's ``value`` on every process."""
    if not active():
        return value
    t = torch.tensor([float(value)], dtype=torch.float64, device=_collective_device())
    torch.distributed.broadcast(t, 0)
    return float(t[0])


def broadcast_object(value):
    """Rank 0's ``value`` (anything picklable: e.g. a saved training state, so a
    process on another machine resumes from rank 0's files) on every process."""
    if not active():
        return value
    box = [value if rank() == 0 else None]
    torch.distributed.broadcast_object_list(box, 0, device=_collective_device())
    return box[0]


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


_stop = threading.Event()
_parent = [0]


def stop_requested() -> bool:
    """Whether Ctrl-C (SIGINT) came while :func:`interruptible` was on, or the process
    that started this one (torchrun) is gone."""
    return _stop.is_set() or (_parent[0] != 0 and os.getppid() != _parent[0])


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Under several processes, SIGINT sets :func:`stop_requested` instead of raising
    :class:`KeyboardInterrupt` wherever the process is (perhaps inside a collective the
    others are not in). One process, or not the main thread: nothing changes."""
    if not active() or threading.current_thread() is not threading.main_thread():
        yield
        return
    _stop.clear()
    _parent[0] = os.getppid()
    previous = signal.signal(signal.SIGINT, lambda signum, frame: _stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _parent[0] = 0
