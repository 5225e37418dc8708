"""Resolve explicit references in a question ("Pasal 14 UU 3/2014", "UU Perindustrian pasal 14")."""

from __future__ import annotations

import re
from dataclasses import dataclass

TYPE_NAMES = {
    "uu": "UU",
    "undang-undang": "UU",
    "undang undang": "UU",
    "perppu": "Perppu",
    "pp": "PP",
    "peraturan pemerintah": "PP",
    "perpres": "Perpres",
    "peraturan presiden": "Perpres",
}
_TYPE = "|".join(sorted((re.escape(name) for name in TYPE_NAMES), key=len, reverse=True))
REGULATION = re.compile(
    rf"\b(?P<type>{_TYPE})\s*(?:no\.?|nomor)?\s*(?P<number>\d+)\s*(?:/|tahun|thn\.?|th\.?|\s)\s*(?P<year>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
PASAL = re.compile(r"\bpasal\s+(?P<pasal>\d+[a-z]?)\b(?:\s*ayat\s*\(?(?P<ayat>\d+)\)?)?", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    regulation: str
    pasal: str
    ayat: str = ""


def find_regulation(text: str, aliases: dict[str, str]) -> str | None:
    match = REGULATION.search(text)
    if match:
        return f"{TYPE_NAMES[match['type'].lower()]} {int(match['number'])}/{match['year']}"
    lowered = text.lower()
    for alias in sorted(aliases, key=len, reverse=True):
        if re.search(rf"\b{re.escape(alias)}\b", lowered):
            return aliases[alias]
    return None


def find_reference(text: str, aliases: dict[str, str]) -> Reference | None:
    """The regulation and pasal a question names explicitly, if it names both."""
    pasal = PASAL.search(text)
    if not pasal:
        return None
    regulation = find_regulation(text, aliases)
    if regulation is None:
        return None
    return Reference(regulation=regulation, pasal=pasal["pasal"].upper(), ayat=pasal["ayat"] or "")


DEFINITION_QUESTION = re.compile(
    r"(?:apa\s+(?:yang\s+)?(?:dimaksud|maksud)\s+(?:dengan\s+)?|apa\s+itu\s+|apakah\s+|pengertian\s+|definisi\s+|arti\s+)"
    r"(?P<term>[\w/ -]{3,60}?)\s*(?:\?|,|\.|$|menurut|dalam|di\s+dalam|berdasarkan)",
    re.IGNORECASE,
)


def find_defined_term(text: str) -> str | None:
    """The term a definition question asks about: "Apa yang dimaksud dengan Sentra IKM?" -> "sentra ikm"."""
    match = DEFINITION_QUESTION.search(text.strip())
    if not match:
        return None
    term = " ".join(match["term"].lower().split())
    return term or None


def defines(text: str, term: str) -> bool:
    """Whether a passage holds the definition of `term` ("Sentra IKM adalah ...")."""
    pattern = rf"\b{re.escape(term)}\s+(?:\([^)]{{1,40}}\)\s+)?(?:yang\s+selanjutnya\s+disingkat\s+\S+\s+|yang\s+selanjutnya\s+disebut\s+[^,]{{1,60}}?\s+)?adalah\b"
    return re.search(pattern, " ".join(text.lower().split())) is not None
