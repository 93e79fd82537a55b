"""Character vocabularies for text models, stored as JSON (never pickled).

Token ids: the special tokens first (``<bos>`` begins a tune, ``<eos>`` ends it,
``<unk>`` stands for any character not in the vocabulary), then one id per character
in the order given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from composer.nn.errors import IncompatibleModelError, ModelFileError

BOS, EOS, UNK = "<bos>", "<eos>", "<unk>"
SPECIALS = (BOS, EOS, UNK)
FORMAT = "composer-char-vocab/1"


class CharVocab:
    """Maps characters to token ids and back."""

    def __init__(self, chars: Sequence[str]):
        chars = list(chars)
        for c in chars:
            if len(c) != 1:
                raise ValueError(f"vocabulary entries must be single characters, not {c!r}")
        if len(set(chars)) != len(chars):
            raise ValueError("vocabulary has repeated characters")
        self.chars: tuple[str, ...] = tuple(chars)
        self.tokens: tuple[str, ...] = SPECIALS + self.chars
        self._ids = {c: i for i, c in enumerate(self.tokens)}
        self.bos = self._ids[BOS]
        self.eos = self._ids[EOS]
        self.unk = self._ids[UNK]

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> CharVocab:
        """The vocabulary of every character in ``texts``, sorted by code point."""
        seen: set[str] = set()
        for t in texts:
            seen.update(t)
        return cls(sorted(seen))

    def __len__(self) -> int:
        return len(self.tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharVocab) and other.tokens == self.tokens

    def __hash__(self) -> int:
        return hash(self.tokens)

    def id(self, char: str) -> int:
        """The id of ``char`` (``<unk>``'s id for an unknown character)."""
        return self._ids.get(char, self.unk)

    def encode(self, text: str) -> list[int]:
        get, unk = self._ids.get, self.unk
        return [get(c, unk) for c in text]

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ``ids``; special tokens are dropped."""
        n = len(SPECIALS)
        return "".join(self.tokens[i] for i in ids if i >= n)

    def to_json(self) -> dict:
        return {"format": FORMAT, "specials": list(SPECIALS), "chars": list(self.chars)}

    @classmethod
    def from_json(cls, data: object, source: str | Path = "vocab") -> CharVocab:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelFileError(source, f"not a character vocabulary (format {FORMAT})")
        specials = data.get("specials")
        if specials != list(SPECIALS):
            raise IncompatibleModelError("vocabulary special tokens", list(SPECIALS), specials)
        chars = data.get("chars")
        if not isinstance(chars, list) or not all(isinstance(c, str) for c in chars):
            raise ModelFileError(source, "the vocabulary's 'chars' is not a list of characters")
        try:
            return cls(chars)
        except ValueError as e:
            raise ModelFileError(source, str(e)) from None

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> CharVocab:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelFileError(path, "vocabulary file is missing") from None
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise ModelFileError(path, f"vocabulary file is unreadable ({e})") from None
        return cls.from_json(data, path)
