"""Help-desk exports as CSV and xlsx, built in memory per request, safe against formula injection.

Nothing is written to disk: an export exists only in the response to the logged-in session that asked
for it, so there is no file to leak through another URL and no folder to clean up.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from ..records import Passage

ExportFormat = Literal["csv", "xlsx"]

# OWASP "CSV injection": a cell that a spreadsheet could read as a formula starts with one of these;
# "|" and "%" start DDE and macro payloads in older Excel and LibreOffice (defusedcsv's list), and a
# leading tab, carriage return or newline is stripped by spreadsheets, leaving the formula that follows.
FORMULA_STARTS = ("=", "+", "-", "@", "|", "%", "\t", "\r", "\n")
# Indonesian-locale Excel splits CSV on ";" (the comma is its decimal separator).
CSV_DELIMITER = ";"


def neutralise(value: object) -> object:
    """A cell value a spreadsheet shows as text: a formula-like text gets a leading apostrophe, which
    spreadsheets read as "this is text" and do not display. Numbers pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.lstrip(" ").startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


@dataclass(frozen=True)
class ExportTable:
    """One help-desk table: the file name it is exported as and its columns, in order."""

    name: str
    table: Literal["feedback", "unanswered", "followups"]
    columns: tuple[str, ...]
    json_columns: tuple[str, ...] = ()  # stored as JSON lists; exported as "a; b" for people


EXPORTS = {
    "umpan-balik-negatif": ExportTable(
        "umpan-balik-negatif",
        "feedback",
        ("id", "created_at", "rating", "comment", "question", "answer", "citations", "abstained", "source",
         "correct_regulation", "correct_pasal"),
    ),
    "pertanyaan-tak-terjawab": ExportTable(
        "pertanyaan-tak-terjawab",
        "unanswered",
        ("id", "created_at", "question", "answer", "nearest", "source"),
        json_columns=("nearest",),
    ),
    "pertanyaan-lanjutan": ExportTable(
        "pertanyaan-lanjutan",
        "followups",
        ("id", "created_at", "question", "previous_question", "read_as", "repeats_previous", "citations",
         "answer", "source"),
    ),
}


def as_stored(value: object) -> object:
    """A cell value for xlsx, where text cells are typed as strings and so are never formulas."""
    return "" if value is None else value


def _cells(table: ExportTable, row: dict, cell_value=neutralise) -> list[object]:
    cells = []
    for column in table.columns:
        value = row.get(column)
        if column in table.json_columns:
            try:
                parsed = json.loads(value or "[]")
                value = "; ".join(str(v) for v in parsed) if isinstance(parsed, list) else value
            except ValueError:
                pass
        cells.append(cell_value(value))
    return cells


def csv_chunks(table: ExportTable, rows: Iterable[dict]) -> Iterator[bytes]:
    """The CSV (UTF-8 with BOM, for spreadsheet apps) as it is written, a row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    buffer.write("\ufeff")
    writer.writerow(table.columns)
    for row in rows:
        writer.writerow(_cells(table, row))
        if buffer.tell() > 64_000:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(table: ExportTable, rows: Iterable[dict]) -> bytes:
    """The workbook, written in openpyxl's streaming mode. Every text cell is typed as a string (an
    inline string in the sheet), which spreadsheets never evaluate, so the text is kept as it was
    written, without the apostrophe the CSV needs."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.name[:31])  # Excel's limit on sheet names
    sheet.append(list(table.columns))
    for row in rows:
        cells = []
        for value in _cells(table, row, as_stored):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


EVIDENCE_WORDS = 40  # the opening of the corrected pasal: long enough to pick its passage out, as train's spans do


def correction_items(rows: Iterable[dict], pasal_passages: Callable[[str, str], list[Passage]]) -> Iterator[dict]:
    """Corrected 👎 ratings as training items in the format of ../shared/eval/train.jsonl: the question,
    the pasal the clerk chose as its citation, and that pasal's opening words as the evidence span.
    A correction naming a pasal the index no longer holds is left out."""
    for row in rows:
        passages = pasal_passages(row["correct_regulation"], row["correct_pasal"])
        if not passages:
            continue
        first = passages[0]
        yield {
            "id": f"helpdesk-{row['id']}",
            "question": row["question"],
            "style": "helpdesk",
            "answerable": True,
            "evidence": [{"source_file": first.source_file, "text": " ".join(first.text.split()[:EVIDENCE_WORDS])}],
            "citation": {"regulation": row["correct_regulation"], "pasal": row["correct_pasal"]},
            "key_facts": [],
            "difficulty": "helpdesk",
        }


def jsonl_chunks(items: Iterable[dict]) -> Iterator[bytes]:
    for item in items:
        yield (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
