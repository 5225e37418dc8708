"""Typed records that flow between the components: parse -> index -> retrieve -> answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

PassageKind = Literal["pasal", "penjelasan", "lampiran", "preamble", "section"]


@dataclass(frozen=True)
class SourceDocument:
    """Raw text of one file as a loader read it."""

    path: str  # path as given to the loader
    source_file: str  # file name used in citations and eval (e.g. "uu-3-2014.md")
    text: str


@dataclass(frozen=True)
class RegulationIdentity:
    """Who a document is: read from its own text, then merged with the catalog."""

    regulation: str  # canonical id, e.g. "PP 29/2018"
    type: str  # UU, Perppu, PP, Perpres, Permen, Perda, Paparan, ...
    number: str
    year: str
    title: str  # the "tentang ..." part, e.g. "Pemberdayaan Industri"
    status: str = "berlaku"  # berlaku / diubah / dicabut (from the catalog)


@dataclass(frozen=True)
class Passage:
    """One retrievable, citable unit of a regulation."""

    id: str  # stable: same input text, same id
    regulation: str
    type: str
    number: str
    year: str
    title: str
    kind: PassageKind
    hierarchy: tuple[str, ...]  # e.g. ("BAB V PEMBERDAYAAN INDUSTRI", "Bagian Kedua ...")
    pasal: str  # "5", "5A", "" when not a pasal unit, "-" for plain documents
    ayat_start: str  # "" when the unit has no ayat
    ayat_end: str
    text: str  # the passage text as cited (cleaned)
    heading: str  # context repeated in every split of a long pasal (e.g. "PP 29/2018 Pasal 5")
    source_file: str
    char_start: int  # span in the cleaned text of the source
    char_end: int
    amends: str = ""  # for quoted articles in an amending law: "UU 3/2014 Pasal 101"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["hierarchy"] = list(self.hierarchy)
        return data


@dataclass(frozen=True)
class Citation:
    regulation: str
    type: str
    number: str
    year: str
    title: str
    pasal: str
    ayat: str
    status: str
    quote: str
    passage_id: str
    status_note: str = ""
    kind: str = "pasal"  # pasal, penjelasan, lampiran, section, preamble: how the citation is rendered
    amends: str = ""  # the pasal this quoted article rewrites, e.g. "UU 3/2014 Pasal 101"
    role: str = ""  # "pengecualian" when the quote is an exception to the citation before it
    point: str = ""  # the list item quoted within the pasal or ayat: "angka 5", "huruf b"


@dataclass(frozen=True)
class RetrievedPassage:
    rank: int
    score: float
    passage: Passage


@dataclass
class Answer:
    question: str
    answer: str  # Markdown
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[RetrievedPassage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    standalone_question: str = ""
