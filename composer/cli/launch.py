"""``composer train --nproc N``: the same command again on N processes of this machine,
started by torchrun (``python -m torch.distributed.run``)."""

from __future__ import annotations

import subprocess
import sys

from composer.cli.errors import CliError


def without_nproc(argv: list[str]) -> list[str]:
    """``argv`` with its ``--nproc N`` (or ``--nproc=N``) taken out."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a == "--nproc":
            skip = True
            continue
        if a.startswith("--nproc="):
            continue
        out.append(a)
    return out


def relaunch(nproc: int, argv: list[str] | None = None) -> int:
    """Run ``composer`` with ``argv`` (default: this command's) under torchrun on
    ``nproc`` processes; returns its exit status."""
    if nproc < 1:
        raise CliError(f"--nproc must be at least 1, not {nproc}")
    args = without_nproc(sys.argv[1:] if argv is None else argv)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc-per-node={nproc}", "-m", "composer", *args]
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130
