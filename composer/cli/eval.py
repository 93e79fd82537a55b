"""``composer eval``: bits per character of a folk model on ABC tunes, and the quality
of tunes it writes (the JSON other tools read; see issue 3 and
:mod:`composer.training.evaluate`, :mod:`composer.training.samples`)."""

from __future__ import annotations

import json
import sys

from composer.cli.errors import CliError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "eval", help="evaluate a model on ABC tunes",
        description="Score a folk model on ABC tunes (bits per character of each tune's "
                    "body given its header) and judge tunes it writes from their headers.")
    p.add_argument("model", metavar="MODEL_DIR", help="model folder (card.json, weights)")
    p.add_argument("--abc", nargs="+", metavar="PATH",
                   help="ABC files or folders of them (folk models)")
    p.add_argument("--midi", nargs="+", metavar="PATH",
                   help="MIDI files or folders of them (MIDI models: macnet, piano-lstm)")
    p.add_argument("--splits", metavar="FILE", help="JSON file mapping splits to tune ids")
    p.add_argument("--split", metavar="NAME", help="the split to evaluate (default test)")
    p.add_argument("--samples", type=int, default=0, metavar="N",
                   help="write N tunes from the evaluated tunes' headers and judge them")
    p.add_argument("--temperature", type=float, default=1.0, metavar="T")
    p.add_argument("--top-k", type=int, default=0, metavar="K")
    p.add_argument("--top-p", type=float, default=1.0, metavar="P")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="seed of the first sample (sample i uses S + i)")
    p.add_argument("--max-chars", type=int, default=2000, metavar="C",
                   help="character budget of one sample")
    p.add_argument("--save-samples", metavar="FILE", help="write the samples to an ABC file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--write-card", action="store_true",
                   help="also record the result in the model card's metrics (under the "
                        "split's name)")
    p.set_defaults(run=run)



def _check(args) -> None:
    if args.split and not args.splits:
        raise CliError("--split needs --splits FILE")
    if args.samples < 0:
        raise CliError("--samples must be 0 or more")
    if not args.temperature > 0:
        raise CliError("--temperature must be positive")
    if args.top_k < 0 or not 0 < args.top_p <= 1:
        raise CliError("--top-k must be >= 0 and --top-p in (0, 1]")
    if args.max_chars < 16:
        raise CliError("--max-chars must be at least 16")


def run(args) -> int:
    from composer.generation.loading import load_checkpoint

    if not args.abc and not args.midi:
        raise CliError("give --abc PATH... (folk models) or --midi PATH... (MIDI models)")
    ckpt = load_checkpoint(args.model)
    kind = _kind(ckpt.kind)
    wanted = "abc" if args.abc else "midi"
    if kind.data != wanted:
        raise CliError(f"{args.model} is a {kind.title}: it is evaluated on "
                       f"{'--abc' if kind.data == 'abc' else '--midi'} files")
    if kind.data == "midi":
        return _run_midi(args, ckpt, kind)
    _check(args)
    from composer.generation.request import Sampling
    from composer.training.corpus import load_splits, read_tunes, select
    from composer.training.evaluate import score_tunes

    tunes = read_tunes(args.abc)
    if args.splits:
        tunes = select(tunes, load_splits(args.splits), args.split or "test")
    if not tunes:
        raise CliError("no tunes to evaluate")
    score = score_tunes(ckpt.model, ckpt.vocab, tunes)
    result = {"bits_per_char": round(score.bits_per_char, 4), "tunes": score.tunes,
              "chars": score.chars,
              "samples": {"n": 0, "parsed": 0, "bars": 0, "bars_correct_length": 0,
                          "key_kept": 0}}
    report = None
    if args.samples:
        from composer.generation.folk.sampler import AbcSampler
        from composer.training.samples import out_of_key_rate, sample_tunes

        rate = ckpt.card.data.get("out_of_key_rate")
        if not isinstance(rate, int | float):
            rate = out_of_key_rate(t.text for t in tunes)
        sampler = AbcSampler(ckpt.model, ckpt.vocab)
        sampling = Sampling(args.temperature, args.top_k, args.top_p, args.seed)
        report = sample_tunes(sampler, tunes, args.samples, sampling, rate, args.max_chars)
        result["samples"] = report.to_json()
        if args.save_samples:
            from composer.music.atomic import atomic_write

            atomic_write(args.save_samples, "\n".join(report.texts))
    if args.write_card:
        from composer.nn.checkpoint import record_metrics

        record_metrics(args.model, (args.split or "test") if args.splits else "given_tunes",
                       result, {"temperature": args.temperature, "top_k": args.top_k,
                        "top_p": args.top_p, "seed": args.seed, "max_chars": args.max_chars})
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{score.tunes} tunes, {score.chars} characters: "
          f"{score.bits_per_char:.4f} bits per character")
    if score.unknown_chars:
        print(f"  ({score.unknown_chars} characters the model does not know scored as <unk>)")
    if report is not None:
        s = result["samples"]
        print(f"{s['n']} samples: {s['parsed']} read back, {s['bars_correct_length']} of "
              f"{s['bars']} bars the right length ({report.excused_bars} pickups or "
              f"last bars), {s['key_kept']} keep the key (reference rate of notes outside "
              f"the key {report.out_of_key_rate:.3%})", file=sys.stdout)
    return 0


def _kind(name: str):
    from composer.generation.kinds import UnknownKindError, model_kind

    try:
        return model_kind(name)
    except UnknownKindError as e:
        raise CliError(f"cannot evaluate {e}") from None


def _run_midi(args, ckpt, kind) -> int:
    """A MIDI model's metrics on MIDI files (a split of them with ``--splits``): NLL per
    token, and for MAC-Net the frame NLL bound (nats per eighth-note frame)."""
    from composer.training.source import DataSource

    module = kind.recipe_module()
    files = module.test_files(DataSource(tuple(args.midi), args.splits), args.split)
    scores = module.score_pieces(ckpt.model, ckpt.vocab, files)
    split = (args.split or "test") if args.splits else None
    result = dict({"kind": kind.name, "split": split}, **scores.to_json())
    if args.write_card:
        from composer.nn.checkpoint import record_metrics

        record_metrics(args.model, split or "given_pieces", result, {})
    if args.json:
        print(json.dumps(result))
        return 0
    line = (f"{result['pieces']} pieces, {result['tokens']} tokens: "
            f"{result['nll_per_token']:.4f} nats per token")
    if "frame_nll" in result:
        line += (f"; {result['frames']} eighth-note frames: {result['frame_nll']:.4f} nats "
                 "per frame (upper bound)")
    print(line)
    for reason in result.get("skipped", []):
        print(f"  skipped {reason}")
    return 0
