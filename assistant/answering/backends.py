"""Answer backends behind one small interface: given the question and evidence, stream Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from ..config import Settings
from ..records import Citation
from .citations import render_citation, table_rows

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


def _quoted(citation: Citation, opening: str, said: set[str], indent: str = "") -> list[str]:
    """A quote with its citation; a status note already said above is only named, not repeated."""
    lines = [f"{indent}{opening} **{render_citation(citation)}**:", quote_markdown(citation, indent)]
    if status := status_text(citation):
        shown = status if citation.status_note not in said else f"⚠️ _Status: {citation.status} (lihat catatan di atas)._"
        said.add(citation.status_note)
        lines.append(f"{indent}>\n{indent}> {shown}")
    return lines + [""]


def compose_extractive(citations: list[Citation]) -> str:
    """The strongest provision first, with the exceptions its pasal makes to it ("Pada dasarnya …,
    kecuali …"), then the related provisions; every quote carries its citation and, when the
    provision is amended or revoked, its status right beside it."""
    first, rest = citations[0], citations[1:]
    leading = 0
    while leading < len(rest) and rest[leading].role == "pengecualian":
        leading += 1
    said: set[str] = set()
    lines = _quoted(first, "Pada dasarnya, menurut" if leading else "Menurut", said)
    for exception in rest[:leading]:
        lines += _quoted(exception, "kecuali, menurut", said)
    related = rest[leading:]
    if related:
        lines += ["Ketentuan terkait:", ""]
        for citation in related:
            if citation.role == "pengecualian":
                lines += _quoted(citation, "kecuali, menurut", said, indent="  ")
            else:
                lines += _quoted(citation, "- Menurut", said)
    return "\n".join(lines).rstrip()


class ExtractiveBackend:
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
