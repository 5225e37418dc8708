"""A passage cut into what can be quoted of it: ayat, list items and sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import RetrievedPassage

AYAT_START = re.compile(r"\((\d+)\)\s")
# Boundaries: before "(n) " ayat markers, before "a. " huruf/angka items, after sentence ends.
# An ayat marker only counts after a sentence end: "ayat (1) dilakukan" is a reference, not a boundary.
# Items of an unlettered enumeration ("...; Pembangunan Kawasan Industri; dan ...") stay together.
# A line break right after an item marker ("14.\n") is not a boundary: the marker stays with its item.
UNIT_BOUNDARY = re.compile(
    r"(?<=[;:.])\s+(?=\(\d+\)\s)|(?<=[;:.])\s+(?=(?:[a-z]|\d{1,2})\.\s)"
    r"|(?<!\b[a-z0-9]\.)(?<!\b\d\d\.)(?:(?<=[.])\s+(?=[A-Z(])|\n+)"
)


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a passage: an ayat, a list item or a sentence."""

    passage_rank: int
    order: int
    ayat: str
    text: str


# An amending law restates the pasal it changes under its heading ("... berbunyi sebagai berikut:
# Pasal 106 (1) Perusahaan ..."): the instruction and heading form a unit of their own (the amendment's
# frame), so the first ayat keeps its number.
RESTATED_HEADING = re.compile(r"(?:^|(?<=:)\s+)Pasal\s+\d+[A-Z]?(?=\s+\(\d+\)\s)")
# The frame says only that a pasal is changed or inserted, which a citation of it already says;
# a bare "Pasal 106" heading (or the OCR's page number after "berikut:") says nothing quotable.
AMENDMENT_FRAME = re.compile(
    r"(?:berbunyi\s+sebagai\s+berikut\s*:|^)\s*(?:\d{1,3}\s*)?(?:Pasal\s+\d+[A-Z]?)?\s*$", re.IGNORECASE
)


def unit_texts(text: str) -> list[str]:
    """A passage's text cut into ayat, list items and sentences."""
    pieces = []
    for piece in (p.strip() for p in UNIT_BOUNDARY.split(text)):
        if heading := RESTATED_HEADING.search(piece):
            pieces += [piece[: heading.end()], piece[heading.end() :].lstrip()]
        elif piece:
            pieces.append(piece)
    return pieces


def is_amendment_frame(text: str) -> bool:
    """A unit that only frames an amendment ("Ketentuan Pasal 5 diubah sehingga berbunyi sebagai
    berikut: Pasal 5") or is a bare pasal heading: never the quote that answers."""
    return bool(AMENDMENT_FRAME.search(text))


def split_units(item: RetrievedPassage) -> list[Unit]:
    units = []
    ayat = item.passage.ayat_start if item.passage.ayat_start == item.passage.ayat_end else ""
    for order, piece in enumerate(unit_texts(item.passage.text)):
        marker = AYAT_START.match(piece)
        if marker:
            ayat = marker.group(1)
        units.append(Unit(item.rank, order, ayat, piece))
    return units


def passage_units(items: list[RetrievedPassage]) -> list[tuple[RetrievedPassage, list[Unit]]]:
    """Each passage with its units, in retrieval order."""
    return [(item, split_units(item)) for item in items]


def unit_candidates(items: list[RetrievedPassage]) -> list[tuple[Unit, RetrievedPassage, int]]:
    """What a UnitScorer scores: every unit of the passages, with its passage and how many units
    the passage has."""
    return [(unit, item, len(units)) for item, units in passage_units(items) for unit in units]


def is_list_item(text: str) -> bool:
    return bool(re.match(r"(?:[a-z]|\d{1,2})\.\s", text))
