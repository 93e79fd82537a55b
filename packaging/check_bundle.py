"""The bundle's acceptance checks, with numbers: ``python packaging/check_bundle.py
[dist/composer]`` (``make check-bundle``; needs Xvfb).

The bundle runs in an empty environment (``env -i HOME=<new folder> DISPLAY=<our Xvfb>``:
no venv, no Python and nothing else on PATH) from an empty folder:

0. no CUDA library, C++ header or torch test folder is inside;
1. ``composer --version`` and ``composer models`` (the three shipped models, from inside
   the bundle);
2. the CLI converts an example tune to MIDI and a MusicXML file to ABC, continues the
   ABC with the default model and the MIDI with ``macnet-folk``;
3. the window under Xvfb: ``composer --smoke-test OUT.mid`` opens an example, continues
   it with the default model, draws the sheet music, writes a MIDI file and quits 0;
4. start-up: the same smoke test through the venv (``.venv/bin/composer``), each twice,
   timed from launch to the window on screen; ``--version`` timed both ways.

Then the bundle's size and its biggest parts. Exit 0 if every check passed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from bundle_size import MB, sizes
from checks import EXAMPLES, ROOT, CheckFailed, must, report_failure, run, smoke, xvfb

MODELS = {"folk-abc", "macnet-folk", "piano-lstm"}
CUDA_LIBRARY = re.compile(r"^(lib)?(cuda|cudart|cudnn|cublas|cufft|curand|cusparse|cusolver|"
                          r"nccl|nvrtc|nvjitlink|cupti|torch_cuda|c10_cuda)", re.IGNORECASE)
LIBRARY = re.compile(r"\.(so(\.|$)|dll$|dylib$)")


def check(bundle: Path) -> int:
    program = bundle / "composer"
    if not program.is_file():
        raise CheckFailed(f"no bundle at {bundle} (make bundle)")
    venv_program = ROOT / ".venv" / "bin" / "composer"
    work = Path(tempfile.mkdtemp(prefix="composer-check-bundle-"))
    home = work / "home"
    home.mkdir()
    env = {"HOME": str(home)}  # and nothing else: no PATH, no venv, no Python
    tune = EXAMPLES / "willow-waltz.abc"

    print(f"bundle {bundle}, run as: env -i HOME={home} {program} ... (cwd {work})")
    unwanted = [p.relative_to(bundle) for p in bundle.rglob("*")
                if (CUDA_LIBRARY.match(p.name) and LIBRARY.search(p.name)) or "nvidia" in p.parts
                or p.suffix in (".h", ".hpp", ".cuh")
                or (p.name in ("test", "include") and p.parent.name == "torch")]
    if unwanted:
        raise CheckFailed(f"CUDA libraries, headers or tests in the bundle: {unwanted[:10]}")
    print("  ok  no CUDA libraries, C++ headers or torch tests inside")
    version = must("composer --version", run([str(program), "--version"], env, work))
    print(f"      {version.stdout.strip()}")
    listed = must("composer models --json", run([str(program), "models", "--json"], env, work))
    models = json.loads(listed.stdout)
    names = {m["name"] for m in models}
    if names != MODELS or any(m["problem"] for m in models):
        raise CheckFailed(f"composer models: {names} (problems: "
                          f"{[m['problem'] for m in models if m['problem']]})")
    outside = [m["path"] for m in models if not Path(m["path"]).is_relative_to(bundle)]
    if outside:
        raise CheckFailed(f"models found outside the bundle: {outside}")
    print(f"      {', '.join(sorted(names))} (inside the bundle)")
    mid = work / "waltz.mid"
    must("composer convert waltz.abc waltz.mid",
         run([str(program), "convert", str(tune), str(mid)], env, work))
    cont = must("composer continue waltz.abc --bars 4 (folk-abc)",
                run([str(program), "continue", str(tune), "--bars", "4", "--seed", "7",
                     "-o", str(work / "more.abc")], env, work))
    if "X:" not in (work / "more.abc").read_text(encoding="utf-8"):
        raise CheckFailed(f"composer continue wrote no tune: {cont.stdout}{cont.stderr}")
    musicxml = ROOT / "tests" / "fixtures" / "little.musicxml"
    must("composer convert little.musicxml little.abc (music21)",
         run([str(program), "convert", str(musicxml), str(work / "little.abc")], env, work))
    must("composer continue waltz.mid --bars 4 --model macnet-folk",
         run([str(program), "continue", str(mid), "--bars", "4", "--seed", "7", "--model",
              "macnet-folk", "-o", str(work / "more.mid")], env, work))

    with xvfb() as display:
        genv = {**env, "DISPLAY": display}
        rows = []
        for label, cmd, e in (("bundle", [str(program)], genv),
                              ("venv", [str(venv_program)], genv)):
            if label == "venv" and not venv_program.is_file():
                print("  --  no .venv: start-up not compared (make run first)")
                continue
            runs = []
            for i in (1, 2):
                out = work / f"smoke-{label}-{i}.mid"
                shown, total, line = smoke(cmd, e, work, out)
                runs.append((shown, total))
                print(f"  ok  {label} smoke test {i}: window after {shown:.2f} s, "
                      f"done in {total:.2f} s")
                print(f"      {line}")
            v = run([*cmd, "--version"], e, work)
            rows.append((label, runs, v.seconds))

    total, parts = sizes(bundle)
    print()
    print(f"size: {total / MB:.0f} MB in {bundle}; the biggest parts:")
    for key, size in parts.most_common(10):
        print(f"  {size / MB:7.1f} MB  {key}")
    print()
    print("start-up (launch -> window shown, under Xvfb; 1st run / 2nd run), --version:")
    for label, runs, v in rows:
        print(f"  {label:<7} {runs[0][0]:5.2f} s / {runs[1][0]:5.2f} s   --version {v:.2f} s"
              f"   smoke test in all {runs[0][1]:.1f} s / {runs[1][1]:.1f} s")
    print("bundle: all checks passed")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / "composer")
    args = p.parse_args(argv)
    try:
        return check(args.bundle.resolve())
    except CheckFailed as e:
        return report_failure(e)


if __name__ == "__main__":
    sys.exit(main())
