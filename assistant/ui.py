"""Gradio user interfaces: the full chat app, the compact embeddable widget, and the help desk."""

from __future__ import annotations

import html
import json
import logging
import math
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import gradio as gr

from .chain import Assistant
from .citations import make_citation, render_citation
from .config import Settings
from .contract import answer_to_dict
from .feedback import FeedbackError, FeedbackStore
from .records import Answer, Citation, Passage
from .retriever import Filters
from .serving.throttle import RateLimit, client_of

log = logging.getLogger(__name__)

APP_TITLE = "Asisten Regulasi Sentra IKM"
EXAMPLES = [
    "Kalau kabupaten kami mau membangun Sentra IKM, apa kewajiban Pemda?",
    "Apa yang dimaksud dengan Sentra IKM?",
    "Pasal 18 PP 29/2018",
]
STATUSES = ["berlaku", "diubah", "dicabut"]
STATUS_LABEL = {"berlaku": "Berlaku", "diubah": "Diubah", "dicabut": "Dicabut"}
THINKING = "⏳ _Mencari pasal yang relevan…_"
ANSWER_FAILED = "Maaf, terjadi kesalahan saat menyusun jawaban. Silakan coba lagi beberapa saat lagi."
SOURCES_HINT = (
    '<div class="sentra-hint">Klik salah satu <b>rujukan</b> di bawah jawaban untuk melihat teks lengkap pasal, '
    "statusnya, dan letaknya (BAB/Bagian). Anda juga dapat membuka pasal secara langsung.</div>"
)
DISCLAIMER = (
    "Jawaban disusun otomatis dari teks peraturan dalam korpus dan selalu menyebutkan pasalnya. "
    "Periksa kembali teks resmi sebelum mengambil keputusan."
)

# On narrow screens the sources panel sits below the chat: bring it into view after a citation is opened.
SCROLL_TO_FEEDBACK = """() => {
  setTimeout(() => document.getElementById("sentra-feedback")?.scrollIntoView({behavior: "smooth", block: "center"}), 100);
}"""

SCROLL_TO_SOURCES = """() => {
  const panel = document.getElementById("sentra-sources");
  if (panel && window.innerWidth < 900) panel.scrollIntoView({behavior: "smooth", block: "start"});
  // A long pasal (an amending article quoting many others, a list of definitions) opens at the quoted part.
  let tries = 20;
  const toQuote = () => {
    const mark = panel && panel.querySelector(".pasal-text mark");
    if (!mark) { if (tries-- > 0) setTimeout(toQuote, 50); return; }
    const box = mark.closest(".pasal-text");
    box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - 24;
  };
  toQuote();
}"""

CSS = """
.sentra-header h1 { margin-bottom: 0.1em; }
.sentra-header p { margin-top: 0; opacity: 0.8; }
.sentra-chips .wrap { gap: 6px !important; }
.sentra-chips label { border-radius: 999px !important; padding: 4px 12px !important; font-size: 0.9em; cursor: pointer; }
.sentra-hint { padding: 12px; border: 1px dashed var(--border-color-primary); border-radius: 8px; opacity: 0.85; }
.pasal-card { padding: 12px 14px; border: 1px solid var(--border-color-primary); border-radius: 10px;
  background: var(--block-background-fill); }
.pasal-title { font-weight: 600; font-size: 1.02em; margin: 6px 0; }
.pasal-where { font-size: 0.88em; opacity: 0.85; margin-bottom: 8px; }
.pasal-text { white-space: pre-wrap; line-height: 1.55; max-height: 55vh; overflow-y: auto; }
.pasal-text mark { background: #fff3b0; color: inherit; padding: 0 2px; border-radius: 3px; }
.pasal-meta { font-size: 0.8em; opacity: 0.7; margin-top: 8px; }
.pasal-note { font-size: 0.88em; margin: 6px 0; padding: 6px 8px; border-left: 3px solid #d97706; }
.badge { display: inline-block; border-radius: 999px; padding: 2px 10px; font-size: 0.8em; font-weight: 600; }
.badge-berlaku { background: #dcfce7; color: #166534; }
.badge-diubah { background: #fef3c7; color: #92400e; }
.badge-dicabut { background: #fee2e2; color: #991b1b; }
.pasal-missing { padding: 10px; border-radius: 8px; background: #fef2f2; color: #991b1b; }
.sentra-disclaimer { font-size: 0.82em; color: #52525b; }
.sentra-active-filter { padding: 6px 12px; border-radius: 999px; background: #ffedd5; color: #7c2d12;
  font-size: 0.9em; width: fit-content; }
/* WCAG 2.1 AA contrast (checked with axe-core in tests/test_ui_browser.py): white on the primary fill and
   the selected tab's label need 4.5:1; Gradio's orange #f97316 gives 2.8:1, #c2410c gives 5.2:1. */
.gradio-container { --button-primary-background-fill: #c2410c; --button-primary-background-fill-hover: #9a3412;
  --button-primary-border-color: #c2410c; --button-primary-border-color-hover: #9a3412; --color-accent: #c2410c; }
button[role="tab"].selected { color: #c2410c; }
footer a, footer button, footer .show-api { color: #52525b !important; }
/* Touch targets of at least 44x44 px (WCAG 2.5.5) where fingers, not a mouse, press them. Gradio prefixes
   every selector here with its container, so none names .gradio-container itself. */
@media (max-width: 640px), (pointer: coarse) {
  .icon-button { min-width: 44px !important; min-height: 44px !important; justify-content: center; }
  button, .label-wrap { min-height: 44px !important; }
}
@media (max-width: 640px) {
  .gradio-container { padding: 4px !important; }
  .sentra-header h1 { font-size: 1.3em; }
  .pasal-text { max-height: none; }
}
"""

# Gradio names some controls in English whatever the page's language ("Copy message", "Select example 1:
# ...", "chatbot conversation") and lists the chat's examples as role="list" of buttons, which a list may
# not hold (axe-core: aria-required-children). Users read Indonesian: rename them as they appear.
ACCESSIBLE_NAMES = """<script>
(() => {
  const names = [
    [/^Copy message$/, "Salin pesan"], [/^Copied message$/, "Pesan disalin"], [/^More tabs$/, "Tab lainnya"],
    [/^chatbot conversation$/, "Percakapan"], [/^user's message: /, "Pertanyaan Anda: "],
    [/^bot's message: /, "Jawaban asisten: "], [/^Select example (\\d+): /, "Contoh pertanyaan $1: "],
    [/^Gradio footer navigation$/, "Navigasi kaki halaman"],
  ];
  const rename = (element, attribute) => {
    const value = element.getAttribute(attribute);
    for (const [english, indonesian] of names) {
      if (english.test(value)) { element.setAttribute(attribute, value.replace(english, indonesian)); return; }
    }
  };
  const fix = () => {
    for (const element of document.querySelectorAll("[aria-label]")) rename(element, "aria-label");
    for (const element of document.querySelectorAll("[title]")) rename(element, "title");
    for (const list of document.querySelectorAll('.examples[role="list"]')) {
      list.setAttribute("role", "group");
      list.setAttribute("aria-label", "Contoh pertanyaan");
    }
  };
  new MutationObserver(fix).observe(document.documentElement,
    {subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label", "title", "role"]});
})();
</script>"""

WIDGET_CSS = (
    CSS
    + """
footer { display: none !important; }
.sentra-widget-title p { margin: 0 0 4px 2px; }
.gradio-container { padding: 0 !important; }
"""
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class AppContext:
    """What the UI and the HTTP API share: one assistant (and index) and one help-desk store per process."""

    settings: Settings
    assistant: Assistant
    store: FeedbackStore
    ask_limit: RateLimit | None = None  # per-client limit on questions through the HTTP APIs

    @property
    def index(self):
        return self.assistant.index

    def resolve_regulation(self, given: str) -> str | None:
        """The regulation id for an id ("PP 29/2018"), a slug ("pp-29-2018") or "PP/29/2018"."""
        regulations = self.index.regulations
        if given in regulations:
            return given
        wanted = slug(given)
        return next((r for r in regulations if slug(r) == wanted), None)

    def unknown_regulations(self, given: list[str]) -> str | None:
        """The message for filters naming regulations the index lacks; None when all are known."""
        unknown = [r for r in given if self.resolve_regulation(r) is None]
        if not unknown:
            return None
        return (
            f"Regulasi tidak dikenal: {', '.join(unknown)}. "
            f"Regulasi yang tersedia: {', '.join(self.index.regulations)}."
        )

    def pasal_regulations(self) -> list[str]:
        """Regulations that have numbered pasal (the seed overview has none)."""
        found = {p.regulation for p in self.index.passages if p.kind == "pasal" and p.pasal not in ("", "-")}
        return [r for r in self.index.regulations if r in found]


# --- rendering helpers -------------------------------------------------------------------------------


def short_citation(citation: dict) -> str:
    """A compact chip label: "Pasal 18 ayat (1) · PP 29/2018"."""
    if citation["pasal"] in ("", "-"):
        document = citation["regulation"] if citation.get("number") else (citation["title"] or citation["regulation"])
        words = (citation.get("quote") or "").split()
        if not words:
            return document
        snippet = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
        return f"{document}: “{snippet}”"
    where = f"Pasal {citation['pasal']}"
    if citation.get("ayat"):
        where += f" ayat ({citation['ayat']})"
    return f"{where} · {citation['regulation']}"


RELATED_HEADING = "\n\nKetentuan terkait:\n"


def collapsed_related(text: str) -> str:
    """The supporting quotes after the lead, folded into a <details> block the user opens: on a phone an
    answer with all its quotes is several screens tall, and the lead is what most readers need first."""
    lead, heading, related = text.partition(RELATED_HEADING)
    if not heading:
        return text
    count = sum(1 for line in related.splitlines() if line.startswith("- "))
    return (f"{lead}\n\n<details><summary>Ketentuan terkait ({count} kutipan) — buka</summary>\n\n"
            f"{related.strip()}\n\n</details>")


def display_text(answer: Answer) -> str:
    """The chat message: notices (LLM fallback, truncated question, ...) first, then the answer Markdown
    with its supporting quotes folded."""
    notices = "".join(f"ℹ️ **Catatan:** {notice}\n\n" for notice in dict.fromkeys(answer.notices))
    return notices + collapsed_related(answer.answer or "")


def entry_from_answer(answer: Answer) -> dict:
    return {
        "question": answer.question,
        "answer": answer.answer,
        "display": display_text(answer),
        "abstained": answer.abstained,
        "notices": list(answer.notices),
        "citations": [asdict(c) for c in answer.citations],
        "feedback_id": None,
        "rating": None,
        "time": datetime.now().isoformat(timespec="seconds"),
    }


def to_messages(conversation: list[dict]) -> list[dict]:
    """Chat turns as shown (answers with notices and rendering)."""
    return _turns(conversation, "display")


def to_history(conversation: list[dict]) -> list[dict]:
    """What the chain needs for follow-up questions: plain text turns."""
    return _turns(conversation, "answer")


def _turns(conversation: list[dict], answer_field: str) -> list[dict]:
    turns = []
    for entry in conversation:
        turns.append({"role": "user", "content": entry["question"]})
        turns.append({"role": "assistant", "content": entry[answer_field]})
    return turns


def chip_choices(conversation: list[dict], answer_index: int) -> list[tuple[str, str]]:
    if not (0 <= answer_index < len(conversation)):
        return []
    choices, seen = [], set()
    for number, citation in enumerate(conversation[answer_index]["citations"]):
        label = short_citation(citation)
        if label in seen:
            continue
        seen.add(label)
        choices.append((label, f"{answer_index}:{number}"))
    return choices


def chips_update(conversation: list[dict], answer_index: int) -> dict:
    choices = chip_choices(conversation, answer_index)
    return gr.update(choices=choices, value=None, visible=bool(choices))


AYAT_BREAK = re.compile(r"(?<=[.;:])\s+(?=\(\d+[a-z]?\)\s)")


def _highlight(text: str, quote: str) -> str:
    """Escape the pasal text and mark the quoted sentence, if it is found verbatim."""
    escaped = html.escape(text)
    quote = (quote or "").strip()
    if len(quote) >= 12:
        target = html.escape(quote)
        position = escaped.find(target)
        if position >= 0:
            return f"{escaped[:position]}<mark>{target}</mark>{escaped[position + len(target) :]}"
    return escaped


def pasal_heading(passage: Passage, status: tuple[str, str]) -> str:
    return render_citation(replace(make_citation(passage, "", status), ayat=""))


def missing_html(message: str) -> str:
    return f'<div class="pasal-missing">{html.escape(message)}</div>'


def render_pasal_html(context: AppContext, regulation: str, pasal: str, passage_id: str = "", quote: str = "") -> str:
    """The sources panel: full text of a pasal (or of a non-pasal passage), status badge, BAB/Bagian."""
    index = context.index
    if pasal not in ("", "-"):
        parts = index.pasal_passages(regulation, pasal)
    elif passage_id in index.position:
        parts = [index.passages[index.position[passage_id]]]
    else:
        parts = []
    if not parts:
        return missing_html(f"Pasal {pasal} tidak ditemukan dalam {regulation}.")
    first = parts[0]
    status, note = index.pasal_status(first)
    text = "\n".join(part.text.strip() for part in parts)
    text = AYAT_BREAK.sub("\n", text)
    hierarchy = " › ".join(first.hierarchy) if first.hierarchy else "—"
    body = [
        '<div class="pasal-card">',
        f'<span class="badge badge-{html.escape(status)}">{STATUS_LABEL.get(status, html.escape(status))}</span>',
        f'<div class="pasal-title">{html.escape(pasal_heading(first, (status, note)))}</div>',
        f'<div class="pasal-where"><b>Letak:</b> {html.escape(hierarchy)}</div>',
    ]
    if note:
        body.append(f'<div class="pasal-note"><b>Catatan status:</b> {html.escape(note)}</div>')
    body.append(f'<div class="pasal-text">{_highlight(text, quote)}</div>')
    if pasal not in ("", "-"):
        explanation = index.pasal_passages(regulation, pasal, kinds=("penjelasan",))
        if explanation:
            joined = html.escape("\n".join(p.text.strip() for p in explanation))
            body.append(
                f"<details><summary>Penjelasan Pasal {html.escape(pasal)}</summary>"
                f'<div class="pasal-text">{joined}</div></details>'
            )
    body.append(f'<div class="pasal-meta">Berkas sumber: {html.escape(first.source_file)}</div>')
    body.append("</div>")
    return "".join(body)


def normalize_pasal(text: str) -> str:
    """ "pasal 5a" -> "5A"."""
    text = re.sub(r"(?i)^\s*pasal\s*", "", text or "").strip()
    return text.upper()


def conversation_markdown(conversation: list[dict]) -> str:
    lines = [f"# Percakapan — {APP_TITLE}", "", f"_Diekspor: {datetime.now().strftime('%d-%m-%Y %H:%M')}_", ""]
    for number, entry in enumerate(conversation, start=1):
        notices = "".join(f"Catatan: {notice}\n\n" for notice in entry.get("notices", []))
        lines += [f"## Pertanyaan {number}", "", entry["question"], "", "### Jawaban", "", notices + entry["answer"], ""]
        if entry["citations"]:
            lines += ["### Rujukan", ""]
            for citation in entry["citations"]:
                lines.append(f"- {render_citation(Citation(**citation))}")
                if citation.get("quote"):
                    lines.append(f"  > {citation['quote']}")
            lines.append("")
    lines += ["---", DISCLAIMER, ""]
    return "\n".join(lines)


# --- the shared chat step -----------------------------------------------------------------------------


def answer_turn(
    context: AppContext, question: str, conversation: list[dict], regulations: list[str], statuses: list[str]
) -> Iterator[tuple[list[dict], list[dict], bool]]:
    """Yields (messages, conversation, done). The answer streams into the last assistant message."""
    question = (question or "").strip()
    conversation = list(conversation or [])
    messages = to_messages(conversation) + [
        {"role": "user", "content": question},
        {"role": "assistant", "content": THINKING},
    ]
    yield messages, conversation, False
    filters = Filters(regulations=list(regulations or []), statuses=list(statuses or []))
    answer = None
    try:
        for answer in context.assistant.stream(question, to_history(conversation), None, filters):
            messages[-1] = {"role": "assistant", "content": display_text(answer) or THINKING}
            yield messages, conversation, False
    except Exception:  # the user gets a message; details go to the log
        log.exception("answering failed")
        messages[-1] = {"role": "assistant", "content": ANSWER_FAILED}
        yield messages, conversation, True
        return
    if answer is None:
        messages[-1] = {"role": "assistant", "content": ANSWER_FAILED}
        yield messages, conversation, True
        return
    conversation = conversation + [entry_from_answer(answer)]
    if answer.abstained and answer.question:
        log_unanswered(context, answer, "ui")
    yield to_messages(conversation), conversation, True


def log_unanswered(context: AppContext, answer: Answer, source: str) -> None:
    nearest = [f"{item.passage.regulation} Pasal {item.passage.pasal}".strip() for item in answer.passages[:3]]
    try:
        context.store.log_unanswered(answer.question, answer.answer, nearest, source=source)
    except FeedbackError:
        log.warning("could not log a declined question")


# --- event handlers (module-level so both apps share them) ---------------------------------------


def _rating(liked) -> str | None:
    if liked is True or liked == "Like":
        return "up"
    if liked is False or liked == "Dislike":
        return "down"
    return None


def apply_like(context: AppContext, data: gr.LikeData, conversation: list[dict], session: str):
    """Store a 👍/👎; returns (conversation, feedback id or None, rating or None)."""
    position = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
    answer_index = int(position) // 2
    conversation = [dict(entry) for entry in conversation or []]
    if not (0 <= answer_index < len(conversation)):
        gr.Warning("Jawaban ini tidak ditemukan lagi dalam percakapan. Silakan ajukan pertanyaan kembali.")
        return conversation, None, None
    entry = conversation[answer_index]
    rating = _rating(data.liked)
    try:
        if rating is None:
            if entry["feedback_id"] is not None:
                context.store.withdraw_feedback(entry["feedback_id"])
            entry["feedback_id"], entry["rating"] = None, None
            gr.Info("Penilaian dibatalkan.")
            return conversation, None, None
        if entry["feedback_id"] is None:
            entry["feedback_id"] = context.store.record_feedback(
                rating,
                entry["question"],
                entry["display"],
                entry["citations"],
                entry["abstained"],
                source="ui",
                session=session,
            )
        else:
            context.store.update_feedback(entry["feedback_id"], rating=rating)
    except FeedbackError as error:
        gr.Warning(str(error))
        return conversation, None, None
    entry["rating"] = rating
    gr.Info("Terima kasih atas penilaian Anda.")
    return conversation, entry["feedback_id"], rating


def example_text(data: gr.SelectData) -> str:
    value = data.value if isinstance(data.value, dict) else {}
    return value.get("text", "")


# Conversation downloads: one private folder, files older than an hour removed at the next download
# (Gradio serves its own copy, which its delete_cache setting removes on the same schedule).
EXPORT_FOLDER = Path(tempfile.gettempdir()) / "sentra-percakapan"
EXPORT_MAX_AGE_S = 3600
GRADIO_CACHE_CLEANUP = (EXPORT_MAX_AGE_S, EXPORT_MAX_AGE_S)  # (every, older than), seconds


def prune_old_files(folder: Path, max_age_s: float, now: float) -> None:
    for path in folder.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age_s:
                path.unlink()
        except OSError:
            log.warning("could not remove the old download %s", path)


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", "") or ""


def filter_chip(regulations: list[str] | None, statuses: list[str] | None):
    """The active filters, shown above the question box while any is set."""
    parts = list(regulations or []) + [f"status {STATUS_LABEL.get(s, s)}" for s in statuses or []]
    if not parts:
        return gr.update(value="", visible=False)
    return gr.update(value=f"**Filter aktif:** {' · '.join(parts)} — jawaban hanya dari sini "
                           "(ubah di *Filter regulasi*, atau *Hapus percakapan* untuk mulai tanpa filter).",
                     visible=True)


def too_many_requests(wait_s: float) -> str:
    return f"Terlalu banyak permintaan. Coba lagi dalam {math.ceil(wait_s)} detik."


# --- the full app ---------------------------------------------------------------------------------------


def build_main_ui(context: AppContext) -> gr.Blocks:
    regulations = context.index.regulations
    lookup_regulations = context.pasal_regulations()

    with gr.Blocks(title=APP_TITLE, fill_width=True, delete_cache=GRADIO_CACHE_CLEANUP) as demo:
        conversation = gr.State([])
        pending_feedback = gr.State(None)

        gr.Markdown(
            f"# {APP_TITLE}\nTanya jawab peraturan Sentra Industri Kecil dan Menengah (IKM), "
            "dengan rujukan sampai tingkat pasal.",
            elem_classes=["sentra-header"],
        )
        with gr.Tabs():
            with gr.Tab("Tanya jawab", id="chat"):  # noqa: SIM117 (Gradio layout nesting)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        chatbot = gr.Chatbot(
                            label="Percakapan",
                            show_label=False,
                            height=520,
                            buttons=["copy"],
                            feedback_options=("Like", "Dislike"),
                            placeholder="**Silakan bertanya tentang regulasi Sentra IKM.**\n\n"
                            "Contoh: kewajiban pemerintah daerah, pengertian Sentra IKM, atau isi suatu pasal.",
                            examples=[{"text": text} for text in EXAMPLES],
                            elem_id="sentra-chat",
                        )
                        active_filter = gr.Markdown(visible=False, elem_id="sentra-active-filter",
                                                    elem_classes=["sentra-active-filter"])
                        with gr.Row(equal_height=True):
                            question = gr.Textbox(
                                label="Pertanyaan",  # the accessible name; Gradio's default is "Textbox"
                                show_label=False,
                                placeholder="Tulis pertanyaan Anda, lalu tekan Enter…",
                                max_length=context.settings.max_question_chars * 2,
                                scale=5,
                                autofocus=True,
                                elem_id="sentra-question",
                            )
                            send = gr.Button("Kirim", variant="primary", scale=1, min_width=90, elem_id="sentra-send")
                        chips = gr.Radio(
                            label="Rujukan — klik untuk membuka teks pasal",
                            choices=[],
                            visible=False,
                            elem_classes=["sentra-chips"],
                            elem_id="sentra-chips",
                        )
                        with gr.Column(visible=False, elem_id="sentra-feedback") as feedback_box:
                            feedback_prompt = gr.Markdown("")
                            with gr.Row(equal_height=True):
                                comment = gr.Textbox(
                                    label="Komentar",
                                    show_label=False,
                                    placeholder="Komentar (opsional), misalnya pasal yang seharusnya dirujuk…",
                                    scale=5,
                                    elem_id="sentra-comment",
                                )
                                send_comment = gr.Button(
                                    "Kirim komentar", scale=1, min_width=120, elem_id="sentra-send-comment"
                                )
                        with gr.Accordion("Filter regulasi", open=False):
                            regulation_filter = gr.Dropdown(
                                choices=regulations,
                                multiselect=True,
                                label="Batasi jawaban ke regulasi",
                                info="Kosongkan untuk mencari di semua regulasi.",
                            )
                            status_filter = gr.CheckboxGroup(
                                choices=[(STATUS_LABEL[s], s) for s in STATUSES],
                                label="Status pasal",
                                info="Kosongkan untuk semua status.",
                            )
                        with gr.Row():
                            clear = gr.Button("Hapus percakapan", size="sm", elem_id="sentra-clear")
                            export = gr.Button("Unduh percakapan (.md)", size="sm", elem_id="sentra-export")
                        export_file = gr.File(label="Percakapan", visible=False, interactive=False)
                        gr.Markdown(DISCLAIMER, elem_classes=["sentra-disclaimer"])
                    with gr.Column(scale=2, min_width=300):
                        gr.Markdown("### Sumber")
                        sources = gr.HTML(SOURCES_HINT, elem_id="sentra-sources")
                        with gr.Accordion("Buka pasal", open=True):
                            with gr.Row(equal_height=True):
                                lookup_regulation = gr.Dropdown(
                                    choices=lookup_regulations,
                                    value=lookup_regulations[0] if lookup_regulations else None,
                                    label="Regulasi",
                                    scale=3,
                                    min_width=160,
                                    elem_id="sentra-lookup-regulation",
                                )
                                lookup_pasal = gr.Textbox(
                                    label="Nomor pasal",
                                    placeholder="mis. 18",
                                    scale=1,
                                    min_width=90,
                                    elem_id="sentra-lookup-pasal",
                                )
                            lookup = gr.Button("Buka pasal", elem_id="sentra-lookup")

            with gr.Tab("Help desk", id="helpdesk"):
                gr.Markdown(
                    "### Help desk\nJawaban yang dinilai tidak membantu (👎) dan pertanyaan yang tidak terjawab ada di halaman "
                    "help desk tersendiri, dengan kata sandi.\n\n[Buka help desk](helpdesk/)",
                    elem_id="sentra-helpdesk-link",
                )

        # --- chat ---
        def respond(message, conv, regs, statuses):
            if not (message or "").strip():
                gr.Warning("Tulis pertanyaan terlebih dahulu.")
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            first = True
            for messages, updated, done in answer_turn(context, message, conv, regs, statuses):
                # Clear the textbox once; later updates must not wipe what the user is typing meanwhile.
                box = "" if first else gr.skip()
                first = False
                if not done:
                    yield (
                        messages,
                        box,
                        updated,
                        gr.update(visible=False, value=None),
                        SOURCES_HINT,
                        gr.update(visible=False),
                    )
                else:
                    chips_value = chips_update(updated, len(updated) - 1)
                    yield messages, box, updated, chips_value, SOURCES_HINT, gr.update(visible=False)

        chat_outputs = [chatbot, question, conversation, chips, sources, feedback_box]
        chat_inputs = [question, conversation, regulation_filter, status_filter]
        send.click(respond, chat_inputs, chat_outputs, api_visibility="private")
        question.submit(respond, chat_inputs, chat_outputs, api_visibility="private")
        chatbot.example_select(example_text, None, question, api_visibility="private", queue=False).then(
            respond, chat_inputs, chat_outputs, api_visibility="private"
        )

        # --- citations and the sources panel ---
        def show_citation(choice, conv):
            try:
                answer_index, number = (int(part) for part in str(choice).split(":"))
                citation = conv[answer_index]["citations"][number]
            except (ValueError, IndexError, TypeError):
                return SOURCES_HINT
            return render_pasal_html(
                context, citation["regulation"], citation["pasal"], citation["passage_id"], citation["quote"]
            )

        chips.input(show_citation, [chips, conversation], sources, api_visibility="private", queue=False).then(
            None, js=SCROLL_TO_SOURCES
        )

        def select_message(data: gr.SelectData, conv):
            position = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            return chips_update(conv, int(position) // 2)

        chatbot.select(select_message, [conversation], chips, api_visibility="private", queue=False)

        def open_pasal(regulation, pasal):
            pasal = normalize_pasal(pasal)
            if not regulation:
                return missing_html("Pilih regulasi terlebih dahulu.")
            if not pasal:
                return missing_html("Tulis nomor pasal, misalnya 5 atau 18.")
            return render_pasal_html(context, regulation, pasal)

        for trigger in (lookup.click, lookup_pasal.submit):
            trigger(open_pasal, [lookup_regulation, lookup_pasal], sources, api_visibility="private", queue=False).then(
                None, js=SCROLL_TO_SOURCES
            )

        # --- feedback ---
        def on_like(data: gr.LikeData, conv, request: gr.Request):
            conv, feedback_id, rating = apply_like(context, data, conv, _session(request))
            if feedback_id is None:
                return conv, None, gr.update(visible=False), gr.skip(), gr.skip()
            prompt = (
                "**Apa yang kurang tepat dari jawaban ini?** Komentar Anda membantu kami memperbaikinya (opsional)."
                if rating == "down"
                else "**Terima kasih!** Ada tambahan komentar? (opsional)"
            )
            return conv, feedback_id, gr.update(visible=True), prompt, ""

        chatbot.like(
            on_like,
            [conversation],
            [conversation, pending_feedback, feedback_box, feedback_prompt, comment],
            api_visibility="private",
        ).then(None, js=SCROLL_TO_FEEDBACK)  # on a phone the box opens below the visible screen

        def save_comment(text, feedback_id):
            text = (text or "").strip()
            if feedback_id is None:
                gr.Warning("Beri penilaian membantu (👍) atau tidak membantu (👎) pada jawaban terlebih dahulu.")
                return gr.skip(), gr.skip(), gr.skip()
            if not text:
                gr.Warning("Komentar masih kosong.")
                return gr.skip(), gr.skip(), gr.skip()
            try:
                context.store.update_feedback(int(feedback_id), comment=text[:4000])
            except FeedbackError as error:
                gr.Warning(str(error))
                return gr.skip(), gr.skip(), gr.skip()
            gr.Info("Komentar tersimpan. Terima kasih!")
            return "", None, gr.update(visible=False)

        send_comment.click(
            save_comment,
            [comment, pending_feedback],
            [comment, pending_feedback, feedback_box],
            api_visibility="private",
        )
        comment.submit(
            save_comment,
            [comment, pending_feedback],
            [comment, pending_feedback, feedback_box],
            api_visibility="private",
        )

        # --- conversation tools ---
        def reset():
            return (
                [],
                [],
                gr.update(choices=[], value=None, visible=False),
                SOURCES_HINT,
                gr.update(visible=False),
                None,
                gr.update(value=None, visible=False),
            )

        reset_outputs = [chatbot, conversation, chips, sources, feedback_box, pending_feedback, export_file]
        clear.click(reset, None, reset_outputs, api_visibility="private", queue=False)
        chatbot.clear(reset, None, reset_outputs, api_visibility="private", queue=False)
        # "Hapus percakapan" starts afresh: the filters go too, or the next question would be answered
        # within limits the user no longer sees.
        clear.click(lambda: ([], [], gr.update(value="", visible=False)), None,
                    [regulation_filter, status_filter, active_filter], api_visibility="private", queue=False)
        for control in (regulation_filter, status_filter):
            control.change(filter_chip, [regulation_filter, status_filter], active_filter,
                           api_visibility="private", queue=False)

        def export_conversation(conv):
            if not conv:
                gr.Warning("Belum ada percakapan untuk diunduh.")
                return gr.update(value=None, visible=False)
            folder = EXPORT_FOLDER
            folder.mkdir(mode=0o700, exist_ok=True)
            prune_old_files(folder, EXPORT_MAX_AGE_S, time.time())
            path = folder / f"percakapan-sentra-ikm-{datetime.now().strftime('%Y%m%d-%H%M%S')}.md"
            path.write_text(conversation_markdown(conv), encoding="utf-8")
            return gr.update(value=str(path), visible=True)

        export.click(export_conversation, [conversation], export_file, api_visibility="private")

        # --- the named API endpoint for gradio_client ---
        def ask(
            question: str,
            regulations: list[str] | None = None,
            statuses: list[str] | None = None,
            request: gr.Request = None,
        ) -> tuple[str, dict]:
            """Ajukan pertanyaan; mengembalikan jawaban (Markdown) dan kontrak JSON yang sama dengan POST /api/ask."""
            wait = context.ask_limit.hit(client_of(request)) if context.ask_limit else None
            if wait is not None:
                raise gr.Error(too_many_requests(wait))
            regulations = list(regulations or [])
            unknown = context.unknown_regulations(regulations)
            if unknown:
                raise gr.Error(unknown)
            unknown_statuses = [s for s in statuses or [] if s not in STATUSES]
            if unknown_statuses:
                raise gr.Error(f"Status tidak dikenal: {', '.join(unknown_statuses)}. Pilihan: {', '.join(STATUSES)}.")
            answer = context.assistant.ask(
                question or "",
                filters=Filters(
                    regulations=[context.resolve_regulation(r) for r in regulations], statuses=list(statuses or [])
                ),
            )
            if answer.abstained and answer.question:
                log_unanswered(context, answer, "gradio-api")
            return display_text(answer), answer_to_dict(answer)

        gr.api(ask, api_name="ask")

    return demo


# --- help desk ---------------------------------------------------------------------------------------


FLAGGED_COLUMNS = ["No.", "Waktu", "Pertanyaan", "Komentar", "Rujukan", "Seharusnya", "Jawaban"]
UNANSWERED_COLUMNS = ["Waktu", "Pertanyaan", "Ketentuan terdekat", "Sumber"]
MARKDOWN_MARKS = re.compile(r"[*_>#`]+")


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


HELPDESK_PAGE_SIZE = 25  # rows per table page: a page renders at once on a phone, too


def page_count(total: int, size: int = HELPDESK_PAGE_SIZE) -> int:
    return max(1, -(-total // size))


def flagged_table(store: FeedbackStore, page: int):
    import pandas as pd

    rows = store.flagged(limit=HELPDESK_PAGE_SIZE, offset=page * HELPDESK_PAGE_SIZE)
    return pd.DataFrame(
        [
            [r["id"], _when(r["created_at"]), _plain(r["question"]), _plain(r["comment"]),
             _citation_labels(r["citations"]), correction_label(r), _plain(r["answer"])]
            for r in rows
        ],
        columns=FLAGGED_COLUMNS,
    )


def correction_label(row: dict) -> str:
    return f"{row['correct_regulation']} Pasal {row['correct_pasal']}" if row.get("correct_pasal") else ""


def save_correction(context: AppContext, number: float | None, regulation: str | None, pasal: str) -> str:
    """Record the pasal a 👎 answer should have cited; the message says what happened (Indonesian)."""
    if not number or number < 1:
        return "Isi nomor jawaban yang dinilai tidak membantu (kolom **No.** pada tabel)."
    if not regulation or regulation not in context.index.regulations:
        return "Pilih regulasi yang seharusnya dirujuk."
    pasal = normalize_pasal(pasal)
    if not context.index.pasal_passages(regulation, pasal):
        return f"{regulation} tidak memuat Pasal {pasal or '(kosong)'} dalam indeks. Periksa nomor pasalnya."
    try:
        if not context.store.correct_feedback(int(number), regulation, pasal):
            return f"Tidak ada jawaban yang dinilai tidak membantu (👎) dengan nomor {int(number)}."
    except FeedbackError as error:
        return str(error)
    return (f"Koreksi disimpan: jawaban no. {int(number)} seharusnya merujuk {regulation} Pasal {pasal}. "
            "Unduh **koreksi sitasi (JSONL)** untuk melatih ulang penelusuran.")


def unanswered_table(store: FeedbackStore, page: int):
    import pandas as pd

    rows = store.unanswered(limit=HELPDESK_PAGE_SIZE, offset=page * HELPDESK_PAGE_SIZE)
    return pd.DataFrame(
        [[_when(r["created_at"]), _plain(r["question"]), ", ".join(_loads_list(r["nearest"])), r["source"]] for r in rows],
        columns=UNANSWERED_COLUMNS,
    )


def helpdesk_summary(counts: dict[str, int]) -> str:
    return (
        f"**Ringkasan:** {counts['up']} jawaban dinilai membantu (👍) · {counts['down']} dinilai tidak membantu (👎) · "
        f"{counts['unanswered']} pertanyaan tidak terjawab."
    )


def page_label(page: int, total: int) -> str:
    return f"Halaman {page + 1} dari {page_count(total)}"


def _loads_list(raw: str) -> list[str]:
    try:
        value = json.loads(raw or "[]")
        return [str(v) for v in value] if isinstance(value, list) else []
    except ValueError:
        return []


EXPORT_LINKS = """<p class="sentra-exports">Unduh semua data:
<a href="export/umpan-balik-negatif.csv" download id="sentra-export-flagged-csv">umpan balik negatif (CSV)</a> ·
<a href="export/umpan-balik-negatif.xlsx" download>umpan balik negatif (Excel)</a> ·
<a href="export/pertanyaan-tak-terjawab.csv" download id="sentra-export-unanswered-csv">pertanyaan tak terjawab (CSV)</a> ·
<a href="export/pertanyaan-tak-terjawab.xlsx" download>pertanyaan tak terjawab (Excel)</a> ·
<a href="export/koreksi.jsonl" download id="sentra-export-corrections">koreksi sitasi (JSONL, data latih untuk
<code>python -m assistant train --extra</code>)</a></p>
<form method="post" action="logout"><button type="submit" class="sentra-logout">Keluar</button></form>"""


def build_helpdesk(context: AppContext) -> gr.Blocks:
    """The help desk at /helpdesk/, behind the session gate (serving/middleware.py): flagged answers
    and declined questions, a page at a time, and the exports."""
    store = context.store
    with gr.Blocks(title=f"Help desk — {APP_TITLE}", fill_width=True) as desk:
        flagged_page, unanswered_page = gr.State(0), gr.State(0)
        gr.Markdown(f"# Help desk\n{APP_TITLE}: umpan balik pengguna. [Kembali ke asisten](/)")
        summary = gr.Markdown(elem_id="sentra-helpdesk-summary")
        gr.HTML(EXPORT_LINKS)
        tables = {}
        for key, title, columns, widths in (
            ("flagged", "Jawaban yang dinilai tidak membantu (👎)", FLAGGED_COLUMNS, ["5%", "10%", "20%", "17%", "14%", "12%", "22%"]),
            ("unanswered", "Pertanyaan yang tidak terjawab", UNANSWERED_COLUMNS, ["14%", "40%", "34%", "12%"]),
        ):
            gr.Markdown(f"## {title}")
            table = gr.Dataframe(headers=columns, interactive=False, wrap=True, elem_id=f"sentra-{key}",
                                 column_widths=widths)
            with gr.Row():
                previous = gr.Button("‹ Sebelumnya", size="sm", elem_id=f"sentra-{key}-previous")
                label = gr.Markdown(elem_id=f"sentra-{key}-page")
                following = gr.Button("Berikutnya ›", size="sm", elem_id=f"sentra-{key}-next")
            tables[key] = (table, label, previous, following)
            if key == "flagged":
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

        def show(flagged_at: int, unanswered_at: int, move_flagged: int = 0, move_unanswered: int = 0):
            try:
                counts = store.counts()
                flagged_at = min(max(0, flagged_at + move_flagged), page_count(counts["down"]) - 1)
                unanswered_at = min(max(0, unanswered_at + move_unanswered), page_count(counts["unanswered"]) - 1)
                return (
                    helpdesk_summary(counts),
                    flagged_table(store, flagged_at), page_label(flagged_at, counts["down"]), flagged_at,
                    unanswered_table(store, unanswered_at), page_label(unanswered_at, counts["unanswered"]),
                    unanswered_at,
                )
            except FeedbackError as error:
                gr.Warning(str(error))
                return (gr.skip(),) * 7

        flagged, flagged_label, flagged_previous, flagged_next = tables["flagged"]
        unanswered, unanswered_label, unanswered_previous, unanswered_next = tables["unanswered"]
        outputs = [summary, flagged, flagged_label, flagged_page, unanswered, unanswered_label, unanswered_page]
        pages = [flagged_page, unanswered_page]
        desk.load(show, pages, outputs, api_visibility="private")
        save.click(
            lambda n, r, p, f, u: (save_correction(context, n, r, p), *show(f, u)),
            [number, regulation, pasal, *pages], [saved, *outputs], api_visibility="private",
        )
        for button, step in ((flagged_previous, (-1, 0)), (flagged_next, (1, 0)),
                             (unanswered_previous, (0, -1)), (unanswered_next, (0, 1))):
            button.click(lambda f, u, step=step: show(f, u, *step), pages, outputs, api_visibility="private")
    return desk


# --- the embeddable widget --------------------------------------------------------------------------


def build_widget(context: AppContext) -> gr.Blocks:
    """A compact chat for iframes and the <gradio-app> web component."""
    with gr.Blocks(title=f"{APP_TITLE} (widget)", fill_height=True) as widget:
        conversation = gr.State([])
        gr.Markdown(f"**{APP_TITLE}**", elem_classes=["sentra-widget-title"])
        chatbot = gr.Chatbot(
            label=APP_TITLE,
            show_label=False,
            height=380,
            buttons=["copy"],
            feedback_options=("Like", "Dislike"),
            placeholder=f"**{APP_TITLE}**\n\nTanyakan regulasi Sentra IKM; jawaban selalu menyebutkan pasalnya.",
            examples=[{"text": text} for text in EXAMPLES[:2]],
            elem_id="sentra-widget-chat",
        )
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                label="Pertanyaan",
                show_label=False,
                placeholder="Tulis pertanyaan…",
                scale=5,
                elem_id="sentra-widget-question",
                max_length=context.settings.max_question_chars * 2,
            )
            send = gr.Button("Kirim", variant="primary", scale=1, min_width=70, elem_id="sentra-widget-send")
        clear = gr.Button("Hapus percakapan", size="sm")
        gr.Markdown(DISCLAIMER, elem_classes=["sentra-disclaimer"])

        def respond(message, conv):
            if not (message or "").strip():
                gr.Warning("Tulis pertanyaan terlebih dahulu.")
                yield gr.skip(), gr.skip(), gr.skip()
                return
            first = True
            for messages, updated, _ in answer_turn(context, message, conv, [], []):
                yield messages, ("" if first else gr.skip()), updated
                first = False

        inputs, outputs = [question, conversation], [chatbot, question, conversation]
        send.click(respond, inputs, outputs, api_visibility="private")
        question.submit(respond, inputs, outputs, api_visibility="private")
        chatbot.example_select(example_text, None, question, api_visibility="private", queue=False).then(
            respond, inputs, outputs, api_visibility="private"
        )

        def on_like(data: gr.LikeData, conv, request: gr.Request):
            conv, _, _ = apply_like(context, data, conv, _session(request))
            return conv

        chatbot.like(on_like, [conversation], [conversation], api_visibility="private")
        clear.click(lambda: ([], []), None, [chatbot, conversation], api_visibility="private", queue=False)
        chatbot.clear(lambda: ([], []), None, [chatbot, conversation], api_visibility="private", queue=False)
    return widget
