"""``composer`` entry point.

``composer`` or ``composer FILE`` opens the window; ``composer COMMAND ...`` runs a
subcommand. Each subcommand lives in its own module under :mod:`composer.cli` with
``add_parser(subparsers)`` and ``run(args) -> int``. Errors of the core become one
line on stderr and exit status 2; nothing prints a traceback at a user. Warnings of
the core (an ABC length rounded to whole ticks) become ``warning: FILE:LINE:COLUMN:
reason`` lines on stderr and the command goes on (:mod:`composer.cli.reading`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

from composer import __version__
from composer.cli.errors import CliError
from composer.music.errors import MusicError

# Subcommand name -> module under composer.cli.
COMMANDS = {
    "convert": "composer.cli.convert",
    "info": "composer.cli.info",
    "continue": "composer.cli.continue_",
    "models": "composer.cli.models",
    "train": "composer.cli.train",
    "eval": "composer.cli.eval",
    "render": "composer.cli.render",
    "inspect": "composer.cli.inspect_",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="composer",
        description="Write music together with a neural network. "
        "Without a command, opens the window (optionally on FILE).",
    )
    parser.add_argument("--version", action="version", version=f"composer {__version__}")
    parser.add_argument("--smoke-test", metavar="OUT.mid", nargs="?", const="",
                        help="open the window on an example, continue it with the default "
                        "model, write a MIDI file (OUT.mid or a temporary one) and quit: "
                        "0 if everything works")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for _name, module in COMMANDS.items():
        importlib.import_module(module).add_parser(sub)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exception types whose message is for the user, from the packages that are
    importable (the core's typed errors)."""
    errors: list[type[BaseException]] = [MusicError, CliError]
    for module, name in (
        ("composer.nn.errors", "ModelError"),
        ("composer.generation.errors", "GenerationError"),
        ("composer.audio.errors", "AudioError"),
    ):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(importlib.import_module(module), name))
    return tuple(errors)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        from composer.ui.app import run_app

        return run_app(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.smoke_test is not None:
        from composer.ui.smoke import run as smoke_test

        return smoke_test(args.smoke_test or None)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("composer: interrupted", file=sys.stderr)
        return 130
    except _user_errors() as e:
        print(f"composer {args.command}: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
