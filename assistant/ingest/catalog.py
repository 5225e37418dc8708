"""Hand-written facts about regulations (status, relations, aliases), merged into parsed identities."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..records import RegulationIdentity

STATUS_LABELS = {"berlaku": "berlaku", "diubah": "diubah", "dicabut": "dicabut"}


@dataclass(frozen=True)
class Relation:
    kind: str  # "dicabut" | "diubah"
    target: str  # regulation id affected
    pasal: tuple[str, ...]  # affected pasal; empty means the whole regulation
    by: str  # the acting provision, e.g. "PP 28/2021 Pasal 174"
    current: str = ""  # the instrument in force now that restates or replaces it, e.g. "UU 6/2023"


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    files: tuple[str, ...]
    title: str = ""
    type: str = ""
    aliases: tuple[str, ...] = ()
    status: str = "berlaku"
    status_note: str = ""
    # Where `corpus pull` fetches the text: its path in the mirror's layout ("uu/2014/3.md"; empty when
    # no public mirror holds it) and the sha256 of the file the catalog was written against.
    source: str = ""
    sha256: str = ""


@dataclass
class Catalog:
    entries: list[CatalogEntry] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> "Catalog":
        if not path.exists():
            return cls()
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        entries = [
            CatalogEntry(
                id=item["id"],
                files=tuple(item.get("files", ())),
                title=item.get("title", ""),
                type=item.get("type", ""),
                aliases=tuple(item.get("aliases", ())),
                status=item.get("status", "berlaku"),
                status_note=item.get("status_note", ""),
                source=item.get("source", ""),
                sha256=item.get("sha256", ""),
            )
            for item in data.get("regulation", [])
        ]
        relations = [
            Relation(
                kind=item["kind"],
                target=item["target"],
                pasal=tuple(item.get("pasal", ())),
                by=item["by"],
                current=item.get("current", ""),
            )
            for item in data.get("relation", [])
        ]
        return cls(entries=entries, relations=relations)

    def entry_for_file(self, source_file: str) -> CatalogEntry | None:
        return next((entry for entry in self.entries if source_file in entry.files), None)

    def entry_for_regulation(self, regulation: str) -> CatalogEntry | None:
        return next((entry for entry in self.entries if entry.id == regulation), None)

    def merge(self, identity: RegulationIdentity, source_file: str) -> RegulationIdentity:
        """Catalog facts win over what OCR text yields; unknown files keep their parsed identity."""
        entry = self.entry_for_file(source_file) or self.entry_for_regulation(identity.regulation)
        if entry is None:
            return identity
        return replace(
            identity,
            regulation=entry.id,
            type=entry.type or identity.type,
            title=entry.title or identity.title,
            status=entry.status,
        )

    def aliases(self) -> dict[str, str]:
        """Lower-cased alias -> regulation id, for resolving "UU Perindustrian pasal 14"; a regulation
        is also named by its type and title ("PP tentang Pemberdayaan Industri")."""
        aliases = {alias.lower(): entry.id for entry in self.entries for alias in entry.aliases}
        for entry in self.entries:
            kind, _, number = entry.id.partition(" ")
            if entry.title and "/" in number:
                aliases.setdefault(f"{kind} tentang {entry.title}".lower(), entry.id)
        return aliases

    def pasal_status(
        self, regulation: str, pasal: str, amended: set[str] | None = None, indexed: frozenset[str] = frozenset()
    ) -> tuple[str, str]:
        """Status of one provision and a sentence saying why, in Indonesian.

        `amended` holds pasal of `regulation` that an amending law in the index rewrites
        (read from its quoted articles), so amendments need not be typed by hand. `indexed` holds the
        regulations in the index: the note says when the instrument now in force is not among them.
        """
        for relation in self.relations:
            if relation.target != regulation:
                continue
            if relation.kind == "dicabut" and (not relation.pasal or pasal in relation.pasal):
                what = f"{regulation}" if not relation.pasal else f"Pasal {pasal} {regulation}"
                return "dicabut", f"{what} telah dicabut oleh {relation.by}." + current_note(relation, indexed)
            if relation.kind == "diubah" and pasal and (pasal in relation.pasal or (amended and pasal in amended)):
                note = f"Pasal {pasal} {regulation} telah diubah oleh {relation.by}."
                return "diubah", note + current_note(relation, indexed)
        return "berlaku", ""


def current_note(relation: Relation, indexed: frozenset[str]) -> str:
    """Where the law in force now is, and whether its text can be quoted from the index."""
    if not relation.current:
        return ""
    acting = relation.by.partition(" Pasal ")[0]
    text = "" if relation.current == acting else f" Ketentuan yang berlaku kini dimuat dalam {relation.current}."
    if relation.current not in indexed:
        text += f" Teks {relation.current} tidak ada dalam indeks; periksa teks resminya."
    return text


def amended_pasal(amends_fields: list[str]) -> dict[str, set[str]]:
    """Regulation id -> pasal rewritten by amending laws, from passages' `amends` ("UU 3/2014 Pasal 15")."""
    result: dict[str, set[str]] = {}
    for value in amends_fields:
        regulation, _, pasal = value.partition(" Pasal ")
        if regulation and pasal:
            result.setdefault(regulation, set()).add(pasal)
    return result
