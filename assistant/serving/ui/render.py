"""How answers and pasal texts look in the UIs: CSS, head scripts, citation labels, the pasal card, and
the conversation export. Pure functions of records and the index; no Gradio events here."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from jinja2 import Environment
from markupsafe import Markup, escape

from ...answering.backends import REGULATIONS_CITED
from ...answering.citations import LAMPIRAN, make_citation, render_citation, table_rows
from ...records import Answer, Citation, Passage
from .context import APP_TITLE, DISCLAIMER, STATUS_LABEL, AppContext


def scroll_to_feedback(element_id: str) -> str:
    """JS run after a 👍/👎: on a phone the comment box opens below the visible screen."""
    return f"""() => {{
  setTimeout(() => document.getElementById("{element_id}")?.scrollIntoView({{behavior: "smooth", block: "center"}}), 100);
}}"""


def scroll_to_sources(element_id: str) -> str:
    """JS run after a citation opens: on narrow screens the sources panel sits below the chat, and a long
    pasal (an amending article quoting many others, a list of definitions) opens at the quoted part."""
    return f"""() => {{
  const panel = document.getElementById("{element_id}");
  if (panel && window.innerWidth < 900) panel.scrollIntoView({{behavior: "smooth", block: "start"}});
  let tries = 20;
  const toQuote = () => {{
    const mark = panel && panel.querySelector(".pasal-text mark");
    if (!mark) {{ if (tries-- > 0) setTimeout(toQuote, 50); return; }}
    const box = mark.closest(".pasal-text");
    box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - 24;
  }};
  toQuote();
}}"""


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
/* WCAG 2.1 AA contrast (checked with axe-core in tests/serving/test_ui_browser.py): white on the primary fill and
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
# ...", "chatbot conversation"), others in its own words ("Suka" for a rating that means "membantu"), and lists the chat's examples as role="list" of buttons, which a list may
# not hold (axe-core: aria-required-children). Users read Indonesian: rename them as they appear.
ACCESSIBLE_NAMES = """<script>
(() => {
  const names = [
    [/^Copy message$/, "Salin pesan"], [/^Copied message$/, "Pesan disalin"], [/^More tabs$/, "Tab lainnya"],
    [/^chatbot conversation$/, "Percakapan"], [/^user's message: /, "Pertanyaan Anda: "],
    [/^bot's message: /, "Jawaban asisten: "], [/^Select example (\\d+): /, "Contoh pertanyaan $1: "],
    [/^Gradio footer navigation$/, "Navigasi kaki halaman"], [/^(Like|Suka)$/, "Membantu"],
    [/^(Dislike|Tidak Suka)$/, "Tidak membantu"], [/^(Clear|Bersihkan( obrolan)?)$/, "Hapus percakapan"],
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

# Gradio's copy button puts the message's Markdown (`**`, `>`) on the clipboard. Users paste answers into
# letters and chats: copy the text as rendered instead, with the folded quotes opened, so the citations
# ("Pasal 9 ayat (1) PP 29/2018") come along. This runs in the click itself, before Gradio's own
# handler (which it stops), because browsers allow clipboard writes only within a user's gesture.
PLAIN_TEXT_COPY = """<script>
(() => {
  const plainText = (message) => {
    const clone = message.cloneNode(true);
    clone.querySelectorAll("details").forEach((folded) => { folded.open = true; });
    clone.querySelectorAll("button").forEach((control) => control.remove());
    // "Ketentuan terkait (3 kutipan) — buka" becomes the heading "Ketentuan terkait (3 kutipan):".
    clone.querySelectorAll("summary").forEach((fold) => { fold.textContent = fold.textContent.replace(/\\s*—\\s*buka\\s*$/, "") + ":"; });
    clone.style.cssText = "position: fixed; left: -10000px; top: 0; width: 640px;";
    document.body.appendChild(clone);
    const text = clone.innerText.replace(/\\n{3,}/g, "\\n\\n").trim();
    clone.remove();
    return text;
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button");
    if (!button || !/^(Salin pesan|Copy message)$/.test(button.getAttribute("aria-label") || "")) return;
    // A message's buttons follow its row inside the conversation.
    let row = button.closest(".message-buttons")?.previousElementSibling;
    while (row && !row.matches(".message-row")) row = row.previousElementSibling;
    const message = row?.querySelector('[data-testid="bot"], [data-testid="user"]');
    if (!message || !navigator.clipboard) return;  // Gradio's own copy still works
    event.stopImmediatePropagation();
    event.preventDefault();
    navigator.clipboard.writeText(plainText(message)).then(() => {
      button.setAttribute("aria-label", "Pesan disalin (teks biasa)");
      button.setAttribute("title", "Pesan disalin (teks biasa)");
      setTimeout(() => { button.setAttribute("aria-label", "Salin pesan"); button.setAttribute("title", "Salin pesan"); }, 2000);
    });
  }, true);
})();
</script>"""

HEAD_SCRIPTS = ACCESSIBLE_NAMES + PLAIN_TEXT_COPY

WIDGET_CSS = (
    CSS
    + """
footer { display: none !important; }
.sentra-widget-title p { margin: 0 0 4px 2px; }
.gradio-container { padding: 0 !important; }
"""
)



# --- rendering helpers -------------------------------------------------------------------------------


def short_citation(citation: dict) -> str:
    """A compact chip label: "Pasal 18 ayat (1) · PP 29/2018", "Lampiran, Tabel 7.6 · PP 14/2015"."""
    if citation["pasal"] == LAMPIRAN:
        return "Lampiran" + (f", {citation['point']}" if citation.get("point") else "") + f" · {citation['regulation']}"
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
    # The titles of the regulations cited stay in sight below the fold.
    related, cited, titles = related.rpartition(f"\n\n{REGULATIONS_CITED}") if REGULATIONS_CITED in related else (related, "", "")
    count = sum(1 for line in related.splitlines() if line.startswith("- "))
    return (f"{lead}\n\n<details><summary>Ketentuan terkait ({count} kutipan) — buka</summary>\n\n"
            f"{related.strip()}\n\n</details>" + (f"{cited}{titles}" if cited else ""))


def display_text(answer: Answer) -> str:
    """The chat message: notices (LLM fallback, truncated question, ...) first, then the answer Markdown
    with its supporting quotes folded."""
    notices = "".join(f"**Catatan:** {notice}\n\n" for notice in dict.fromkeys(answer.notices))
    return notices + collapsed_related(answer.answer or "")


AYAT_BREAK = re.compile(r"(?<=[.;:])\s+(?=\(\d+[a-z]?\)\s)")


def _highlight(text: str, quote: str) -> str:
    """Escape the pasal text and mark the quoted part: its words in order, whatever the whitespace
    between them (a table shown a row per line), without the "…" of a quote cut from a longer unit."""
    escaped = str(escape(text))
    words = (quote or "").replace("…", " ").split()
    if len(" ".join(words)) >= 12:
        found = re.search(r"\s+".join(re.escape(str(escape(word))) for word in words), escaped)
        if found:
            escaped = f"{escaped[: found.start()]}<mark>{found.group(0)}</mark>{escaped[found.end() :]}"
    return Markup(escaped)


def pasal_heading(passage: Passage, status: tuple[str, str]) -> str:
    return render_citation(replace(make_citation(passage, "", status), ayat=""))


def missing_html(message: str) -> str:
    return Markup('<div class="pasal-missing">{}</div>').format(message)


# The sources panel's card; autoescape: every value is text from the index except `text` (Markup from
# _highlight). `compact` (the widget) leaves out the Penjelasan and the source file.
PASAL_CARD = Environment(autoescape=True).from_string(
    '<div class="pasal-card{{ " pasal-compact" if compact }}">'
    '<span class="badge badge-{{ status }}">{{ status_label }}</span>'
    '<div class="pasal-title">{{ title }}</div>'
    "<div class=\"pasal-where\"><b>Letak:</b> {{ hierarchy }}</div>"
    "{% if note %}<div class=\"pasal-note\"><b>Catatan status:</b> {{ note }}</div>{% endif %}"
    '<div class="pasal-text">{{ text }}</div>'
    "{% if not compact %}"
    "{% if explanation %}<details><summary>Penjelasan Pasal {{ pasal }}</summary>"
    '<div class="pasal-text">{{ explanation }}</div></details>{% endif %}'
    '<div class="pasal-meta">Berkas sumber: {{ source_file }}</div>'
    "{% endif %}</div>"
)


def render_pasal_html(
    context: AppContext, regulation: str, pasal: str, passage_id: str = "", quote: str = "", compact: bool = False
) -> str:
    """The sources panel: full text of a pasal (or of a non-pasal passage), status badge, BAB/Bagian, the
    quoted part marked. `compact` (the widget) leaves out the Penjelasan and the source file."""
    index = context.index
    if pasal not in ("", "-", LAMPIRAN):
        parts = index.pasal_passages(regulation, pasal)
    elif passage_id in index.position:
        parts = [index.passages[index.position[passage_id]]]
    else:
        parts = []
    if not parts:
        if pasal == LAMPIRAN:
            return missing_html(f"Bagian Lampiran ini tidak ditemukan lagi dalam indeks {regulation}.")
        return missing_html(f"Pasal {pasal} tidak ditemukan dalam {regulation}.")
    first = parts[0]
    status, note = index.pasal_status(first)
    text = "\n".join(part.text.strip() for part in parts)
    text = "\n".join(table_rows(text)) if first.kind == "lampiran" else AYAT_BREAK.sub("\n", text)
    explanation = []
    if not compact and pasal not in ("", "-", LAMPIRAN):
        explanation = index.pasal_passages(regulation, pasal, kinds=("penjelasan",))
    return PASAL_CARD.render(
        compact=compact,
        status=status,
        status_label=STATUS_LABEL.get(status, status),
        title=pasal_heading(first, (status, note)),
        hierarchy=" › ".join(first.hierarchy) if first.hierarchy else "—",
        note=note,
        text=_highlight(text, quote),
        pasal=pasal,
        explanation="\n".join(p.text.strip() for p in explanation),
        source_file=first.source_file,
    )


def passage_label(passage: Passage) -> str:
    """A provision as the help desk lists it: "PP 29/2018 Pasal 9", "PP 14/2015 Lampiran", "UU 3/2014
    Penjelasan Umum", or a plain document with its section (never an empty "Pasal -")."""
    if passage.pasal not in ("", "-"):
        where = ("Penjelasan " if passage.kind == "penjelasan" else "") + f"Pasal {passage.pasal}"
    else:
        where = {"lampiran": "Lampiran", "penjelasan": "Penjelasan Umum", "preamble": "Pembukaan"}.get(
            passage.kind, passage.hierarchy[-1] if passage.hierarchy else ""
        )
    if passage.number:
        return f"{passage.regulation} {where}".strip()
    document = passage.title or passage.regulation
    return f"{document}: {where}" if where else document


# Labels logged before passage_label existed read "PP 14/2015 Pasal" or "Paparan … Pasal -".
LEGACY_EMPTY_PASAL = re.compile(r"\s+Pasal\s*-?\s*$")


def readable_label(label: str) -> str:
    return LEGACY_EMPTY_PASAL.sub("", label)


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


