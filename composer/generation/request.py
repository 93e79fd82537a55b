"""What a continuation is asked for and what it yields: plain data shared by the
engine, the CLI and the window's worker. No torch here, so the window can build
requests without loading a model.

Times are ticks of the :class:`~composer.music.score.Score` (480 per quarter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from composer.music.score import ChordSymbol, KeyChange, Note, Score

MODES = ("replace", "insert")
TASKS = ("continue", "fill", "accompany")
"""What a request asks for: new bars after the selection (``continue``), the selected
bars written anew between what comes before and after them (``fill``), or chords
under the selected melody (``accompany``)."""


@dataclass(frozen=True, slots=True)
class Selection:
    """A time range ``[start, end)`` in ticks and the tracks it covers (track names;
    empty means every track). ``start`` is bar-aligned; ``end`` need not be (the
    engine completes the bar first)."""

    start: int
    end: int
    tracks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sampling:
    """Sampling parameters. ``top_k`` 0 and ``top_p`` 1.0 switch those filters off;
    ``seed`` ``None`` draws a fresh seed (reported back in :class:`Take`)."""

    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class Controls:
    """What the new bars must follow.

    ``chords``: per new bar (in order), the chord symbols it holds, spread evenly over
    the bar (``("G",)``: G from its start; ``("G", "C")``: G, then C at the half bar);
    ``None`` for a bar leaves it to the model; bars past the list are free. ``key``: the
    key the new bars are written in (``None``: the tune's; the tune's key comes back
    after them). ``end_on_tonic``: the last new note is a note of the tonic chord,
    starting on a beat."""

    chords: tuple[tuple[str, ...] | None, ...] = ()
    key: KeyChange | None = None
    end_on_tonic: bool = False

    @property
    def any(self) -> bool:
        return bool(self.chords) or self.key is not None or self.end_on_tonic


@dataclass(frozen=True, slots=True)
class ContinueRequest:
    """Ask model ``model`` for new music in ``score`` (one request, several takes).

    ``task`` ``"continue"`` writes ``bars`` bars after ``selection``: ``mode``
    ``"replace"`` overwrites the bars after it, ``"insert"`` moves later music right.
    ``"fill"`` writes the selected bars anew between the music before and after them
    (``bars`` and ``mode`` are not used). ``"accompany"`` writes chords (or the
    accompaniment track) under the selected melody, which stays. ``context`` also
    feeds everything before the selection to the model; ``controls`` are what the new
    bars must follow (:class:`Controls`).
    """

    score: Score
    selection: Selection
    bars: int
    model: str
    sampling: Sampling = field(default_factory=Sampling)
    variations: int = 1
    mode: str = "replace"
    context: bool = False
    task: str = "continue"
    controls: Controls = field(default_factory=Controls)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, not {self.task!r}")


@dataclass(frozen=True, slots=True)
class TakeProgress:
    """Streamed while decoding: everything decoded so far for one variation.

    ``notes`` maps a track name to its new notes (absolute ticks, starting at the
    selection's end); ``bars_done`` counts complete new bars; ``done`` is true for
    the last progress of this variation.
    """

    variation: int
    notes: dict[str, tuple[Note, ...]]
    chords: tuple[ChordSymbol, ...] = ()
    bars_done: int = 0
    done: bool = False


@dataclass(frozen=True, slots=True)
class Take:
    """One finished variation: ``score`` is the whole tune with the take applied
    (ready to become the document, one undo step); ``start``/``end`` are the ticks
    the new bars occupy; ``seed`` reproduces it. ``bars`` counts the bars written
    (a completed first bar included); ``complete`` is false for the finished bars of
    a variation stopped early; ``mode`` is the request's (``"insert"``: the new bars
    were opened at ``start``; ``"replace"``: they overwrote ``[start, end)``)."""

    variation: int
    score: Score
    start: int
    end: int
    seed: int
    bars: int = 0
    complete: bool = True
    mode: str = "replace"

    @property
    def edited(self) -> tuple[int, int, int]:
        """``(start, old_end, new_end)``: the score's ticks ``[start, old_end)``
        became ``[start, new_end)`` of the take's score."""
        return (self.start, self.start if self.mode == "insert" else self.end, self.end)
