"""Structured citations built only from retrieved passages, and their Indonesian rendering."""

from __future__ import annotations

import re

from .records import Citation, Passage

TYPE_LONG = {
    "UU": "Undang-Undang",
    "Perppu": "Peraturan Pemerintah Pengganti Undang-Undang",
    "PP": "PP",
    "Perpres": "Perpres",
}


def make_citation(
    passage: Passage, quote: str, status: tuple[str, str], ayat: str = "", role: str = "", point: str = ""
) -> Citation:
    ayat = ayat or (passage.ayat_start if passage.ayat_start == passage.ayat_end else "")
    return Citation(
        regulation=passage.regulation,
        type=passage.type,
        number=passage.number,
        year=passage.year,
        title=passage.title,
        pasal="Lampiran" if passage.kind == "lampiran" else passage.pasal,
        kind=passage.kind,
        ayat=ayat,
        status=status[0],
        status_note=status[1],
        quote=quote,
        passage_id=passage.id,
        amends=passage.amends,
        role=role,
        point=point if passage.kind == "pasal" else "",
    )


def render_citation(citation: Citation) -> str:
    """"Pasal 5 ayat (1) PP No. 29 Tahun 2018 tentang Pemberdayaan Industri"."""
    if citation.number in ("", "-"):  # documents that are not regulations (e.g. the seed overview)
        return f"{citation.type} “{citation.title}”" if citation.title else citation.regulation
    document = f"{TYPE_LONG.get(citation.type, citation.type)} No. {citation.number} Tahun {citation.year}"
    if citation.title:
        document += f" tentang {citation.title}"
    if citation.kind == "lampiran":
        return f"Lampiran {document}"
    if citation.pasal in ("", "-"):
        return f"Penjelasan Umum {document}" if citation.kind == "penjelasan" else document
    ayat = (f" ayat ({citation.ayat})" if citation.ayat else "") + (f" {citation.point}" if citation.point else "")
    if citation.amends:  # a rewritten pasal is named as amended: its ayat belong to the new wording
        target, _, pasal = citation.amends.partition(" Pasal ")
        return f"Pasal {pasal}{ayat} {target} sebagaimana diubah oleh Pasal {citation.pasal} {document}"
    where = f"Pasal {citation.pasal}{ayat}"
    if citation.kind == "penjelasan":
        where = f"Penjelasan {where}"
    return f"{where} {document}"


MENTIONED_PASAL = re.compile(
    r"\bPasal\s+(?P<pasal>\d+[A-Z]?)(?:\s+ayat\s+\((?P<ayat>\d+)\))?"
    r"(?:\s+(?P<type>UU|PP|Perppu|Perpres|Undang-Undang|Peraturan Pemerintah)\s*(?:No\.?|Nomor)?\s*(?P<number>\d+)"
    r"\s*(?:/|Tahun)\s*(?P<year>\d{4}))?",
    re.IGNORECASE,
)


def unsupported_mentions(text: str, passages: list[Passage]) -> list[str]:
    """Pasal an LLM mentioned that no retrieved passage holds: these are never shown as citations."""
    known = {(p.pasal, p.number, p.year) for p in passages} | {(p.pasal, "", "") for p in passages}
    unsupported = []
    for match in MENTIONED_PASAL.finditer(text):
        key = (match["pasal"].upper(), match["number"] or "", match["year"] or "")
        if key not in known:
            unsupported.append(match.group(0))
    return unsupported


def strip_unsupported(text: str, passages: list[Passage]) -> tuple[str, list[str]]:
    """Replace unsupported pasal mentions with a marker so readers are not misled."""
    removed = unsupported_mentions(text, passages)
    for mention in removed:
        text = text.replace(mention, "[rujukan pasal tidak terverifikasi dihapus]")
    return text, removed
