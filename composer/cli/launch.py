"""``composer train --nproc N``: the same command again on N processes of this machine,
started by torchrun (``python -m torch.distributed.run --standalone``).

Ctrl-C (or SIGTERM) is passed on to torchrun once, which passes it to every worker:
they agree to stop at the next step, save the run there and exit (see
:mod:`composer.training.distributed`); a second Ctrl-C ends torchrun at once, and the
workers, finding their parent gone, do the same at their next step.
"""

from __future__ import annotations

import os
import signal
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


def torchrun_command(nproc: int, args: list[str]) -> list[str]:
    return [sys.executable, "-m", "torch.distributed.run", "--standalone",
            f"--nproc-per-node={nproc}", "-m", "composer", *args]


def relaunch(nproc: int, argv: list[str] | None = None) -> int:
    """Run ``composer`` with ``argv`` (default: this command's) under torchrun on
    ``nproc`` processes; returns its exit status (130 after Ctrl-C)."""
    if nproc < 1:
        raise CliError(f"--nproc must be at least 1, not {nproc}")
    cmd = torchrun_command(nproc, without_nproc(sys.argv[1:] if argv is None else argv))
    env = dict(os.environ)
    # torchrun sets 1 (and says so at length); the loop sets its own per process.
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    # Its own session: a Ctrl-C at the terminal reaches torchrun once, from here.
    proc = subprocess.Popen(cmd, env=env, start_new_session=os.name == "posix")
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            print("composer: stopping: the processes save the run at their next step "
                  "(Ctrl-C again to end them now)", file=sys.stderr, flush=True)
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait()
            except KeyboardInterrupt:
                proc.kill()
                proc.wait()
            return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
