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
    mention = regulation_mention(text, aliases)
    return mention[0] if mention else None


def regulation_mention(text: str, aliases: dict[str, str]) -> tuple[str, tuple[int, int]] | None:
    """The regulation a text names ("UU 3/2014", "UU Cipta Kerja") and where the name stands."""
    match = REGULATION.search(text)
    if match:
        return f"{TYPE_NAMES[match['type'].lower()]} {int(match['number'])}/{match['year']}", match.span()
    lowered = text.lower()
    for alias in sorted(aliases, key=len, reverse=True):
        if found := re.search(rf"\b{re.escape(alias)}\b", lowered):
            return aliases[alias], found.span()
    return None


def without_regulation_mention(text: str, aliases: dict[str, str]) -> str:
    """The text less the name of the regulation it mentions: "menurut UU Cipta Kerja" says where to
    look, and its words ("cipta", "kerja") are not what the answer is about."""
    mention = regulation_mention(text, aliases)
    if mention is None:
        return text
    start, end = mention[1]
    return f"{text[:start]} {text[end:]}"


def find_reference(text: str, aliases: dict[str, str]) -> Reference | None:
    """The regulation and pasal a question names explicitly, if it names both."""
    pasal = PASAL.search(text)
    if not pasal:
        return None
    regulation = find_regulation(text, aliases)
    if regulation is None:
        return None
    return Reference(regulation=regulation, pasal=pasal["pasal"].upper(), ayat=pasal["ayat"] or "")


# Kinds of instrument a question may name as its source, with the type code identity.py gives a
# document of that kind, so "sesuai Peraturan Menteri ..." can be checked against the index.
INSTRUMENT_TYPES = {
    "Permen": r"peraturan\s+menteri|permen[a-z]*",
    "Kepmen": r"keputusan\s+menteri|kepmen[a-z]*",
    "Perpres": r"peraturan\s+presiden|perpres",
    "Keppres": r"keputusan\s+presiden|keppres",
    "Inpres": r"instruksi\s+presiden|inpres",
    "Perda": r"peraturan\s+daerah|perda",
    "Perkada": r"peraturan\s+(?:gubernur|bupati|wali\s*kota)|pergub|perbup|perwal",
    "SE": r"surat\s+edaran",
}
# One named group per kind, so a match says which kind it is.
INSTRUMENT_KINDS = "|".join(f"(?P<{code}>{pattern})" for code, pattern in INSTRUMENT_TYPES.items())
CITED_SOURCE = re.compile(
    r"\b(?:sesuai(?:\s+dengan)?|menurut|berdasarkan|mengacu\s+(?:pada|ke)|merujuk\s+(?:pada|ke))"
    r"\s+(?:ketentuan\s+)?(?P<name>(?:" + INSTRUMENT_KINDS + r")"
    r"(?:\s+(?!yang\b|tentang\b|nomor\b|no\b)[A-Za-z]+){0,2}"
    r"(?:\s+(?:(?:nomor|no\.?)\s*)?\d+(?:\s+tahun\s+\d{4}|\s*/\s*\d{4})?)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CitedSource:
    name: str  # as the question writes it: "Peraturan Menteri Perindustrian"
    type: str  # the type code of such a document: "Permen"


def cited_instrument(text: str) -> CitedSource | None:
    """A kind of instrument the question names as where its answer lies ("sesuai Peraturan Menteri
    Perindustrian"); a mere mention ("ditetapkan dengan Perda") is not one."""
    match = CITED_SOURCE.search(text)
    if not match:
        return None
    code = next(code for code in INSTRUMENT_TYPES if match[code])
    return CitedSource(name=" ".join(match["name"].split()), type=code)


INSTRUMENT_MENTION = re.compile(r"\b(?:" + INSTRUMENT_KINDS + r")\b", re.IGNORECASE)


def mentioned_instruments(text: str) -> set[str]:
    """Type codes of every kind of instrument the text mentions, as a source or not ("Perpres nomor
    berapa ...", "ditetapkan dengan Perda")."""
    return {code for match in INSTRUMENT_MENTION.finditer(text) for code in INSTRUMENT_TYPES if match[code]}


DEFINITION_QUESTION = re.compile(
    r"(?:apa\s+(?:yang\s+)?(?:dimaksud|maksud)\s+(?:dengan\s+)?|apa\s+itu\s+|apakah\s+|pengertian\s+|definisi\s+|arti\s+)"
    r"(?P<term>[\w/ -]{3,60}?)\s*(?:\?|,|\.|$|menurut|dalam|di\s+dalam|berdasarkan)",
    re.IGNORECASE,
)


# "Kelompok kami sudah layak jadi sentra IKM?", "dihitung sebagai Sentra IKM": whether something
# qualifies as a term is answered by the term's definition.
QUALIFICATION_QUESTION = re.compile(
    r"\b(?:disebut|dianggap|dihitung\s+sebagai|digolongkan\s+sebagai|dikategorikan\s+sebagai|termasuk|jadi|menjadi)"
    r"\s+(?P<term>[\w/ -]{3,60}?)\s*(?:\?|,|\.|$|menurut|dalam|di\s+dalam|berdasarkan)",
    re.IGNORECASE,
)


def find_defined_term(text: str) -> str | None:
    """The term a definition question asks about: "Apa yang dimaksud dengan Sentra IKM?" -> "sentra ikm"."""
    match = DEFINITION_QUESTION.search(text.strip())
    if not match:
        return None
    term = " ".join(match["term"].lower().split())
    return term or None


def defined_term_candidates(text: str) -> list[str]:
    """Terms whose definition answers the question, most specific first: the term of a definition
    question, then the term a qualification question asks about ("jadi sentra IKM atau belum?"),
    cut down word by word to two words ("sentra ikm belum" -> "sentra ikm"), since where such a
    question's term ends is a guess; a single generic word ("industri") would pull in every definition."""
    candidates = [term] if (term := find_defined_term(text)) else []
    for match in QUALIFICATION_QUESTION.finditer(text.strip()):
        words = match["term"].lower().split()
        candidates += [" ".join(words[:n]) for n in range(len(words), 1, -1)]
    return list(dict.fromkeys(candidates))


def defines(text: str, term: str) -> bool:
    """Whether a passage holds the definition of `term` ("Sentra IKM adalah ...")."""
    pattern = rf"\b{re.escape(term)}\s+(?:\([^)]{{1,40}}\)\s+)?(?:yang\s+selanjutnya\s+disingkat\s+\S+\s+|yang\s+selanjutnya\s+disebut\s+[^,]{{1,60}}?\s+)?adalah\b"
    return re.search(pattern, " ".join(text.lower().split())) is not None
