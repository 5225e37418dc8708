"""Lookups over the passages of a build that a search needs: by id, pasal, ayat and status, and the filters a search applies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..ingest.catalog import Catalog, amended_pasal
from ..records import Passage
from .references import cited_instrument, regulation_mention

# "sebagaimana dimaksud dalam Pasal 21 huruf a": a pasal of the same regulation named inside another
# one's text; not one followed by another law's name ("Pasal 5 Undang-Undang Nomor 20 Tahun 2008").
REFERRED_PASAL = re.compile(r"\bPasal\s+(\d+[A-Z]?)\b(?!\s+(?:Undang-Undang|UU|Peraturan|Perppu|PP)\b)")


class Column:
    """One text attribute of every passage as integer codes, so a filter becomes a mask in numpy."""

    def __init__(self, values: list[str]):
        self.code: dict[str, int] = {}
        self.codes = np.array([self.code.setdefault(v, len(self.code)) for v in values], dtype=np.int32)

    def isin(self, wanted: list[str]) -> np.ndarray:
        return np.isin(self.codes, [self.code[v] for v in wanted if v in self.code])


class PassageLookups:
    """Where passages are, by id, pasal and regulation, and what the catalog says of them: built once,
    so a query's work does not grow with the corpus."""

    def __init__(self, passages: list[Passage], catalog: Catalog):
        self.passages = passages
        self.position = {p.id: i for i, p in enumerate(passages)}
        self.catalog = catalog
        self.aliases = catalog.aliases()  # read on every search: built once
        self.amended = amended_pasal([p.amends for p in passages if p.amends])
        self.indexed_regulations = frozenset(p.regulation for p in passages)
        self.status = [self.pasal_status(p)[0] for p in passages]
        self.regulations = sorted({p.regulation for p in passages})
        self.types = {p.type for p in passages}
        self.regulation_column = Column([p.regulation for p in passages])
        self.status_column = Column(self.status)
        self.pasal_positions: dict[tuple[str, str], list[int]] = {}
        self.own_pasal: dict[str, dict[str, None]] = {}  # regulation -> its own pasal numbers, in document order
        self.rewrites: dict[str, list[Passage]] = {}  # "UU 3/2014 Pasal 101" -> articles rewriting it
        for position, p in enumerate(passages):
            self.pasal_positions.setdefault((p.regulation, p.pasal), []).append(position)
            if p.kind == "pasal" and not p.amends and p.pasal and p.pasal != "-":
                self.own_pasal.setdefault(p.regulation, {})[p.pasal] = None
            if p.amends and p.kind == "pasal":
                self.rewrites.setdefault(p.amends, []).append(p)

    def pasal_status(self, passage: Passage) -> tuple[str, str]:
        return self.catalog.pasal_status(
            passage.regulation, passage.pasal, self.amended.get(passage.regulation), self.indexed_regulations
        )

    def amending_passages(self, passage: Passage) -> list[Passage]:
        """Quoted articles of amending laws in the index that rewrite `passage`'s pasal."""
        if not passage.pasal or passage.amends:
            return []
        return self.rewrites.get(f"{passage.regulation} Pasal {passage.pasal}", [])

    def missing_source(self, question: str) -> str | None:
        """The regulation, or kind of instrument, a question names as its source when the index
        holds none of it ("sesuai Peraturan Menteri Perindustrian", "menurut UU 20/2008")."""
        mention = regulation_mention(question, self.aliases)
        if mention and mention[0] not in self.regulations and mention[0] not in self.amended:
            return mention[0]
        if (cited := cited_instrument(question)) and cited.type not in self.types:
            return cited.name
        return None

    def pasal_numbers(self, regulation: str) -> list[str]:
        """The regulation's own pasal, in document order (not the articles it quotes to amend)."""
        return list(self.own_pasal.get(regulation, {}))

    def ayat_numbers(self, regulation: str, pasal: str) -> list[int]:
        """The ayat numbers one pasal's passages span (empty for a pasal without ayat)."""
        numbers: set[int] = set()
        for p in self.pasal_passages(regulation, pasal):
            if p.ayat_start.isdigit():
                numbers.update(range(int(p.ayat_start), int(p.ayat_end if p.ayat_end.isdigit() else p.ayat_start) + 1))
        return sorted(numbers)

    @cached_property
    def referring(self) -> dict[tuple[str, str], list[int]]:
        """(regulation, pasal) -> positions of the other articles of that regulation that name the pasal
        in their text. The quoted new wording of an amended law's article refers to that law's pasal."""
        found: dict[tuple[str, str], list[int]] = {}
        for position, p in enumerate(self.passages):
            if p.kind != "pasal":
                continue
            regulation = p.amends.partition(" Pasal ")[0] if p.amends else p.regulation
            own = p.amends.partition(" Pasal ")[2] if p.amends else p.pasal
            for pasal in dict.fromkeys(REFERRED_PASAL.findall(p.text)):
                if pasal != own:
                    found.setdefault((regulation, pasal), []).append(position)
        return found

    def around_pasal(self, regulation: str, pasal: str) -> list[int]:
        """Positions of a pasal's own passages (with its Penjelasan), of the articles rewriting it, and of
        the articles of its regulation that refer to it: where the rules that elaborate it stand (its
        sanctions, exceptions, procedures and deadlines are often written as "sebagaimana dimaksud
        dalam Pasal N")."""
        positions = list(self.pasal_positions.get((regulation, pasal), []))
        positions += [self.position[p.id] for p in self.rewrites.get(f"{regulation} Pasal {pasal}", [])]
        positions += self.referring.get((regulation, pasal), [])
        return list(dict.fromkeys(positions))

    def pasal_passages(self, regulation: str, pasal: str, kinds: tuple[str, ...] = ("pasal",)) -> list[Passage]:
        positions = self.pasal_positions.get((regulation, pasal), [])
        return [self.passages[i] for i in positions if self.passages[i].kind in kinds]


@dataclass
class Filters:
    regulations: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # berlaku / diubah / dicabut

    def allows(self, regulation: str, status: str) -> bool:
        return (not self.regulations or regulation in self.regulations) and (
            not self.statuses or status in self.statuses
        )

    def mask(self, regulation: Column, status: Column) -> np.ndarray | None:
        """`allows` for every passage at once, as a BM25 weight mask; None when nothing is filtered."""
        if not self.regulations and not self.statuses:
            return None
        allowed = np.ones(len(regulation.codes), dtype=bool)
        if self.regulations:
            allowed &= regulation.isin(self.regulations)
        if self.statuses:
            allowed &= status.isin(self.statuses)
        return allowed.astype(np.float32)

    def chroma_where(self) -> dict | None:
        clauses = []
        if self.regulations:
            clauses.append({"regulation": {"$in": self.regulations}})
        if self.statuses:
            clauses.append({"status": {"$in": self.statuses}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}
