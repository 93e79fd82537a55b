"""What packaging/check_bundle.py and packaging/check_wheel.py share: an Xvfb display of
their own, commands run and timed, and the smoke test timed to its "window shown" line."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"


class CheckFailed(Exception):
    pass


@dataclass
class Result:
    seconds: float
    returncode: int
    stdout: str
    stderr: str


def run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float = 600) -> Result:
    """Run ``cmd`` with exactly ``env`` (nothing inherited) and time it."""
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    return Result(time.perf_counter() - t0, done.returncode, done.stdout, done.stderr)


def must(what: str, result: Result) -> Result:
    if result.returncode != 0:
        raise CheckFailed(f"{what}: exit {result.returncode}\n{result.stdout[-1500:]}"
                          f"{result.stderr[-3000:]}")
    print(f"  ok  {what} ({result.seconds:.2f} s)")
    return result


def smoke(cmd: list[str], env: dict[str, str], cwd: Path, out: Path,
          timeout: float = 300) -> tuple[float, float, str]:
    """Run ``cmd --smoke-test OUT``: (seconds until the window showed, seconds in all,
    the smoke test's last line)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cmd, "--smoke-test", str(out)], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    shown = None
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.rstrip())
        if shown is None and "window shown" in line:
            shown = time.perf_counter() - t0
    try:
        err = proc.stderr.read() if proc.stderr else ""
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise CheckFailed(f"smoke test of {cmd[0]} did not finish in {timeout} s") from None
    total = time.perf_counter() - t0
    if code != 0 or shown is None or not out.is_file():
        raise CheckFailed(f"smoke test of {cmd[0]}: exit {code}\n" + "\n".join(lines)
                          + "\n" + err[-3000:])
    return shown, total, lines[-1] if lines else ""


@contextlib.contextmanager
def xvfb():
    """An Xvfb server of our own; yields its DISPLAY (":N")."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise CheckFailed("Xvfb is missing (Debian/Ubuntu: apt-get install xvfb; "
                          "make check-bundle installs it when it can)")
    read, write = os.pipe()
    proc = subprocess.Popen([binary, "-displayfd", str(write), "-screen", "0", "1440x900x24",
                             "-nolisten", "tcp"], pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        raise CheckFailed("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def report_failure(e: CheckFailed) -> int:
    print(f"FAILED: {e}", file=sys.stderr)
    return 1
