"""Cut a unit of text (a pasal, a penjelasan, a lampiran block) into passages that fit the token budget.

Units are given as spans of the cleaned text, so every passage keeps exact `char_start/char_end`
and `text == cleaned_text[char_start:char_end]`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from ..records import Passage, PassageKind, RegulationIdentity

TokenCounter = Callable[[str], int]


def estimate_tokens(text: str) -> int:
    """Subword tokenizers give about 1.5 tokens per Indonesian word; good enough for budgeting."""
    return (len(text.split()) * 3 + 1) // 2


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    ayat: str = ""  # ayat number this piece starts, "" if none


@dataclass(frozen=True)
class Unit:
    """One citable unit before splitting."""

    kind: PassageKind
    pasal: str
    heading: str
    hierarchy: tuple[str, ...]
    start: int
    end: int
    amends: str = ""


# An ayat marker starts the unit, a line, or follows a sentence end; "ayat (2)" references never do.
_AYAT = re.compile(r"(?:^|(?<=\n)|(?<=[.;:] ))\((\d{1,2}[a-z]?)\)\s")
# The period of an item number ("8. Sentra IKM adalah ...", "b. ") ends no sentence: a window cut
# there leaves the number at the end of one passage and its item, uncitable by it, in the next.
_SENTENCE_END = re.compile(r"(?<=[.;:])(?<!\b[a-z0-9]\.)(?<!\b\d\d\.)(?<!\b\d\d\d\.)\s+(?=[A-Z(\"“]|[a-z0-9]{1,2}\.\s)")


def ayat_pieces(text: str, offset: int) -> list[Piece]:
    """Split a pasal body at ayat markers that count up from 1 (so stray "(3)" inside a sentence is kept)."""
    starts: list[tuple[int, str]] = []
    expected = 1
    for match in _AYAT.finditer(text):
        label = match.group(1)
        number = int(re.match(r"\d+", label).group(0))
        if number == expected or (starts and number == expected - 1 and label[-1].isalpha()):
            starts.append((match.start(), label))
            expected = number + 1
    if not starts:
        return [Piece(offset, offset + len(text))]
    pieces = []
    if text[: starts[0][0]].strip():
        pieces.append(Piece(offset, offset + starts[0][0]))
    bounds = [pos for pos, _ in starts] + [len(text)]
    for (pos, label), nxt in zip(starts, bounds[1:]):
        pieces.append(Piece(offset + pos, offset + nxt, label))
    return pieces


def _split_at(text: str, offset: int, pattern: re.Pattern[str]) -> list[Piece]:
    cuts = [0] + [m.end() for m in pattern.finditer(text)] + [len(text)]
    return [Piece(offset + a, offset + b) for a, b in pairwise(cuts) if b > a]


def _fit(piece: Piece, source: str, count: TokenCounter, limit: int) -> list[Piece]:
    """Break a piece that alone exceeds the budget: at sentences, then at words as a last resort."""
    text = source[piece.start : piece.end]
    if count(text) <= limit:
        return [piece]
    parts = _split_at(text, piece.start, _SENTENCE_END)
    if len(parts) == 1:
        parts = _split_at(text, piece.start, re.compile(r"(?<=\S)\s+(?=\S)"))
        # word-level parts are grouped back up to the budget by the caller
        return [Piece(p.start, p.end, piece.ayat if i == 0 else "") for i, p in enumerate(parts)]
    fitted = []
    for index, part in enumerate(parts):
        part = Piece(part.start, part.end, piece.ayat if index == 0 else "")
        fitted.extend(_fit(part, source, count, limit) if count(source[part.start : part.end]) > limit else [part])
    return fitted


def pack(pieces: list[Piece], source: str, count: TokenCounter, limit: int) -> list[tuple[int, int, str, str]]:
    """Group consecutive pieces up to the budget -> (start, end, first ayat, last ayat)."""
    fitted = [small for piece in pieces for small in _fit(piece, source, count, limit)]
    groups: list[list[Piece]] = []
    for piece in fitted:
        if groups and count(source[groups[-1][0].start : piece.end]) <= limit:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    result = []
    last_ayat = ""
    for group in groups:
        labels = [p.ayat for p in group if p.ayat]
        # a continuation piece belongs to the ayat that was open before it
        first = group[0].ayat or last_ayat
        last = labels[-1] if labels else first
        last_ayat = last
        result.append((group[0].start, group[-1].end, first, last))
    return result


def _trim(source: str, start: int, end: int) -> tuple[int, int]:
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    return start, end


def passage_id(identity: RegulationIdentity, kind: str, pasal: str, ayat: str, index: int, text: str) -> str:
    key = "\x1f".join((identity.regulation, kind, pasal, ayat, str(index), text))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def build_passages(
    units: list[Unit],
    source: str,
    identity: RegulationIdentity,
    source_file: str,
    count: TokenCounter,
    limit: int,
) -> list[Passage]:
    passages: list[Passage] = []
    seen: set[str] = set()
    for unit in units:
        start, end = _trim(source, unit.start, unit.end)
        if start >= end:
            continue
        text = source[start:end]
        pieces = ayat_pieces(text, start) if unit.kind == "pasal" else _paragraph_pieces(text, start)
        for index, (a, b, ayat_start, ayat_end) in enumerate(pack(pieces, source, count, limit)):
            a, b = _trim(source, a, b)
            if a >= b:
                continue
            body = source[a:b]
            pid = passage_id(identity, unit.kind, unit.pasal, f"{ayat_start}-{ayat_end}", index, body)
            while pid in seen:  # identical repeated text in one unit: stay unique, still deterministic
                pid = hashlib.sha1(pid.encode()).hexdigest()[:16]
            seen.add(pid)
            passages.append(
                Passage(
                    id=pid,
                    regulation=identity.regulation,
                    type=identity.type,
                    number=identity.number,
                    year=identity.year,
                    title=identity.title,
                    kind=unit.kind,
                    hierarchy=unit.hierarchy,
                    pasal=unit.pasal,
                    ayat_start=ayat_start,
                    ayat_end=ayat_end,
                    text=body,
                    heading=unit.heading,
                    source_file=source_file,
                    char_start=a,
                    char_end=b,
                    amends=unit.amends,
                )
            )
    return passages


def _paragraph_pieces(text: str, offset: int) -> list[Piece]:
    """Non-pasal units split at line breaks first; `_fit` splits long lines further."""
    return _split_at(text, offset, re.compile(r"\n+"))
