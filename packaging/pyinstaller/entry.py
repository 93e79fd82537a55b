"""The bundle's program: ``composer`` exactly as the venv's command, and ``composer -m
composer.MODULE ...`` for the modules Composer starts as processes of their own (the
sheet view runs ``sys.executable -m composer.ui.sheet.engraver``; in a bundle,
``sys.executable`` is this program, not a Python)."""

import runpy
import sys

NOT_IN_BUNDLE = {
    "train": "composer train needs torch's compiler stack, which the app bundle leaves out "
             "to stay small: train from the Python install instead (git clone + make run, "
             "or pip install the wheel)",
}


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] in NOT_IN_BUNDLE:
        print(f"composer: {NOT_IN_BUNDLE[sys.argv[1]]}", file=sys.stderr)
        return 2
    if len(sys.argv) >= 3 and sys.argv[1] == "-m" and sys.argv[2].startswith("composer."):
        module, sys.argv = sys.argv[2], [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    from composer.cli.main import main as composer_main

    return composer_main()


if __name__ == "__main__":
    sys.exit(main())
