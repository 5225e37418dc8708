"""The HTTP API: POST /api/ask, POST /api/feedback, the pasal and regulation lookups, /healthz and the
Gradio web-component script. Routes read the process's AppContext from the app's state (Depends), so
this router holds no state of its own and create_app only includes it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import gradio as gr
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..answering.chain import EMPTY_QUESTION, MAX_HISTORY_TURNS
from ..answering.contract import answer_to_dict
from ..records import Passage
from ..retrieval.lookups import Filters
from .feedback import FeedbackError
from .throttle import RateLimit, client_of
from .ui.chat import log_unanswered
from .ui.context import Context, slug, too_many_requests
from .ui.render import normalize_pasal, pasal_heading

GRADIO_JS = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"
# A cited piece of a passage (its quote, or an overview's section heading) is at most this long.
PASSAGE_PIECE_CHARS = 5_000

router = APIRouter()


# --- request models ----------------------------------------------------------------------------------


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    # Long turns are accepted and cut by the chain, with a notice, like a long question.
    content: str = Field(max_length=50_000)


class AskFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regulations: list[str] = Field(default_factory=list, description='Id regulasi, mis. "PP 29/2018"')
    statuses: list[Literal["berlaku", "diubah", "dicabut"]] = Field(default_factory=list)


def strict_with_example(example: dict) -> ConfigDict:
    """A request body that rejects unknown fields and shows `example` in /docs."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class AskRequest(BaseModel):
    model_config = strict_with_example(
        {
            "question": "Apa kewajiban pemerintah daerah dalam pembangunan Sentra IKM?",
            "history": [],
            "filters": {"regulations": ["PP 29/2018"], "statuses": ["berlaku"]},
            "k": 5,
        }
    )
    question: str = Field(max_length=50_000, description="Pertanyaan dalam bahasa Indonesia")
    history: list[Turn] | None = Field(default=None, max_length=MAX_HISTORY_TURNS)
    filters: AskFilters | None = None
    k: int | None = Field(default=None, ge=1, le=50, description="Jumlah passage yang diambil")


def optional_text(max_length: int):
    return Field(default="", max_length=max_length)


class FeedbackCitation(BaseModel):
    """A citation as `POST /api/ask` returns it (`citations[]`); every field bounded."""

    model_config = ConfigDict(extra="forbid")
    regulation: str = Field(min_length=1, max_length=200)
    type: str = optional_text(20)
    number: str = optional_text(20)
    year: str = optional_text(10)
    title: str = optional_text(1_000)
    pasal: str = optional_text(50)
    ayat: str = optional_text(50)
    status: str = optional_text(20)
    quote: str = optional_text(PASSAGE_PIECE_CHARS)
    passage_id: str = optional_text(200)
    status_note: str = optional_text(1_000)
    kind: str = optional_text(20)
    amends: str = optional_text(200)
    role: str = optional_text(20)
    point: str = optional_text(PASSAGE_PIECE_CHARS)


class FeedbackRequest(BaseModel):
    model_config = strict_with_example(
        {
            "question": "Apa itu Sentra IKM?",
            "answer": "**Pasal 1 angka 2 PP 29/2018**: ...",
            "citations": [{"regulation": "PP 29/2018", "pasal": "1"}],
            "rating": "down",
            "comment": "kurang lengkap",
        }
    )
    question: str = Field(min_length=1, max_length=5_000, description="Pertanyaan yang dinilai")
    answer: str = Field(max_length=50_000, description="Jawaban yang dinilai")
    citations: list[FeedbackCitation] = Field(default_factory=list, max_length=20, description="Sitasi jawaban")
    rating: Literal["up", "down"] = Field(description="up = 👍, down = 👎")
    comment: str = Field(default="", max_length=4_000)


# --- route dependencies ------------------------------------------------------------------------------


def enforce(limit: RateLimit | None, request: Request) -> None:
    """429 with Retry-After once the client has used up `limit` (None: no limit)."""
    wait = limit.hit(client_of(request)) if limit else None
    if wait is not None:
        raise HTTPException(429, detail=too_many_requests(wait), headers={"Retry-After": str(math.ceil(wait))})


def ask_quota(request: Request, context: Context) -> None:
    enforce(context.ask_limit, request)


def feedback_quota(request: Request, context: Context) -> None:
    enforce(context.feedback_limit, request)


# --- routes ------------------------------------------------------------------------------------------


def passage_json(passage: Passage) -> dict:
    return {
        "id": passage.id,
        "kind": passage.kind,
        "ayat_start": passage.ayat_start,
        "ayat_end": passage.ayat_end,
        "text": passage.text,
        "source_file": passage.source_file,
    }


@router.post(
    "/api/ask",
    tags=["tanya jawab"],
    summary="Ajukan pertanyaan",
    responses={
        400: {"description": "Pertanyaan kosong atau filter tidak dikenal"},
        422: {"description": "Masukan tidak valid"},
    },
    dependencies=[Depends(ask_quota)],
)
def api_ask(body: AskRequest, context: Context) -> JSONResponse:
    """Jawaban dengan rujukan pasal, dalam kontrak JSON `ask --json` (field: id, question, answer, abstained,
    citations, passages, timings_ms, notices)."""
    if not body.question or not body.question.strip():
        raise HTTPException(status_code=400, detail=EMPTY_QUESTION)
    filters = body.filters or AskFilters()
    unknown = context.unknown_regulations(filters.regulations)
    if unknown:
        raise HTTPException(status_code=400, detail=unknown)
    answer = context.assistant.ask(
        body.question,
        history=[turn.model_dump() for turn in body.history or []],
        k=body.k,
        filters=Filters(
            regulations=[context.resolve_regulation(r) for r in filters.regulations],
            statuses=list(filters.statuses),
        ),
    )
    if answer.abstained and answer.question:
        log_unanswered(context, answer, "api")
    return JSONResponse(answer_to_dict(answer))


@router.post(
    "/api/feedback",
    status_code=201,
    tags=["umpan balik"],
    summary="Kirim penilaian jawaban (👍/👎)",
    responses={
        201: {"description": "Penilaian tersimpan; mengembalikan id-nya"},
        422: {"description": "Masukan tidak valid"},
        503: {"description": "Penilaian tidak dapat disimpan (basis data umpan balik bermasalah)"},
    },
    dependencies=[Depends(feedback_quota)],
)
def api_feedback(body: FeedbackRequest, context: Context) -> dict:
    """Menyimpan penilaian ke basis data help desk yang sama dengan tombol 👍/👎 di chat; penilaian 👎
    muncul di tab Help desk."""
    try:
        feedback_id = context.store.record_feedback(
            body.rating,
            body.question,
            body.answer,
            [c.model_dump() for c in body.citations],
            comment=body.comment,
            source="api",
        )
    except FeedbackError as error:
        raise HTTPException(status_code=503, detail=str(error)) from error
    return {"id": feedback_id}


@router.get("/api/pasal/{regulation:path}/{pasal}", tags=["pasal"], summary="Teks lengkap satu pasal")
def api_pasal(regulation: str, pasal: str, context: Context) -> dict:
    """`{regulation}` adalah id regulasi yang di-URL-encode (`PP%2029%2F2018`) atau slug-nya (`pp-29-2018`);
    `{pasal}` nomor pasal, mis. `5` atau `5A`."""
    resolved = context.resolve_regulation(regulation)
    if resolved is None:
        raise HTTPException(
            status_code=404,
            detail=f"Regulasi '{regulation}' tidak ditemukan. "
            f"Regulasi yang tersedia: {', '.join(context.index.regulations)}.",
        )
    number = normalize_pasal(pasal)
    parts = context.index.pasal_passages(resolved, number) if number not in ("", "-") else []
    if not parts:
        raise HTTPException(status_code=404, detail=f"Pasal {pasal} tidak ditemukan dalam {resolved}.")
    first = parts[0]
    status, note = context.index.pasal_status(first)
    explanation = context.index.pasal_passages(resolved, number, kinds=("penjelasan",))
    return {
        "regulation": resolved,
        "slug": slug(resolved),
        "type": first.type,
        "number": first.number,
        "year": first.year,
        "title": first.title,
        "pasal": number,
        "citation": pasal_heading(first, (status, note)),
        "status": status,
        "status_note": note,
        "hierarchy": list(first.hierarchy),
        "text": "\n".join(p.text for p in parts),
        "passages": [passage_json(p) for p in parts],
        "penjelasan": [passage_json(p) for p in explanation],
    }


@router.get("/api/regulations", tags=["pasal"], summary="Daftar regulasi dalam indeks")
def api_regulations(context: Context) -> list[dict]:
    result = []
    for regulation in context.index.regulations:
        first = next(p for p in context.index.passages if p.regulation == regulation)
        result.append(
            {
                "regulation": regulation,
                "slug": slug(regulation),
                "type": first.type,
                "number": first.number,
                "year": first.year,
                "title": first.title,
                "passages": sum(1 for p in context.index.passages if p.regulation == regulation),
            }
        )
    return result


@router.get("/healthz", tags=["operasional"], summary="Status layanan")
def healthz(context: Context) -> dict:
    return {
        "status": "ok",
        "index_build": Path(context.index.build).name,
        "passages": len(context.index.passages),
        "regulations": len(context.index.regulations),
        "backend": context.settings.answer_backend,
    }


@router.get("/gradio.js", include_in_schema=False)
def gradio_js() -> FileResponse:
    """The <gradio-app> web component, served from the installed Gradio (its assets come from /assets/)."""
    return FileResponse(GRADIO_JS, media_type="text/javascript")
