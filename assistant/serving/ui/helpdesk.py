"""The help desk at /helpdesk/, behind the session gate (serving/middleware.py): flagged answers with the
clerk's citation corrections, declined questions and answered follow-ups, a page at a time, and the exports."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from ...answering.citations import LAMPIRAN
from ..feedback import FeedbackError, FeedbackStore
from .context import APP_TITLE, AppContext
from .render import normalize_pasal, readable_label, short_citation

MARKDOWN_MARKS = re.compile(r"[*_>#`]+")
HELPDESK_PAGE_SIZE = 25  # rows per table page: a page renders at once on a phone, too


def _plain(text: str, limit: int = 300) -> str:
    """Answer Markdown as a short plain line for a table cell."""
    text = " ".join(MARKDOWN_MARKS.sub("", text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(stamp: str) -> str:
    return (stamp or "")[:16].replace("T", " ")


def _citation_labels(raw: str) -> str:
    try:
        return "; ".join(dict.fromkeys(short_citation(c) for c in json.loads(raw or "[]")))
    except (ValueError, TypeError, KeyError):
        return ""


def _loads_list(raw: str) -> list[str]:
    try:
        value = json.loads(raw or "[]")
        return [str(v) for v in value] if isinstance(value, list) else []
    except ValueError:
        return []


def correction_label(row: dict) -> str:
    return f"{row['correct_regulation']} Pasal {row['correct_pasal']}" if row.get("correct_pasal") else ""


def nearest_label(row: dict) -> str:
    return "; ".join(readable_label(label) for label in _loads_list(row["nearest"]))


def repeat_label(row: dict) -> str:
    return "Ya — periksa" if row["repeats_previous"] else ""


@dataclass(frozen=True)
class DeskTable:
    """One table of the help desk: which rows it reads, and how a row reads as cells."""

    key: str  # element ids ("sentra-flagged") and the key of its page state
    title: str
    count: str  # its key in FeedbackStore.counts()
    rows: Callable[[FeedbackStore, int, int], list[dict]]  # (store, limit, offset) -> rows, newest first
    columns: tuple[str, ...]
    widths: tuple[str, ...]
    cells: Callable[[dict], list]

    def frame(self, store: FeedbackStore, page: int):
        import pandas as pd

        rows = self.rows(store, HELPDESK_PAGE_SIZE, page * HELPDESK_PAGE_SIZE)
        return pd.DataFrame([self.cells(row) for row in rows], columns=list(self.columns))


TABLES = (
    DeskTable(
        "flagged", "Jawaban yang dinilai tidak membantu", "down", FeedbackStore.flagged,
        ("No.", "Waktu", "Pertanyaan", "Komentar", "Rujukan", "Seharusnya", "Jawaban"),
        ("5%", "10%", "20%", "17%", "14%", "12%", "22%"),
        lambda r: [r["id"], _when(r["created_at"]), _plain(r["question"]), _plain(r["comment"]),
                   _citation_labels(r["citations"]), correction_label(r), _plain(r["answer"])],
    ),
    DeskTable(
        "unanswered", "Pertanyaan yang tidak terjawab", "unanswered", FeedbackStore.unanswered,
        ("Waktu", "Pertanyaan", "Ketentuan terdekat", "Sumber"), ("14%", "40%", "34%", "12%"),
        lambda r: [_when(r["created_at"]), _plain(r["question"]), nearest_label(r), r["source"]],
    ),
    # A misread follow-up gets an answer nobody flags; the clerk reads how each one was understood.
    DeskTable(
        "followups", "Pertanyaan lanjutan: periksa apakah dipahami", "followups", FeedbackStore.followups,
        ("Waktu", "Pertanyaan", "Sebelumnya", "Dibaca sebagai", "Rujukan", "Sama dengan jawaban sebelumnya"),
        ("11%", "18%", "18%", "23%", "18%", "12%"),
        lambda r: [_when(r["created_at"]), _plain(r["question"]), _plain(r["previous_question"]),
                   _plain(r["read_as"]), _citation_labels(r["citations"]), repeat_label(r)],
    ),
)


def page_count(total: int, size: int = HELPDESK_PAGE_SIZE) -> int:
    return max(1, -(-total // size))


def page_label(page: int, total: int) -> str:
    return f"Halaman {page + 1} dari {page_count(total)}"


def helpdesk_summary(counts: dict[str, int]) -> str:
    # Words only: on a machine without an emoji font, 👍/👎 render as empty boxes.
    return (
        f"**Ringkasan:** {counts['up']} jawaban dinilai membantu · {counts['down']} dinilai tidak membantu · "
        f"{counts['unanswered']} pertanyaan tidak terjawab · {counts['followups']} pertanyaan lanjutan."
    )


def save_correction(context: AppContext, number: float | None, regulation: str | None, pasal: str) -> str:
    """Record the pasal a 👎 answer should have cited; the message says what happened (Indonesian)."""
    if not number or number < 1:
        return "Isi nomor jawaban yang dinilai tidak membantu (kolom **No.** pada tabel)."
    if not regulation or regulation not in context.index.regulations:
        return "Pilih regulasi yang seharusnya dirujuk."
    pasal = normalize_pasal(pasal)
    if pasal == LAMPIRAN.upper():
        # A Lampiran is one long text: its opening words, the evidence a correction exports, would not
        # pick out the part that should have been cited.
        return "Koreksi ke Lampiran belum dapat disimpan; isi pasal batang tubuh yang seharusnya dirujuk."
    if not context.index.pasal_passages(regulation, pasal):
        return f"{regulation} tidak memuat Pasal {pasal or '(kosong)'} dalam indeks. Periksa nomor pasalnya."
    try:
        if not context.store.correct_feedback(int(number), regulation, pasal):
            return f"Tidak ada jawaban yang dinilai tidak membantu dengan nomor {int(number)}."
    except FeedbackError as error:
        return str(error)
    return (f"Koreksi disimpan: jawaban no. {int(number)} seharusnya merujuk {regulation} Pasal {pasal}. "
            "Unduh **koreksi sitasi (JSONL)** untuk melatih ulang penelusuran.")


def export_links() -> str:
    links = []
    for name, title in (("umpan-balik-negatif", "umpan balik negatif"),
                        ("pertanyaan-tak-terjawab", "pertanyaan tak terjawab"),
                        ("pertanyaan-lanjutan", "pertanyaan lanjutan")):
        links.append(f'<a href="export/{name}.csv" download id="sentra-export-{name}-csv">{title} (CSV)</a> · '
                     f'<a href="export/{name}.xlsx" download>{title} (Excel)</a>')
    return ('<p class="sentra-exports">Unduh semua data: ' + " · ".join(links) + ' · '
            '<a href="export/koreksi.jsonl" download id="sentra-export-corrections">koreksi sitasi (JSONL, data latih '
            'untuk <code>python -m assistant train --extra</code>)</a></p>'
            '<form method="post" action="logout"><button type="submit" class="sentra-logout">Keluar</button></form>')


def correction_form(context: AppContext) -> tuple[gr.Number, gr.Dropdown, gr.Textbox, gr.Button, gr.Markdown]:
    with gr.Group(elem_id="sentra-correction"):
        gr.Markdown("### Koreksi sitasi\nUntuk jawaban yang dinilai tidak membantu: pasal yang seharusnya dirujuk. Koreksi "
                    "diekspor sebagai data latih, sehingga help desk mengajari penelusuran.")
        with gr.Row():
            number = gr.Number(label="No. jawaban", precision=0, minimum=1, elem_id="sentra-correction-id")
            regulation = gr.Dropdown(choices=list(context.index.regulations), label="Regulasi",
                                     elem_id="sentra-correction-regulation")
            pasal = gr.Textbox(label="Pasal", placeholder="mis. 5 atau 5A", elem_id="sentra-correction-pasal")
            save = gr.Button("Simpan koreksi", variant="primary", elem_id="sentra-correction-save")
        saved = gr.Markdown(elem_id="sentra-correction-status")
    return number, regulation, pasal, save, saved


def show_pages(store: FeedbackStore, pages: list[int], moves: tuple[int, ...] = ()) -> tuple:
    """The summary, then (table, page label, page) for each table, after moving each page by its move."""
    try:
        counts = store.counts()
        shown = [helpdesk_summary(counts)]
        for table, page, move in zip(TABLES, pages, moves or (0,) * len(TABLES), strict=True):
            page = min(max(0, page + move), page_count(counts[table.count]) - 1)
            shown += [table.frame(store, page), page_label(page, counts[table.count]), page]
        return tuple(shown)
    except FeedbackError as error:
        gr.Warning(str(error))
        return (gr.skip(),) * (1 + 3 * len(TABLES))


def build_helpdesk(context: AppContext) -> gr.Blocks:
    store = context.store
    private = {"api_visibility": "private"}
    with gr.Blocks(title=f"Help desk — {APP_TITLE}", fill_width=True) as desk:
        pages = [gr.State(0) for _ in TABLES]
        gr.Markdown(f"# Help desk\n{APP_TITLE}: umpan balik pengguna. [Kembali ke asisten](/)")
        summary = gr.Markdown(elem_id="sentra-helpdesk-summary")
        gr.HTML(export_links())
        outputs, steps = [summary], []
        for position, (table, page) in enumerate(zip(TABLES, pages, strict=True)):
            gr.Markdown(f"## {table.title}")
            frame = gr.Dataframe(headers=list(table.columns), interactive=False, wrap=True,
                                 elem_id=f"sentra-{table.key}", column_widths=list(table.widths))
            with gr.Row():
                previous = gr.Button("‹ Sebelumnya", size="sm", elem_id=f"sentra-{table.key}-previous")
                label = gr.Markdown(elem_id=f"sentra-{table.key}-page")
                following = gr.Button("Berikutnya ›", size="sm", elem_id=f"sentra-{table.key}-next")
            outputs += [frame, label, page]
            for button, step in ((previous, -1), (following, 1)):
                steps.append((button, tuple(step if i == position else 0 for i in range(len(TABLES)))))
            if table.key == "flagged":
                number, regulation, pasal, save, saved = correction_form(context)

        desk.load(lambda *at: show_pages(store, list(at)), pages, outputs, **private)
        save.click(
            lambda n, r, p, *at: (save_correction(context, n, r, p), *show_pages(store, list(at))),
            [number, regulation, pasal, *pages], [saved, *outputs], **private,
        )
        for button, moves in steps:
            button.click(lambda *at, moves=moves: show_pages(store, list(at), moves), pages, outputs, **private)
    return desk
