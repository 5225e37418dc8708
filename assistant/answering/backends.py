"""Answer backends behind one small interface: given the question and evidence, stream Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from ..config import Settings
from ..records import Citation
from .citations import is_regulation, regulation_name, render_citation, render_citations, same_provision, table_rows

# The answer an official can act on: the rule first, with its exceptions, then its quote; a "wajib"
# without the "dikecualikan" beside it misleads more than no answer.
SYSTEM_PROMPT = (
    "Anda adalah asisten hukum untuk pejabat Dinas Perindustrian. Jawab dalam bahasa Indonesia, "
    "singkat dan tepat, HANYA berdasarkan kutipan peraturan di bawah. Buka dengan satu atau dua kalimat "
    "yang langsung menjawab: aturan pokoknya, lalu pengecualian atau syaratnya bila kutipan menyebutnya "
    "(\"kecuali\", \"dikecualikan\", \"tidak berlaku bagi\"). Sesudah itu kutip bunyi pasalnya. Sebut pasal "
    "persis seperti tertulis pada label kutipan (misalnya 'Pasal 5 ayat (1) PP No. 29 Tahun 2018'), beserta "
    "statusnya bila label menyebut pasal itu diubah atau dicabut. Jangan menyebut pasal yang tidak ada dalam "
    "kutipan. Jika kutipan tidak menjawab pertanyaan, katakan bahwa peraturan yang tersedia tidak mengaturnya."
)


REGULATIONS_CITED = "Peraturan yang dikutip: "


class LLMUnavailableError(RuntimeError):
    """The LLM server could not be reached or did not answer in time."""


class AnswerBackend(Protocol):
    name: str

    def stream(self, question: str, citations: list[Citation], context: str) -> Iterator[str]: ...


def status_text(citation: Citation) -> str:
    """The provision's status, said at its quote when it is not simply in force."""
    if citation.status == "berlaku" or not citation.status_note:
        return ""
    return f"⚠️ _Status: {citation.status}. {citation.status_note}_"


def llm_context(citations: list[Citation]) -> str:
    """The quotes an LLM answers from, each under its label, with the status of a provision that is
    no longer simply in force (the prompt asks for it beside the pasal)."""
    def label(citation: Citation) -> str:
        status = f"; status: {citation.status}. {citation.status_note}" if status_text(citation) else ""
        return f"[{render_citation(citation)}{status}]"

    return "\n\n".join(f"{label(c)}\n{c.quote}" for c in citations)


def quote_markdown(citation: Citation, indent: str = "") -> str:
    """The quote as a Markdown blockquote. A flattened Lampiran table shows a row per line (hard breaks;
    the row numbers escaped, or Markdown would renumber them as one list)."""
    if citation.kind != "lampiran":
        return f"{indent}> {citation.quote}"
    rows = [re.sub(r"^(\d{1,2})\. ", r"\1\\. ", row) for row in table_rows(citation.quote)]
    if len(rows) > 1 and rows[0] == "…":  # the quote starts inside the table: the mark stays with its row
        rows[:2] = [f"… {rows[1]}"]
    return "  \n".join(f"{indent}> {row}" for row in rows)


def _quoted(citations: list[Citation], opening: str, said: set[str], indent: str = "") -> list[str]:
    """Quotes of one provision under one citation; a status note already said above is only named,
    not repeated."""
    first = citations[0]
    lines = [f"{indent}{opening + ' ' if opening else ''}**{render_citations(citations, titled=False)}**:"]
    lines += [quote_markdown(c, indent) if not n else f"{indent}>\n{quote_markdown(c, indent)}" for n, c in enumerate(citations)]
    if status := status_text(first):
        shown = status if first.status_note not in said else f"⚠️ _Status: {first.status} (lihat catatan di atas)._"
        said.add(first.status_note)
        lines.append(f"{indent}>\n{indent}> {shown}")
    return lines + [""]


def by_provision(citations: list[Citation]) -> list[list[Citation]]:
    """Citations grouped by the provision they quote, in order of first appearance: the ayat of one
    pasal are read together, as the pasal is written, rather than under separate headings."""
    groups: list[list[Citation]] = []
    for citation in citations:
        home = next((g for g in groups if same_provision(g[0], citation)), None)
        if home is None:
            groups.append([citation])
        else:
            home.append(citation)
    return groups


def compose_extractive(citations: list[Citation], lead: str = "") -> str:
    """The lead (answering.lead.compose_lead), if any, then the strongest provision, with the exceptions its pasal makes to it ("Pada dasarnya …,
    kecuali …"), then the related provisions; every quote carries its citation and, when the
    provision is amended or revoked, its status right beside it. Other parts of a quoted pasal are
    quoted with it, under one citation."""
    if not citations:
        return ""
    is_rule = [n == 0 or c.role != "pengecualian" for n, c in enumerate(citations)]
    rules = by_provision([c for c, rule in zip(citations, is_rule) if rule])
    group_of = {id(c): n for n, group in enumerate(rules) for c in group}
    # An exception follows the rule it qualifies: the last rule quoted before it.
    after: dict[int, list[Citation]] = {}
    rule = 0
    for citation, is_a_rule in zip(citations, is_rule):
        if is_a_rule:
            rule = group_of[id(citation)]
        else:
            after.setdefault(rule, []).append(citation)
    if after.get(0) and len(rules[0]) > 1:  # the exception comes right after its rule; the other ayat after it
        rules[0:1] = [rules[0][:1], rules[0][1:]]
        after = {(n + 1 if n else n): group for n, group in after.items()}
    said: set[str] = set()
    lines = [lead, ""] if lead else []
    # After a lead that already said "Pada dasarnya …, kecuali …", the rule's quote needs no connective.
    lines += _quoted(rules[0], "Pada dasarnya, menurut" if after.get(0) and not lead else "", said)
    for exception in after.get(0, []):
        lines += _quoted([exception], "kecuali, menurut", said)
    if len(rules) > 1:
        lines += ["Ketentuan terkait:", ""]
        for n, group in enumerate(rules[1:], start=1):
            lines += _quoted(group, "-", said)
            for exception in after.get(n, []):
                lines += _quoted([exception], "kecuali, menurut", said, indent="  ")
    # Each regulation's title once, below the quotes: in every heading it would push the quotes,
    # which are the answer, down by a line (a reader takes in the first few hundred characters).
    named = (c for c in citations if is_regulation(c) and c.title)
    if titles := list(dict.fromkeys(f"{regulation_name(c, titled=False)} ({regulation_name(c)})" for c in named)):
        lines += [f"{REGULATIONS_CITED}{'; '.join(titles)}."]
    return "\n".join(lines).rstrip()


class ExtractiveBackend:
    """The quotes themselves. The chain composes them with their lead (which needs the index's term
    weights); called as a backend alone, it gives the quotes without a lead."""

    name = "extractive"

    def stream(self, question: str, citations: list[Citation], context: str) -> Iterator[str]:
        yield compose_extractive(citations)


def build_prompt(question: str, context: str):
    from langchain_core.prompts import ChatPromptTemplate

    template = ChatPromptTemplate.from_messages(
        [("system", SYSTEM_PROMPT), ("human", "Kutipan peraturan:\n{context}\n\nPertanyaan: {question}\n\nJawaban:")]
    )
    return template.format_messages(context=context, question=question)


class ChatModelBackend:
    """Any LangChain chat model: streams its answer; failures surface as LLMUnavailableError."""

    def __init__(self, name: str, model):
        self.name = name
        self.model = model

    def stream(self, question: str, citations: list[Citation], context: str) -> Iterator[str]:
        try:
            for chunk in self.model.stream(build_prompt(question, context)):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as error:  # connection refused, timeout, server error mid-stream
            raise LLMUnavailableError(repr(error)) from error


def openai_model(settings: Settings):
    """Any OpenAI-compatible server (Ollama, vLLM, llama.cpp server, LM Studio, hosted APIs)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        model=settings.openai_model,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        # "max_tokens", not langchain's "max_completion_tokens": the name llama.cpp, vLLM, Ollama and
        # LM Studio all honour (llama-cpp-python's server ignores the newer one and runs to n_ctx).
        extra_body={"max_tokens": settings.llm_max_tokens},
        temperature=0.1,
        streaming=True,
    )


def llamacpp_model(settings: Settings):
    """A local GGUF model through llama-cpp-python (pip install '.[llamacpp]')."""
    from langchain_community.chat_models import ChatLlamaCpp

    if settings.llamacpp_model_path is None:
        raise LLMUnavailableError("SENTRA_LLAMACPP_MODEL_PATH belum diatur")
    return ChatLlamaCpp(
        model_path=str(settings.llamacpp_model_path),
        max_tokens=settings.llm_max_tokens,
        temperature=0.1,
        n_ctx=4096,
        verbose=False,
        streaming=True,
    )


def load_backend(settings: Settings) -> AnswerBackend:
    if settings.answer_backend == "openai":
        return ChatModelBackend("openai", openai_model(settings))
    if settings.answer_backend == "llamacpp":
        return ChatModelBackend("llamacpp", llamacpp_model(settings))
    return ExtractiveBackend()
