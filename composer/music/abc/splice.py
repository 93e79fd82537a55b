"""Edits of a :class:`~composer.music.score.Score` carried into the ABC text the user
wrote, as the smallest change: :func:`splice_abc`.

The text is what the user wrote; the score is what it means. When the score changes
(an accepted take, a note moved in the roll, bars inserted), only the bars whose
music changed are written anew, each in place, in the tune's own style (its ``L:``,
``/2`` or ``/`` halves, spacing, bar lines per line); every other character stays:
comments, ``%%`` directives, decorations, slurs, grace notes, chord-symbol order,
line breaks, field order. New bars go after the bar they follow (on lines of their
own when that bar ends its line); a bar line whose kind changed (a ``:|`` moving to
the end of inserted bars) is rewritten alone.

A rewritten bar keeps what belongs to the place rather than to its old notes: an
ending mark at its start, annotations (``"^Fine"``), navigation marks (``!segno!``),
slurs opened or closed across it, and line breaks (at the nearest group). The
result is read back and compared with the score asked for (notes, chord symbols,
bar lines, endings, parts, meters, keys, tempos): when it differs, or the change
cannot be spliced (a new voice, a changed header), the tune is written anew with
:func:`~.writer.score_to_abc` and :attr:`Splice.reason` says why, so the caller can
tell the user. Ticks are 480 per quarter; character offsets count in the tune text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from composer.music.abc.reader import ParsedTune, parse_abc
from composer.music.abc.style import TuneStyle, tune_style, unit_at, unit_map
from composer.music.abc.writer import BarWriter, score_to_abc
from composer.music.errors import AbcSyntaxError
from composer.music.score import MeterChange, Score

_VOLTA_AT_START = re.compile(r"\[?\d+(?:\s*[,-]\s*\d+)*")
_QUOTED = re.compile(r'"[^"\n]*"')
_NAVIGATION = re.compile(r"!(?:segno|coda|fine|D\.C\.|D\.S\.|dacapo|dacoda|D\.C\.alfine|"
                         r"D\.C\.alcoda|D\.S\.alfine|D\.S\.alcoda|fermata)!")
_LINE_TAIL = re.compile(r"[ \t]*(?:\\[ \t]*)?(?:%[^\n]*)?$")


@dataclass(frozen=True, slots=True)
class Splice:
    """The new tune text. ``spliced`` is true when only the edited bars changed (and
    ``bars`` counts the bars written or rewritten); otherwise the tune was written
    anew and ``reason`` says why."""

    text: str
    spliced: bool
    reason: str = ""
    bars: int = 0


# --- written bars --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Written:
    start: int  # ticks
    end: int
    content_start: int  # characters
    token_start: int
    token_end: int


def _token_start(text: str, end: int, floor: int) -> int:
    """Where the bar line token ending at ``end`` starts (``end`` if there is none)."""
    i = end
    if i - 1 >= floor and text[i - 1] == "]" and i - 2 >= floor and text[i - 2] == "|":
        i -= 1
    while i - 1 >= floor and text[i - 1] in "|:":
        i -= 1
    if i < end and i - 1 >= floor and text[i - 1] == "[" and text[i] == "|":
        i -= 1
    return i


def _written_bars(full: str, parsed: ParsedTune, voice: str) -> dict[tuple[int, int], _Written]:
    """The written bars of ``voice`` by their ticks."""
    tm = parsed.time_map
    out = {}
    for w in tm.bars:
        if w.voice != voice:
            continue
        token = _token_start(full, w.char_end, w.char_start)
        out[(w.start, w.end)] = _Written(w.start, w.end, w.char_start, token, w.char_end)
    return out


# --- what a bar holds ----------------------------------------------------------------
def _signatures(score: Score, bars: list[tuple[int, int]]) -> list[tuple]:
    """Per bar: its length and everything in it but its closing bar line, relative to
    its start (notes clipped with tie flags, chord symbols in order, fields)."""
    starts = [a for a, _ in bars]
    per_bar: list[list] = [[] for _ in bars]

    def each(ticks, fn):
        for item in ticks:
            t = fn(item)
            i = bisect.bisect_right(starts, t) - 1
            if 0 <= i < len(bars) and t < bars[i][1]:
                yield i, t - bars[i][0], item

    for k, track in enumerate(score.tracks):
        for n in track.notes:
            i = max(0, bisect.bisect_right(starts, n.start) - 1)
            while i < len(bars) and bars[i][0] < n.end:
                a, b = bars[i]
                if b > n.start:
                    per_bar[i].append(("n", k, max(n.start, a) - a, min(n.end, b) - a,
                                       n.pitch, n.start < a, n.end > b))
                i += 1
    for i, rel, c in each(score.chords, lambda c: c.start):
        per_bar[i].append(("c", rel, c.text))
    for i, rel, m in each(score.meters, lambda m: m.tick):
        per_bar[i].append(("m", rel, m.numerator, m.denominator))
    for i, rel, k in each(score.keys, lambda k: k.tick):
        per_bar[i].append(("k", rel, k.tonic, k.mode))
    for i, rel, t in each(score.tempos, lambda t: t.tick):
        per_bar[i].append(("q", rel, round(t.qpm)))
    for i, rel, p in each(score.parts, lambda p: p.tick):
        per_bar[i].append(("p", rel, p.label))
    for i, rel, v in each(score.voltas, lambda v: v.start):
        per_bar[i].append(("v", rel, v.numbers))
    return [(b - a, tuple(sorted(x for x in items if x[0] == "n")),
             tuple(x for x in items if x[0] != "n"))
            for (a, b), items in zip(bars, per_bar)]


def _kinds(score: Score) -> dict[int, str]:
    return {b.tick: b.kind for b in score.barlines}


# --- the splice ------------------------------------------------------------------------
class _CannotSplice(Exception):
    pass


def splice_abc(text: str, new: Score, *, header: str = "",
               edited: tuple[int, int, int] | None = None) -> Splice:
    """``text`` (one tune, read with the file ``header``'s defaults) changed to say
    ``new`` (see the module docstring). ``edited`` ``(start, old_end, new_end)`` says
    which ticks changed when the caller knows (``[start, old_end)`` of the old score
    became ``[start, new_end)``); otherwise the changed bars are found by comparing
    the scores bar by bar. Raises :class:`AbcSyntaxError` if ``text`` does not read."""
    if header and not header.endswith("\n"):
        header += "\n"
    full = header + text
    parsed = parse_abc(full)
    problem = ""
    for ties_alone in (True, False):  # a tie mark changed alone, else the whole bar
        try:
            out, count = _splice(full, len(header), parsed, new, edited, ties_alone)
        except _CannotSplice as e:
            return _rewrite(text, new, str(e))
        if out == full:
            return Splice(text, True, "", 0)
        problem = _check(out, new, header)
        if not problem:
            return Splice(out[len(header):], True, "", count)
    return _rewrite(text, new, problem)


def _rewrite(text: str, new: Score, reason: str) -> Splice:
    from composer.music.abc.tunes import split_tunes

    tunes = split_tunes(text)
    x = tunes[0].x if tunes and tunes[0].x is not None else 1
    return Splice(score_to_abc(new, x=x), False, reason)


def _splice(full: str, header_len: int, parsed: ParsedTune, new: Score,
            edited, ties_alone: bool = True) -> tuple[str, int]:
    old = parsed.score
    tm = parsed.time_map
    voices = list(tm.track_voices) or [tm.main_voice]
    if len(voices) != len(old.tracks):
        raise _CannotSplice("a voice of the tune has no notes")
    if [t.name for t in new.tracks] != [t.name for t in old.tracks]:
        raise _CannotSplice("the change adds or removes a voice")
    for attr in ("meters", "keys", "tempos"):
        a, b = getattr(old, attr)[0], getattr(new.normalized(), attr)[0]
        if _field_key(a) != _field_key(b):
            raise _CannotSplice(f"the tune's {attr[:-1]} at its start changed")
    if old.title != new.title:
        raise _CannotSplice("the title changed")
    old_bars, new_bars = old.bars(), new.bars()
    if not old_bars:
        raise _CannotSplice("the tune has no bars")
    sig0, sig1 = _signatures(old, old_bars), _signatures(new, new_bars)
    prefix, suffix = _region(old_bars, new_bars, sig0, sig1, edited)
    main = tm.main_voice if tm.main_voice in voices else voices[0]
    wbars = {}
    for v in voices:
        written = _written_bars(full, parsed, v)
        wbars[v] = [written.get(b) for b in old_bars]
    units = unit_map(full, parsed, header_len)
    style = tune_style(full, parsed, [w.token_end for w in wbars[main] if w is not None])
    writers: dict[tuple[int, int], BarWriter] = {}
    kinds0, kinds1 = _kinds(old), _kinds(new)
    if kinds0.get(0) != kinds1.get(0):
        raise _CannotSplice("the bar line before the first bar changed")
    edits: list[tuple[int, int, str]] = []
    n0, n1 = len(old_bars), len(new_bars)
    mid0 = list(range(prefix, n0 - suffix))
    mid1 = list(range(prefix, n1 - suffix))
    paired = list(zip(mid0, mid1))
    pairs = [(i, i) for i in range(prefix)] + paired + [
        (n0 - suffix + k, n1 - suffix + k) for k in range(suffix)]
    rewritten = set()
    for i, j in pairs:
        kind0 = kinds0.get(old_bars[i][1])
        kind1 = kinds1.get(new_bars[j][1])
        for k, v in enumerate(voices):
            changed = _voice_part(sig0[i], k, v == main) != _voice_part(sig1[j], k, v == main)
            if not changed and kind0 == kind1:
                continue
            w = wbars[v][i]
            if w is None:
                raise _CannotSplice(f"bar {i + 1} is not written as one bar"
                                    + (f" in voice {v}" if len(voices) > 1 else ""))
            fields = _new_fields(sig0[i], sig1[j]) if v == main else ""
            if fields and _without_fields(sig0[i]) == _without_fields(sig1[j]):
                edits.append((w.content_start, w.content_start, fields))  # a key/meter change
                fields, changed = "", False
            ties = _tie_edits(full, tm, v, old_bars[i], sig0[i], sig1[j], k) \
                if changed and ties_alone else None
            if ties is not None:  # only ties into or out of the bar changed
                edits.extend(ties)
                changed = False
            if changed:
                a, b = new_bars[j]
                unit = unit_at(units, w.content_start)
                content = fields + _content(full, w, new, a, b, unit, style, writers, k,
                                            v == main)
                edits.append((w.content_start, w.token_start,
                              _before_token(content, full[w.token_start: w.token_end])))
                rewritten.add(j)
            if kind0 != kind1 and (v == main or _kind_of(full, w) == (kind0 or "|")):
                edits.append((w.token_start, w.token_end, kind1 or "|"))
    extra_new = mid1[len(paired):]
    extra_old = mid0[len(paired):]
    for k, v in enumerate(voices):
        if extra_new:
            after = paired[-1][0] if paired else prefix - 1
            if after < 0 or wbars[v][after] is None:
                raise _CannotSplice("new bars before the first bar")
            w = wbars[v][after]
            unit = unit_at(units, w.content_start)
            chunks = []
            for j in extra_new:
                a, b = new_bars[j]
                kind = kinds1.get(b) or "|"
                fields = _new_fields((0, (), ()), sig1[j]) if v == main else ""
                chunks.append(fields + _before_token(_content(
                    full, None, new, a, b, unit, style, writers, k, v == main), kind) + kind)
            edits.append(_insertion(full, w, chunks, style))
            rewritten.update(extra_new)
        if extra_old:
            if any(wbars[v][i] is None for i in extra_old):
                raise _CannotSplice("a removed bar is not written as one bar")
            first, last = wbars[v][extra_old[0]], wbars[v][extra_old[-1]]
            gone = full[first.content_start: last.token_end]
            kept = "".join(line + "\n" for line in gone.split("\n")[1:-1]
                           if line.lstrip().startswith("%"))
            edits.append((first.content_start, last.token_end, kept))
    edits.sort()
    for (_a0, b0, _), (a1, _, _) in zip(edits, edits[1:]):
        if a1 < b0:
            raise _CannotSplice("overlapping changes")
    out = full
    for a, b, s in reversed(edits):
        out = out[:a] + s + out[b:]
    return out, len(rewritten)


def _before_token(content: str, token: str) -> str:
    """``content`` ready to stand before bar line ``token``: a note letter right before a
    ``:`` is set off by a space (``FE ::``; music21 drops the notes around ``E::``)."""
    if not token.startswith(":"):
        return content
    music = len(_LINE_TAIL.sub("", content.split("\n")[-1])) if "\n" in content else None
    if music is None:
        return content + " " if content[-1:].isalpha() else content
    # the bar line stands on a line of its own: look at the end of the music before it
    head = content[: content.rfind("\n")]
    last = head.split("\n")[-1]
    tail = _LINE_TAIL.search(last)
    cut = len(head) - len(last) + (tail.start() if tail else len(last))
    if content[cut - 1: cut].isalpha():
        return content[:cut] + " " + content[cut:]
    return content


def _tie_edits(full: str, tm, voice: str, bar: tuple[int, int], sig0: tuple, sig1: tuple,
               track: int) -> list[tuple[int, int, str]] | None:
    """The edits of the tie marks alone when the bar's notes only changed in being tied
    into or out of it (a tie into a bar needs no mark in it; a tie out of it is a
    ``-`` after its note), or ``None`` when more changed or the marks are not plain."""
    length0, notes0, other0 = sig0
    length1, notes1, other1 = sig1
    if length0 != length1 or other0 != other1:
        return None
    mine0 = [n for n in notes0 if n[1] == track]
    mine1 = [n for n in notes1 if n[1] == track]
    if [n[:5] for n in mine0] != [n[:5] for n in mine1]:
        return None
    a, b = bar
    edits = []
    for n0, n1 in zip(mine0, mine1):
        if n0[6] == n1[6]:
            continue
        start, pitch = a + n0[2], n0[4]
        written = [w for w in tm.notes if w.voice == voice and w.pitch == pitch
                   and w.end == b and w.start <= start]
        if len(written) != 1:
            return None
        w = written[0]
        m = re.match(r"[ \t]*-", full[w.char_end:])
        if n0[6] and m:  # the tie goes: drop its mark
            edits.append((w.char_end + m.end() - 1, w.char_end + m.end(), ""))
        elif not n0[6] and not m and full[w.char_end: w.char_end + 1] not in ("]",):
            edits.append((w.char_end, w.char_end, "-"))
        else:
            return None
    return edits


def _starts(sig: tuple) -> dict[str, tuple]:
    """The key and meter a bar's signature starts with (``"k"``/``"m"`` at 0)."""
    return {x[0]: x[2:] for x in sig[2] if x[0] in "km" and x[1] == 0}


def _new_fields(old: tuple, new: tuple) -> str:
    """Inline fields (``[K:D]``, ``[M:3/4]``) for the key and meter changes the bar
    starts with in ``new`` and not in ``old`` (``""`` for none)."""
    from composer.music.abc.writer import key_text
    from composer.music.score import KeyChange

    was, now = _starts(old), _starts(new)
    out = ""
    if "m" in now and now["m"] != was.get("m"):
        out += f"[M:{now['m'][0]}/{now['m'][1]}]"
    if "k" in now and now["k"] != was.get("k"):
        out += f"[K:{key_text(KeyChange(0, *now['k']))}]"
    return out


def _without_fields(sig: tuple) -> tuple:
    length, notes, other = sig
    return length, notes, tuple(x for x in other if not (x[0] in "km" and x[1] == 0))


def _voice_part(sig: tuple, track: int, structure: bool) -> tuple:
    """What of a bar's signature voice ``track`` writes: its length, its notes and (the
    structure voice) the chord symbols and fields."""
    length, notes, other = sig
    return (length, tuple(n for n in notes if n[1] == track), other if structure else ())


def _kind_of(full: str, w: _Written) -> str:
    from composer.music.abc.lexer import bar_kind

    token = full[w.token_start: w.token_end]
    return bar_kind(token) if token else "|"


def _field_key(item) -> tuple:
    if isinstance(item, MeterChange):
        return (item.numerator, item.denominator)
    if hasattr(item, "qpm"):
        return (round(item.qpm),)
    return (item.tonic, item.mode)


def _untied(sig: tuple) -> tuple:
    """A bar's signature without its notes' ties into and out of it."""
    length, notes, other = sig
    return length, tuple(n[:5] for n in notes), other


def _region(bars0, bars1, sig0, sig1, edited) -> tuple[int, int]:
    """``(prefix, suffix)``: the bars kept at the start and at the end (a tie into or
    out of them may still change: the pairs are compared in full afterwards)."""
    n0, n1 = len(bars0), len(bars1)
    sig0, sig1 = [_untied(s) for s in sig0], [_untied(s) for s in sig1]
    if edited is not None:
        start, old_end, new_end = edited
        prefix = sum(1 for _, b in bars0 if b <= start)
        suffix0 = sum(1 for a, _ in bars0 if a >= old_end)
        suffix1 = sum(1 for a, _ in bars1 if a >= new_end)
        if (suffix0 == suffix1 and prefix + suffix0 <= min(n0, n1)
                and bars0[:prefix] == bars1[:prefix] and sig0[:prefix] == sig1[:prefix]
                and sig0[n0 - suffix0:] == sig1[n1 - suffix1:]):
            return prefix, suffix0
    prefix = 0
    while prefix < min(n0, n1) and bars0[prefix] == bars1[prefix] \
            and sig0[prefix] == sig1[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(n0, n1) - prefix and sig0[n0 - 1 - suffix] == sig1[n1 - 1 - suffix]:
        suffix += 1
    return prefix, suffix


def _content(full: str, w: _Written | None, new: Score, a: int, b: int, unit: int,
             style: TuneStyle, writers: dict, track: int = 0, structure: bool = True) -> str:
    """The new text of bar ``[a, b)`` of ``track`` (no closing bar line), keeping what
    belongs to the place of the old bar ``w`` (see the module docstring)."""
    bw = writers.get((unit, track))
    if bw is None:
        bw = writers[(unit, track)] = BarWriter(
            new, track, unit=unit, short_halves=style.short_halves,
            spacing=style.spacing_ticks, structure=structure)
    text = bw.content(a, b).strip()
    if w is None:
        return text
    old = full[w.content_start: w.token_start]
    lead = ""
    m = _VOLTA_AT_START.match(old)
    if m and any(v.start == a for v in new.voltas):
        lead = m.group(0)
        if text.startswith("[") and _VOLTA_AT_START.match(text):
            text = text[_VOLTA_AT_START.match(text).end():]
        lead += " " if old[m.end(): m.end() + 1] == " " else ""
    kept = "".join(q for q in _QUOTED.findall(old) if q[1:2] in ("^", "_", "<", ">", "@"))
    kept += "".join(_NAVIGATION.findall(_QUOTED.sub("", old)))
    opens = len(re.findall(r"\((?!\d)", old))
    closes = old.count(")")
    if opens > closes:
        text = "(" * (opens - closes) + text
    elif closes > opens:
        text = text.rstrip() + ")" * (closes - opens)
    text = _with_breaks(old, text)
    trailing = old[len(old.rstrip(" \t")):]
    return lead + kept + text + trailing


_FIELD_RUN = re.compile(r"(?:\[[A-Za-z]:[^\]\n]*\])+")
_TEXT_LINE = re.compile(r"[A-Za-z+]:|%")


def _with_breaks(old: str, new: str) -> str:
    """``new`` with the line breaks of ``old`` put back: what ends those lines (a
    ``\\``, a comment) and the field or comment lines between them stay as written.
    A break with field lines (a part label or meter change inside the bar) takes the
    place of the same fields written inline in ``new``; any other break goes to the
    space nearest the same relative place."""
    if "\n" not in old:
        return new
    lines = old.split("\n")
    blocks: list[tuple[float, str, str]] = []  # (share, text, field letters)
    offset, k = 0, 0
    while k < len(lines) - 1:
        line = lines[k]
        cut = _LINE_TAIL.search(line).start()
        text = line[cut:] + "\n"
        at = offset + cut
        offset += len(line) + 1
        k += 1
        letters = ""
        while k < len(lines) - 1 and _TEXT_LINE.match(lines[k]):
            text += lines[k] + "\n"
            if not lines[k].startswith("%"):
                letters += lines[k][0]
            offset += len(lines[k]) + 1
            k += 1
        text += re.match(r"[ \t]*", lines[k]).group(0)
        blocks.append((at / max(len(old), 1), text, letters))
    out = new
    runs = list(_FIELD_RUN.finditer(out))
    plain = []
    for share, text, letters in blocks:
        if letters:
            run = next((r for r in runs
                        if "".join(re.findall(r"\[([A-Za-z]):", r.group(0))) == letters), None)
            if run is not None:
                runs.remove(run)
                plain.append((run.start(), run.end(), text))
                continue
            text = text.split("\n", 1)[0] + "\n"  # the inline fields say the same
        plain.append((None, share, text))
    placed = [(a, b, t) for a, b, t in plain if a is not None]
    for a, b, t in sorted(placed, reverse=True):
        out = out[:a] + t + out[b:]
    for _, share, brk in reversed([p for p in plain if p[0] is None]):
        # (a line may not start with a letter and a colon: that is a field line; a
        # lone letter at the end may meet the bar line's ':')
        spaces = [i for i, c in enumerate(out)
                  if c == " " and not _TEXT_LINE.match(out, i + 1)
                  and not re.fullmatch(r"[A-Za-z]", out[i + 1:])]
        target = share * len(out)
        if spaces:
            i = min(spaces, key=lambda k: abs(k - target))
            out = out[:i] + brk + out[i + 1:]
        else:
            out = out + brk
    return out


def _insertion(full: str, w: _Written, chunks: list[str], style: TuneStyle
               ) -> tuple[int, int, str]:
    """The edit that puts new bars (each its text and closing bar line) after the
    bar ``w``: on lines of their own after its line when it ends the line, else
    between it and the rest of its line."""
    lines = [style.separator.join(chunks[k: k + style.per_line])
             for k in range(0, len(chunks), style.per_line)]
    block = "\n".join(lines)
    pos = w.token_end
    line_end = full.find("\n", pos)
    rest = full[pos: line_end if line_end >= 0 else len(full)]
    if _LINE_TAIL.fullmatch(rest):
        if line_end < 0:
            return (len(full), len(full), "\n" + block)
        return (line_end + 1, line_end + 1, block + "\n")
    spaces = len(rest) - len(rest.lstrip(" \t"))
    return (pos, pos + spaces, "\n" + block + "\n")


# --- the check -------------------------------------------------------------------------
def _check(full: str, new: Score, header: str) -> str:
    """``""`` when ``full`` reads back as ``new`` (or as a rewrite of it would), else
    what differs."""
    try:
        parsed = parse_abc(full)
    except AbcSyntaxError as e:
        return f"the spliced text does not read ({e})"
    tm = parsed.time_map
    if re.search(r"\n[ \t]*\n", full[tm.body_start: tm.tune_end].rstrip()):
        return "the spliced text would hold an empty line (it ends a tune)"
    got = parsed.score
    diff = _difference(got, new)
    if not diff:
        return ""
    try:
        again = parse_abc(header + score_to_abc(new)).score
    except AbcSyntaxError:
        return f"the spliced text reads back differently ({diff})"
    if not _difference(got, again, title=False):
        return ""
    return f"the spliced text reads back differently ({diff})"


def _difference(a: Score, b: Score, title: bool = True) -> str:
    a, b = a.normalized(), b.normalized()
    ta = [[(n.start, n.end, n.pitch) for n in t.notes] for t in a.tracks if t.notes]
    tb = [[(n.start, n.end, n.pitch) for n in t.notes] for t in b.tracks if t.notes]
    if ta != tb:
        return "notes"
    checks = (
        ("chord symbols", [(c.start, c.text) for c in a.chords],
         [(c.start, c.text) for c in b.chords]),
        ("bars", a.bars(), b.bars()),
        ("bar lines", [(x.tick, x.kind) for x in a.barlines if x.kind != "|"],
         [(x.tick, x.kind) for x in b.barlines if x.kind != "|"]),
        ("endings", a.voltas, b.voltas),
        ("part labels", a.parts, b.parts),
        ("meters", [(m.tick, m.numerator, m.denominator) for m in a.meters],
         [(m.tick, m.numerator, m.denominator) for m in b.meters]),
        ("keys", [(k.tick, k.tonic, k.mode) for k in a.keys],
         [(k.tick, k.tonic, k.mode) for k in b.keys]),
        ("tempos", [(t.tick, round(t.qpm)) for t in a.tempos],
         [(t.tick, round(t.qpm)) for t in b.tempos]),
    )
    for name, x, y in checks:
        if x != y:
            return name
    if title and a.title != b.title:
        return "title"
    return ""
