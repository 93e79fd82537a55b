"""The wheel's acceptance check, with numbers: ``python packaging/check_wheel.py``
(``make check-wheel``).

1. ``python -m build --wheel`` from the checkout (the models and resources go inside, as
   ``composer/_data/``);
2. a fresh venv, torch's CPU build first (``torch==2.13.0``: a bare ``torch`` would pull
   a multi-GB CUDA build), then the wheel;
3. from an empty folder, with only the new venv on PATH: ``composer --version``,
   ``composer models`` lists the three models from inside site-packages, ``composer
   continue`` continues an example tune, and the window's smoke test runs offscreen.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from checks import ROOT, CheckFailed, must, report_failure, run, smoke

TORCH = "torch==2.13.0"
MODELS = {"folk-abc", "macnet-folk", "piano-lstm"}
MB = 1024 * 1024


def build_wheel(out: Path) -> Path:
    t0 = time.perf_counter()
    try:
        import build  # noqa: F401
        cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)]
    except ImportError:
        print("  --  the 'build' package is missing (pip install build): using pip wheel")
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise CheckFailed(f"building the wheel failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    (wheel,) = out.glob("composer-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    inside = [n for n in names if n.startswith("composer/_data/models/")
              and n.endswith("model.safetensors")]
    print(f"  ok  {' '.join(cmd[1:4])}: {wheel.name}, {wheel.stat().st_size / MB:.1f} MB, "
          f"{len(names)} files, {len(inside)} models inside ({time.perf_counter() - t0:.1f} s)")
    if len(inside) != len(MODELS):
        raise CheckFailed(f"the wheel holds {len(inside)} models: {inside}")
    return wheel


def check() -> int:
    work = Path(tempfile.mkdtemp(prefix="composer-check-wheel-"))
    print(f"wheel check in {work}")
    wheel = build_wheel(work / "dist")
    venv = work / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    must("python -m venv (fresh)", run([base, "-m", "venv", str(venv)], dict(os.environ), work))
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
           "--disable-pip-version-check"]
    must(f"pip install {TORCH}", run([*pip, TORCH], dict(os.environ), work, timeout=1200))
    must(f"pip install {wheel.name}", run([*pip, str(wheel)], dict(os.environ), work,
                                          timeout=1200))

    home = work / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
           "QT_QPA_PLATFORM": "offscreen"}
    composer = str(venv / "bin" / "composer")
    version = must("composer --version", run([composer, "--version"], env, work))
    print(f"      {version.stdout.strip()}")
    listed = must("composer models", run([composer, "models"], env, work))
    print("      " + "\n      ".join(listed.stdout.strip().splitlines()[:1]))
    models = json.loads(run([composer, "models", "--json"], env, work).stdout)
    site = venv / "lib"
    names = {m["name"] for m in models}
    if names != MODELS or any(m["problem"] or not Path(m["path"]).is_relative_to(site)
                              for m in models):
        raise CheckFailed(f"composer models: {[(m['name'], m['path']) for m in models]}")
    print(f"      {', '.join(sorted(names))}, all under {site}")
    examples = Path(json.loads(run(
        [str(venv / "bin" / "python"), "-c",
         "import json, composer.paths as p; print(json.dumps(str(p.examples_dir())))"],
        env, work).stdout))
    if not examples.is_relative_to(site):
        raise CheckFailed(f"the examples are read from {examples}, not from the wheel")
    tune = examples / "lamplighters-jig.abc"
    out = work / "more.abc"
    cont = must("composer continue lamplighters-jig.abc --bars 4",
                run([composer, "continue", str(tune), "--bars", "4", "--seed", "7",
                     "--variations", "2", "-o", str(out)], env, work))
    if out.read_text(encoding="utf-8").count("X:") != 2:
        raise CheckFailed(f"composer continue: expected 2 takes in {out}\n{cont.stdout}")
    print(f"      {cont.stdout.strip().splitlines()[-1] if cont.stdout.strip() else out}")
    shown, total, line = smoke([composer], env, work, work / "smoke.mid")
    print(f"  ok  composer --smoke-test (offscreen): window after {shown:.2f} s, "
          f"done in {total:.1f} s")
    print(f"      {line}")
    print(f"wheel: all checks passed ({wheel.name}, {wheel.stat().st_size / MB:.1f} MB)")
    shutil.rmtree(venv, ignore_errors=True)
    return 0


def main() -> int:
    try:
        return check()
    except CheckFailed as e:
        return report_failure(e)


if __name__ == "__main__":
    sys.exit(main())
