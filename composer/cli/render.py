"""``composer render IN OUT.wav``: a tune to a WAV file through FluidSynth, offline
(no sound device needed). The WAV is written atomically: complete or absent."""

from __future__ import annotations

from pathlib import Path

from composer.cli.errors import CliError
from composer.cli.options import add_tune_options, tune_selection
from composer.cli.reading import read_input


def add_parser(sub) -> None:
    p = sub.add_parser(
        "render", help="render a tune to a WAV file with FluidSynth",
        description="Render IN (.abc, .mid, .midi, .musicxml, .xml, .mxl) to OUT.wav: repeats "
        "played, chord symbols as an accompaniment, 44.1 kHz 16-bit stereo. Needs "
        "libfluidsynth and a SoundFont, not a sound device.",
    )
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT.wav")
    add_tune_options(p)
    p.add_argument("--soundfont", metavar="F",
                   help="a .sf2 file (default: the bundled TimGM6mb, then the system's GM font)")
    p.add_argument("--no-chords", action="store_true", help="leave chord symbols silent")
    p.add_argument("--tempo", type=float, default=1.0, metavar="X",
                   help="play X times as fast as written (0.25-4, default 1)")
    p.add_argument("--sample-rate", type=int, default=44100, metavar="HZ")
    p.set_defaults(run=run)


def run(args) -> int:
    out = Path(args.output)
    if out.suffix.lower() != ".wav":
        raise CliError(f"cannot write {out.name}: the output must be a .wav file")
    if not 8000 <= args.sample_rate <= 192000:
        raise CliError(f"--sample-rate {args.sample_rate}: use 8000 to 192000 Hz")
    if not 0.25 <= args.tempo <= 4:
        raise CliError(f"--tempo {args.tempo}: use 0.25 to 4")
    score = read_input(args.input, **tune_selection(args))
    from composer.audio.render import render_to_wav

    render_to_wav(score, out, soundfont=args.soundfont, sample_rate=args.sample_rate,
                  chords=None if args.no_chords else "pattern", tempo_factor=args.tempo)
    return 0
