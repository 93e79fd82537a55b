"""The classical baseline of issue 3: a character n-gram model (interpolated
Kneser-Ney, absolute discount 0.75) trained on the Nottingham ``train`` split and scored
with the same metric as ``composer eval`` (each tune's body and end mark given its
header; bits per character on ``test``).

    python bench/ngram_baseline.py [--order 4] [--split test]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import require_nottingham  # noqa: E402
from composer.training.corpus import load_splits, read_tunes, select  # noqa: E402

BOS, EOS = "\x02", "\x03"
DISCOUNT = 0.75


class KneserNey:
    """Interpolated Kneser-Ney over characters; contexts of up to ``order - 1``."""

    def __init__(self, texts: list[str], order: int):
        self.order = order
        self.counts = [defaultdict(Counter) for _ in range(order)]  # [n][context][char]
        for text in texts:
            padded = BOS * (order - 1) + text
            for i in range(order - 1, len(padded)):
                for n in range(order):
                    self.counts[n][padded[i - n:i]][padded[i]] += 1
        # Lower orders use continuation counts: how many contexts a char follows.
        self.cont = [defaultdict(Counter) for _ in range(order)]
        for n in range(1, order):
            for ctx, chars in self.counts[n].items():
                for c in chars:
                    self.cont[n - 1][ctx[1:]][c] += 1
        self.vocab = set(self.counts[0][""]) | {EOS}
        self.totals = [{ctx: sum(ch.values()) for ctx, ch in table.items()}
                       for table in self.counts]
        self.cont_totals = [{ctx: sum(ch.values()) for ctx, ch in table.items()}
                            for table in self.cont]

    def prob(self, context: str, char: str) -> float:
        p = 1.0 / (len(self.vocab) + 1)  # uniform floor (+1: unseen characters)
        for n in range(self.order):
            ctx = context[len(context) - n:] if n else ""
            top = n == self.order - 1
            table = self.counts[n] if top else self.cont[n]
            totals = self.totals[n] if top else self.cont_totals[n]
            chars = table.get(ctx)
            if not chars:
                continue
            total = totals[ctx]
            p = (max(chars.get(char, 0) - DISCOUNT, 0) + DISCOUNT * len(chars) * p) / total
        return p


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--order", type=int, default=4)
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    data = require_nottingham()
    tunes = read_tunes([data / "abc"])
    splits = load_splits(data / "splits.json")
    train = [t.text + EOS for t in select(tunes, splits, "train")]
    model = KneserNey(train, args.order)
    bits = chars = 0
    for tune in select(tunes, splits, args.split):
        text = BOS * (args.order - 1) + tune.header + tune.body + EOS
        start = args.order - 1 + len(tune.header)
        for i in range(start, len(text)):
            bits -= math.log2(model.prob(text[i - args.order + 1:i], text[i]))
            chars += 1
    print(f"character {args.order}-gram (interpolated Kneser-Ney) on {args.split}: "
          f"{bits / chars:.4f} bits per character over {chars} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
