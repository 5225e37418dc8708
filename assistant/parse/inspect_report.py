"""Summary of a parsed document for `python -m assistant inspect FILE [--json]`."""

from __future__ import annotations

from collections import Counter

from .structure import ParsedDocument

# What each OCR rule (ocr.RULES) repairs, as `inspect` names it; whitespace tidying is not a repair.
REPAIR_LABELS = {
    "remove_caret_marks": "tanda ^ dihapus",
    "remove_page_headers": "kepala dan nomor halaman dihapus",
    "remove_sheet_numbers": "nomor lembar (SK No ...) dihapus",
    "fix_year_numbers": "angka tahun (2O14 -> 2014)",
    "fix_ayat_numbers": "nomor ayat ((21 -> (2))",
    "fix_paren_read_as_one": "nomor ayat (12) -> (2))",
    "fix_pasal_numbering": "nomor pasal (Pasal 3O -> Pasal 30)",
    "join_split_pasal_numbers": "nomor pasal terpisah (Pasal 2 1 -> Pasal 21)",
    "fix_broken_hyphenation": "pemenggalan kata digabung",
    "drop_prefix_lines": "baris judul ganda dihapus",
    "collapse_repeated_phrases": "frasa ganda dihapus",
}

_KIND_LABELS = {
    "pasal": "pasal",
    "penjelasan": "penjelasan",
    "lampiran": "lampiran",
    "preamble": "pembukaan/penutup",
    "section": "bagian dokumen",
}


def inspect_report(parsed: ParsedDocument, repairs: dict[str, int] | None = None) -> dict:
    """`repairs`: lines changed per OCR rule (ocr.repair_counts of the file's text)."""
    identity = parsed.identity
    counts = Counter(passage.kind for passage in parsed.passages)
    passages = {kind: counts[kind] for kind in sorted(counts)}
    passages["total"] = len(parsed.passages)
    return {
        "regulation": identity.regulation,
        "type": identity.type,
        "number": identity.number,
        "year": identity.year,
        "title": identity.title,
        "pasal": list(parsed.pasal),
        "passages": passages,
        "warnings": list(parsed.warnings),
        "repairs": {name: n for name, n in (repairs or {}).items() if name in REPAIR_LABELS},
    }


def _pasal_summary(pasal: list[str]) -> str:
    if not pasal:
        return "tidak ada"
    if len(pasal) <= 10:
        return ", ".join(pasal)
    return f"{len(pasal)} pasal (Pasal {pasal[0]} s.d. Pasal {pasal[-1]})"


def format_report(report: dict) -> str:
    counts = report["passages"]
    lines = [
        f"Peraturan : {report['regulation']}",
        f"Jenis     : {report['type']}",
        f"Nomor     : {report['number'] or '-'}",
        f"Tahun     : {report['year'] or '-'}",
        f"Tentang   : {report['title']}",
        f"Pasal     : {_pasal_summary(report['pasal'])}",
        f"Passage   : {counts.get('total', 0)} total",
    ]
    lines += [f"  - {_KIND_LABELS.get(kind, kind)}: {n}" for kind, n in counts.items() if kind != "total"]
    repairs = report.get("repairs", {})
    lines.append(f"Perbaikan OCR (baris diubah): {sum(repairs.values()) if repairs else 'tidak ada'}")
    lines += [f"  - {REPAIR_LABELS[name]}: {n}" for name, n in repairs.items()]
    warnings = report["warnings"]
    lines.append(f"Peringatan: {len(warnings) if warnings else 'tidak ada'}")
    lines += [f"  - {warning}" for warning in warnings]
    return "\n".join(lines)
