"""The chat: one answer step and its handlers, shared by the full app (build_main_ui) and the embeddable
widget (widget.py) through ChatPanel, which builds the controls and wires their events."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import gradio as gr

from ...answering.contract import answer_to_dict
from ...records import Answer
from ...retrieval.lookups import Filters
from ..feedback import FeedbackError
from ..throttle import client_of
from .context import (
    ANSWER_FAILED,
    APP_TITLE,
    DISCLAIMER,
    EXAMPLES,
    SOURCES_HINT,
    STATUS_LABEL,
    STATUSES,
    THINKING,
    AppContext,
    too_many_requests,
)
from .render import (
    conversation_markdown,
    display_text,
    missing_html,
    normalize_pasal,
    passage_label,
    render_pasal_html,
    scroll_to_feedback,
    scroll_to_sources,
    short_citation,
)

log = logging.getLogger(__name__)


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


# --- the shared chat step -----------------------------------------------------------------------------


def answer_turn(
    context: AppContext,
    question: str,
    conversation: list[dict],
    regulations: list[str],
    statuses: list[str],
    source: str = "ui",
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
    entry = entry_from_answer(answer)
    if answer.abstained and answer.question:
        log_unanswered(context, answer, source)
    elif conversation and answer.question:
        log_followup(context, entry, conversation[-1], answer.standalone_question, source)
    yield to_messages(conversation + [entry]), conversation + [entry], True


def log_unanswered(context: AppContext, answer: Answer, source: str) -> None:
    nearest = [passage_label(item.passage) for item in answer.passages[:3]]
    try:
        context.store.log_unanswered(answer.question, answer.answer, nearest, source=source)
    except FeedbackError:
        log.warning("could not log a declined question")


def cited_provisions(entry: dict) -> set[tuple[str, str]]:
    return {(c["regulation"], c["pasal"]) for c in entry["citations"]}


def log_followup(context: AppContext, entry: dict, previous: dict, read_as: str, source: str) -> None:
    """An answered follow-up goes to the help desk's review list, marked when it cites exactly what the
    previous answer cited (the usual sign that it was read as the previous question)."""
    repeats = bool(entry["citations"]) and cited_provisions(entry) == cited_provisions(previous)
    try:
        context.store.log_followup(entry["question"], previous["question"], read_as, entry["answer"],
                                   entry["citations"], repeats, source=source)
    except FeedbackError:
        log.warning("could not log a follow-up question")

# --- event handlers (module-level so both apps share them) ---------------------------------------


def _rating(liked) -> str | None:
    if liked is True or liked == "Like":
        return "up"
    if liked is False or liked == "Dislike":
        return "down"
    return None


def apply_like(context: AppContext, data: gr.LikeData, conversation: list[dict], session: str, source: str = "ui"):
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
                source=source,
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



# --- the chat controls, shared by the full app and the widget ------------------------------------------


class ChatPanel:
    """The chat's controls and their events, built under one element-id prefix ("sentra" for the app,
    "sentra-widget" for the widget): the conversation, the question box, citation chips that open the
    pasal in a sources panel, and the comment box that opens after 👍/👎. The layout around them is the
    caller's: it calls the builders inside its rows and columns, then `wire`."""

    def __init__(self, context: AppContext, prefix: str, source: str, compact: bool):
        self.context, self.prefix, self.source, self.compact = context, prefix, source, compact
        # The full app shows a hint where the pasal text will appear; the widget keeps the space.
        self.idle_sources = "" if compact else SOURCES_HINT
        self.conversation = gr.State([])
        self.pending_feedback = gr.State(None)

    def element(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    # --- builders (called inside the caller's layout) ---

    def chat(self, height: int, examples: list[str], placeholder: str) -> gr.Chatbot:
        self.chatbot = gr.Chatbot(
            label="Percakapan",
            show_label=False,
            height=height,
            buttons=["copy"],
            feedback_options=("Like", "Dislike"),
            placeholder=placeholder,
            examples=[{"text": text} for text in examples],
            elem_id=self.element("chat"),
        )
        return self.chatbot

    def question_row(self, placeholder: str, send_width: int) -> None:
        with gr.Row(equal_height=True):
            self.question = gr.Textbox(
                label="Pertanyaan",  # the accessible name; Gradio's default is "Textbox"
                show_label=False,
                placeholder=placeholder,
                max_length=self.context.settings.max_question_chars * 2,
                scale=5,
                autofocus=not self.compact,  # a widget must not pull the portal page's focus
                elem_id=self.element("question"),
            )
            self.send = gr.Button("Kirim", variant="primary", scale=1, min_width=send_width, elem_id=self.element("send"))

    def citation_chips(self) -> None:
        self.chips = gr.Radio(
            label="Rujukan — klik untuk membuka teks pasal",
            choices=[],
            visible=False,
            elem_classes=["sentra-chips"],
            elem_id=self.element("chips"),
        )

    def feedback_form(self) -> None:
        with gr.Column(visible=False, elem_id=self.element("feedback")) as self.feedback_box:
            self.feedback_prompt = gr.Markdown("")
            with gr.Row(equal_height=True):
                self.comment = gr.Textbox(
                    label="Komentar",
                    show_label=False,
                    placeholder="Komentar (opsional), misalnya pasal yang seharusnya dirujuk…",
                    scale=5,
                    elem_id=self.element("comment"),
                )
                self.send_comment = gr.Button(
                    "Kirim komentar", scale=1, min_width=120, elem_id=self.element("send-comment")
                )

    def sources_panel(self) -> None:
        self.sources = gr.HTML(self.idle_sources, visible=not self.compact, elem_id=self.element("sources"))

    def clear_button(self) -> gr.Button:
        self.clear = gr.Button("Hapus percakapan", size="sm", elem_id=self.element("clear"))
        return self.clear

    # --- handlers ---

    def idle_sources_update(self) -> dict:
        return gr.update(value=self.idle_sources, visible=not self.compact)

    def respond(self, message, conversation, regulations=None, statuses=None):
        if not (message or "").strip():
            gr.Warning("Tulis pertanyaan terlebih dahulu.")
            yield (gr.skip(),) * 6
            return
        first = True
        for messages, updated, done in answer_turn(
            self.context, message, conversation, regulations or [], statuses or [], self.source
        ):
            # Clear the textbox once; later updates must not wipe what the user is typing meanwhile.
            box = "" if first else gr.skip()
            first = False
            chips = chips_update(updated, len(updated) - 1) if done else gr.update(visible=False, value=None)
            yield messages, box, updated, chips, self.idle_sources_update(), gr.update(visible=False)

    def show_citation(self, choice, conversation):
        try:
            answer_index, number = (int(part) for part in str(choice).split(":"))
            citation = conversation[answer_index]["citations"][number]
        except (ValueError, IndexError, TypeError):
            return self.idle_sources_update()
        shown = render_pasal_html(self.context, citation["regulation"], citation["pasal"], citation["passage_id"],
                                  citation["quote"], compact=self.compact)
        return gr.update(value=shown, visible=True)

    def select_message(self, data: gr.SelectData, conversation):
        position = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        return chips_update(conversation, int(position) // 2)

    def on_like(self, data: gr.LikeData, conversation, request: gr.Request):
        conversation, feedback_id, rating = apply_like(self.context, data, conversation, _session(request), self.source)
        if feedback_id is None:
            return conversation, None, gr.update(visible=False), gr.skip(), gr.skip()
        prompt = (
            "**Apa yang kurang tepat dari jawaban ini?** Komentar Anda membantu kami memperbaikinya (opsional)."
            if rating == "down"
            else "**Terima kasih!** Ada tambahan komentar? (opsional)"
        )
        return conversation, feedback_id, gr.update(visible=True), prompt, ""

    def save_comment(self, text, feedback_id):
        text = (text or "").strip()
        if feedback_id is None:
            gr.Warning("Beri penilaian membantu atau tidak membantu (ikon jempol) pada jawaban terlebih dahulu.")
            return gr.skip(), gr.skip(), gr.skip()
        if not text:
            gr.Warning("Komentar masih kosong.")
            return gr.skip(), gr.skip(), gr.skip()
        try:
            self.context.store.update_feedback(int(feedback_id), comment=text[:4000])
        except FeedbackError as error:
            gr.Warning(str(error))
            return gr.skip(), gr.skip(), gr.skip()
        gr.Info("Komentar tersimpan. Terima kasih!")
        return "", None, gr.update(visible=False)

    def reset(self):
        return ([], [], gr.update(choices=[], value=None, visible=False), self.idle_sources_update(),
                gr.update(visible=False), None)

    # --- events ---

    def wire(self, filters: tuple = ()) -> None:
        """Connect the controls; `filters` (regulation dropdown, status checkboxes) narrow every question."""
        private = {"api_visibility": "private"}
        inputs = [self.question, self.conversation, *filters]
        outputs = [self.chatbot, self.question, self.conversation, self.chips, self.sources, self.feedback_box]
        self.send.click(self.respond, inputs, outputs, **private)
        self.question.submit(self.respond, inputs, outputs, **private)
        self.chatbot.example_select(example_text, None, self.question, queue=False, **private).then(
            self.respond, inputs, outputs, **private
        )
        self.chips.input(self.show_citation, [self.chips, self.conversation], self.sources, queue=False,
                         **private).then(None, js=scroll_to_sources(self.element("sources")))
        self.chatbot.select(self.select_message, [self.conversation], self.chips, queue=False, **private)
        self.chatbot.like(
            self.on_like,
            [self.conversation],
            [self.conversation, self.pending_feedback, self.feedback_box, self.feedback_prompt, self.comment],
            **private,
        ).then(None, js=scroll_to_feedback(self.element("feedback")))
        comment_io = ([self.comment, self.pending_feedback], [self.comment, self.pending_feedback, self.feedback_box])
        self.send_comment.click(self.save_comment, *comment_io, **private)
        self.comment.submit(self.save_comment, *comment_io, **private)
        reset_outputs = [self.chatbot, self.conversation, self.chips, self.sources, self.feedback_box,
                         self.pending_feedback]
        self.clear.click(self.reset, None, reset_outputs, queue=False, **private)
        self.chatbot.clear(self.reset, None, reset_outputs, queue=False, **private)


# --- the full app ---------------------------------------------------------------------------------------


@dataclass
class MainControls:
    """The full app's controls around the chat panel, which wire_main_ui connects."""

    active_filter: gr.Markdown
    regulation_filter: gr.Dropdown
    status_filter: gr.CheckboxGroup
    clear: gr.Button
    export: gr.Button
    export_file: gr.File
    lookup_regulation: gr.Dropdown
    lookup_pasal: gr.Textbox
    lookup: gr.Button


def build_main_ui(context: AppContext) -> gr.Blocks:
    with gr.Blocks(title=APP_TITLE, fill_width=True, delete_cache=GRADIO_CACHE_CLEANUP) as demo:
        panel = ChatPanel(context, prefix="sentra", source="ui", compact=False)
        gr.Markdown(
            f"# {APP_TITLE}\nTanya jawab peraturan Sentra Industri Kecil dan Menengah (IKM), "
            "dengan rujukan sampai tingkat pasal.",
            elem_classes=["sentra-header"],
        )
        with gr.Tabs():
            with gr.Tab("Tanya jawab", id="chat"):
                controls = chat_tab(context, panel)
            with gr.Tab("Help desk", id="helpdesk"):
                gr.Markdown(
                    "### Help desk\nJawaban yang dinilai tidak membantu, pertanyaan yang tidak terjawab dan "
                    "pertanyaan lanjutan ada di halaman help desk tersendiri, dengan kata sandi.\n\n"
                    "[Buka help desk](helpdesk/)",
                    elem_id="sentra-helpdesk-link",
                )
        wire_main_ui(context, panel, controls)
    return demo


def chat_tab(context: AppContext, panel: ChatPanel) -> MainControls:
    """The chat with its filters and download on the left, the sources and "Buka pasal" on the right."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            panel.chat(
                520, EXAMPLES,
                "**Silakan bertanya tentang regulasi Sentra IKM.**\n\n"
                "Contoh: kewajiban pemerintah daerah, pengertian Sentra IKM, atau isi suatu pasal.",
            )
            active_filter = gr.Markdown(visible=False, elem_id="sentra-active-filter",
                                        elem_classes=["sentra-active-filter"])
            panel.question_row("Tulis pertanyaan Anda, lalu tekan Enter…", send_width=90)
            panel.citation_chips()
            panel.feedback_form()
            regulation_filter, status_filter = regulation_filters(context.index.regulations)
            with gr.Row():
                clear = panel.clear_button()
                export = gr.Button("Unduh percakapan (.md)", size="sm", elem_id="sentra-export")
            export_file = gr.File(label="Percakapan", visible=False, interactive=False)
            gr.Markdown(DISCLAIMER, elem_classes=["sentra-disclaimer"])
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("### Sumber")
            panel.sources_panel()
            lookup_regulation, lookup_pasal, lookup = pasal_lookup(context.pasal_regulations())
    return MainControls(active_filter, regulation_filter, status_filter, clear, export, export_file,
                        lookup_regulation, lookup_pasal, lookup)


def regulation_filters(regulations: list[str]) -> tuple[gr.Dropdown, gr.CheckboxGroup]:
    """"Filter regulasi": limit answers to some regulations and pasal statuses."""
    with gr.Accordion("Filter regulasi", open=False):
        regulation = gr.Dropdown(
            choices=regulations,
            multiselect=True,
            label="Batasi jawaban ke regulasi",
            info="Kosongkan untuk mencari di semua regulasi.",
        )
        status = gr.CheckboxGroup(
            choices=[(STATUS_LABEL[s], s) for s in STATUSES],
            label="Status pasal",
            info="Kosongkan untuk semua status.",
        )
    return regulation, status


def wire_main_ui(context: AppContext, panel: ChatPanel, controls: MainControls) -> None:
    private = {"api_visibility": "private"}
    filters = [controls.regulation_filter, controls.status_filter]
    panel.wire(filters=tuple(filters))
    for trigger in (controls.lookup.click, controls.lookup_pasal.submit):
        trigger(partial(open_pasal, context), [controls.lookup_regulation, controls.lookup_pasal], panel.sources,
                queue=False, **private).then(None, js=scroll_to_sources(panel.element("sources")))
    controls.clear.click(clear_filters, None, [*filters, controls.active_filter, controls.export_file],
                         queue=False, **private)
    for control in filters:
        control.change(filter_chip, filters, controls.active_filter, queue=False, **private)
    controls.export.click(export_conversation, [panel.conversation], controls.export_file, **private)
    gr.api(ask_function(context), api_name="ask")


def open_pasal(context: AppContext, regulation: str | None, pasal: str | None) -> str:
    """"Buka pasal": the pasal card, or what the user still has to fill in."""
    pasal = normalize_pasal(pasal)
    if not regulation:
        return missing_html("Pilih regulasi terlebih dahulu.")
    if not pasal:
        return missing_html("Tulis nomor pasal, misalnya 5 atau 18.")
    return render_pasal_html(context, regulation, pasal)


def clear_filters() -> tuple:
    """"Hapus percakapan" starts afresh: the filters and the download go too, or the next question would
    be answered within limits the user no longer sees."""
    return [], [], gr.update(value="", visible=False), gr.update(value=None, visible=False)


def pasal_lookup(regulations: list[str]) -> tuple[gr.Dropdown, gr.Textbox, gr.Button]:
    """"Buka pasal": open any pasal by regulation and number."""
    with gr.Accordion("Buka pasal", open=True):
        with gr.Row(equal_height=True):
            regulation = gr.Dropdown(
                choices=regulations,
                value=regulations[0] if regulations else None,
                label="Regulasi",
                scale=3,
                min_width=160,
                elem_id="sentra-lookup-regulation",
            )
            pasal = gr.Textbox(label="Nomor pasal", placeholder="mis. 18", scale=1, min_width=90,
                               elem_id="sentra-lookup-pasal")
        button = gr.Button("Buka pasal", elem_id="sentra-lookup")
    return regulation, pasal, button


def export_conversation(conversation):
    if not conversation:
        gr.Warning("Belum ada percakapan untuk diunduh.")
        return gr.update(value=None, visible=False)
    folder = EXPORT_FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    prune_old_files(folder, EXPORT_MAX_AGE_S, time.time())
    path = folder / f"percakapan-sentra-ikm-{datetime.now().strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(conversation_markdown(conversation), encoding="utf-8")
    return gr.update(value=str(path), visible=True)


def ask_function(context: AppContext):
    """The named Gradio API endpoint "/ask" for gradio_client."""

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

    return ask
