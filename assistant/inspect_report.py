"""Summary of a parsed document for `python -m assistant inspect FILE [--json]`."""

from __future__ import annotations

from collections import Counter

from .structure import ParsedDocument

_KIND_LABELS = {
    "pasal": "pasal",
    "penjelasan": "penjelasan",
    "lampiran": "lampiran",
    "preamble": "pembukaan/penutup",
    "section": "bagian dokumen",
}


def inspect_report(parsed: ParsedDocument) -> dict:
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
    warnings = report["warnings"]
    lines.append(f"Peringatan: {len(warnings) if warnings else 'tidak ada'}")
    lines += [f"  - {warning}" for warning in warnings]
    return "\n".join(lines)
