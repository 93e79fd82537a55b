"""MAC-Net's vocabulary: token strings <-> ids, and the fallback for unseen steps.

See :mod:`composer.generation.macnet.grid` for what the tokens mean. Stored as JSON
(``vocab.json`` in the model folder), never pickled.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from composer.generation.macnet.grid import (
    BAR,
    END,
    HOLD,
    METER_PREFIX,
    RES_PREFIX,
    REST,
    meter_token,
    res_token,
    split_step,
    state_pitches,
)
from composer.nn.errors import ModelFileError

PAD, UNK = "<pad>", "<unk>"
SPECIALS = (PAD, END, BAR, UNK)
VOCAB_FORMAT = "composer-macnet-vocab/1"


class MacnetVocab:
    """Token strings <-> ids: the specials, the meters, the resolutions, then the
    grid steps seen in training (at least twice; rarer ones are ``<unk>`` there).

    **Fallback for unseen steps.** A step not in the vocabulary is encoded as the
    *nearest* step that is (:meth:`nearest`): melody kept if possible, then the
    accompaniment whose pitch classes overlap most. For likelihoods it is scored as
    ``<unk>`` times the probability of its two parts under part unigrams from training
    (:meth:`unk_cost`), a proper (sub-)distribution, so reported NLLs stay honest.
    """

    def __init__(self, meters: Sequence[str], resolutions: Sequence[int], steps: Sequence[str],
                 part_counts: dict[str, dict[str, int]] | None = None):
        self.meters = tuple(meters)
        self.resolutions = tuple(int(r) for r in resolutions)
        self.steps = tuple(steps)
        self.tokens: tuple[str, ...] = (SPECIALS + self.meters
                                        + tuple(res_token(r) for r in self.resolutions)
                                        + self.steps)
        self._ids = {t: i for i, t in enumerate(self.tokens)}
        if len(self._ids) != len(self.tokens):
            raise ValueError("vocabulary has repeated tokens")
        self.pad, self.end, self.bar, self.unk = (self._ids[s] for s in SPECIALS)
        self.meter_base = len(SPECIALS)
        self.res_base = self.meter_base + len(self.meters)
        self.step_base = self.res_base + len(self.resolutions)
        self.part_counts = part_counts or {"melody": {}, "accompaniment": {}}
        self._near_cache: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.tokens)

    def id(self, token: str) -> int | None:
        return self._ids.get(token)

    def meter_id(self, numerator: int, denominator: int) -> int | None:
        return self._ids.get(meter_token(numerator, denominator))

    def encode(self, tokens: Iterable[str], fallback: str = "nearest") -> list[int]:
        """Ids of ``tokens``; unseen steps become their :meth:`nearest` step
        (``fallback="nearest"``) or ``<unk>`` (``"unk"``). Unknown meters and
        resolutions raise ``KeyError``."""
        out = []
        for t in tokens:
            i = self._ids.get(t)
            if i is None:
                if t.startswith((METER_PREFIX, RES_PREFIX)):
                    raise KeyError(t)
                i = self.unk if fallback == "unk" else self._ids[self.nearest(t)]
            out.append(i)
        return out

    def nearest(self, step: str) -> str:
        """The vocabulary step closest to ``step`` (see the class docstring)."""
        if step in self._ids:
            return step
        if step not in self._near_cache:
            mel, acc = split_step(step)
            self._near_cache[step] = min(
                self.steps, key=lambda s: (_part_distance(mel, split_step(s)[0], melody=True)
                                           + _part_distance(acc, split_step(s)[1], False)))
        return self._near_cache[step]

    def unk_cost(self, step: str) -> float:
        """Extra NLL (nats) of an unseen ``step`` after ``<unk>``: -log of its melody
        and accompaniment parts under add-one part unigrams. A part state never seen
        shares the add-one mass: a set of ``k`` pitches gets ``2**-k / C(128, k)`` of
        it, so the unseen states sum to at most that mass."""
        cost = 0.0
        for part, state in zip(("melody", "accompaniment"), split_step(step)):
            counts = self.part_counts.get(part, {})
            total = sum(counts.values()) + len(counts) + 1
            if state in counts:
                cost -= math.log((counts[state] + 1) / total)
            else:
                k = max(1, len(state_pitches(state)))
                cost += math.log(total) + k * math.log(2) + math.log(math.comb(128, k))
        return cost

    def to_json(self) -> dict:
        return {"format": VOCAB_FORMAT, "specials": list(SPECIALS), "meters": list(self.meters),
                "resolutions": list(self.resolutions), "steps": list(self.steps),
                "part_counts": self.part_counts}

    def save(self, path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path) -> MacnetVocab:
        """Read ``vocab.json``; raises :class:`~composer.nn.errors.ModelFileError`."""
        path = Path(path)
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise ModelFileError(path, "vocabulary file is missing") from None
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise ModelFileError(path, f"vocabulary file is unusable ({e})") from None

    @classmethod
    def from_json(cls, data: object) -> MacnetVocab:
        """Raises ``ValueError`` with a plain reason when ``data`` is not a vocabulary."""
        if not isinstance(data, dict) or data.get("format") != VOCAB_FORMAT:
            raise ValueError(f"not a MAC-Net vocabulary (format {VOCAB_FORMAT})")
        if data.get("specials") != list(SPECIALS):
            raise ValueError(f"special tokens {data.get('specials')} are not {list(SPECIALS)}")
        meters, steps = data.get("meters"), data.get("steps")
        resolutions = data.get("resolutions")
        if not (isinstance(meters, list) and isinstance(steps, list)
                and all(isinstance(t, str) for t in meters + steps)):
            raise ValueError("'meters' and 'steps' must be lists of strings")
        if not (isinstance(resolutions, list) and resolutions
                and all(isinstance(r, int) and r > 0 and 12 % r == 0 for r in resolutions)):
            raise ValueError("'resolutions' must list steps per quarter dividing 12")
        for t in steps:
            mel, sep, acc = t.partition("|")
            if not sep or not all(_valid_state(s) for s in (mel, acc)):
                raise ValueError(f"not a grid step: {t!r}")
        counts = data.get("part_counts") or {}
        return cls(meters, resolutions, steps, counts if isinstance(counts, dict) else None)


def _valid_state(state: str) -> bool:
    if state in (REST, HOLD):
        return True
    try:
        return all(0 <= int(p) <= 127 for p in state.split("."))
    except ValueError:
        return False


def _part_distance(a: str, b: str, melody: bool) -> float:
    """How far part state ``b`` is from ``a``: a different kind (rest/hold/strike)
    costs most; between strikes, the melody compares its top pitch and the number of
    notes, the accompaniment its pitch classes and bass."""
    if a == b:
        return 0.0
    kinds = (a if a in (REST, HOLD) else "x", b if b in (REST, HOLD) else "x")
    if kinds[0] != kinds[1]:
        return 1000.0
    pa, pb = state_pitches(a), state_pitches(b)
    if melody:
        return 100.0 * abs(pa[-1] - pb[-1]) + abs(len(pa) - len(pb))
    ca, cb = {p % 12 for p in pa}, {p % 12 for p in pb}
    return 12.0 * len(ca ^ cb) + abs(pa[0] - pb[0]) + abs(len(pa) - len(pb))
