"""The web server: a FastAPI app with the HTTP API, and the Gradio chat UI + embeddable widget mounted on it.

Routes
    /                         chat UI (Gradio), with the "Help desk" tab
    /widget/                  compact chat for iframes and the <gradio-app> web component
    /gradio.js                the Gradio web-component script, served locally (no CDN needed)
    POST /api/ask             question -> the `ask --json` contract (assistant.contract.answer_to_dict)
    GET  /api/pasal/{regulation}/{pasal}
                              full text of one pasal; {regulation} is the regulation id URL-encoded
                              ("PP%2029%2F2018") or its slug ("pp-29-2018")
    GET  /api/regulations     the regulations in the index, with their slugs
    POST /api/feedback        store a 👍/👎 rating (same help-desk store as the chat UI) -> 201 {"id": ...}
    GET  /healthz             index build, passage count, answer backend
    /helpdesk/                the help desk (Gradio), behind a session cookie from /helpdesk/login
    GET  /helpdesk/export/{umpan-balik-negatif|pertanyaan-tak-terjawab}.{csv|xlsx}
                              the help-desk tables, for the logged-in session only
    /docs                     OpenAPI documentation
    Gradio API "/ask"         gradio_client: Client(url).predict(question, api_name="/ask") -> (markdown, contract)
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import sys
from pathlib import Path
from typing import Literal

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no phoning home from government deployments

import gradio as gr
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from ..answering.chain import EMPTY_QUESTION, MAX_HISTORY_TURNS, Assistant
from ..answering.contract import answer_to_dict
from ..config import Settings, get_settings
from ..records import Passage
from ..retrieval.retriever import Filters
from .feedback import FeedbackError, FeedbackStore
from .helpdesk import helpdesk_router
from .http_protocol import protocol_with_deadline
from .index_watch import follow_index
from .middleware import (
    HTTP_ERROR_TEXT,
    BodyLimit,
    HelpdeskGate,
    IndonesianErrors,
    SameOriginWrites,
    SecurityHeaders,
)
from .sessions import COOKIE_PATH, HelpdeskSessions
from .throttle import LoginThrottle, RateLimit, client_of
from .ui.chat import build_main_ui, log_unanswered
from .ui.context import AppContext, slug, too_many_requests
from .ui.helpdesk import build_helpdesk
from .ui.render import CSS, HEAD_SCRIPTS, WIDGET_CSS, normalize_pasal, pasal_heading
from .ui.widget import build_widget

log = logging.getLogger(__name__)

GRADIO_JS = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"


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
    quote: str = optional_text(5_000)
    passage_id: str = optional_text(200)
    status_note: str = optional_text(1_000)
    kind: str = optional_text(20)
    amends: str = optional_text(200)
    role: str = optional_text(20)
    point: str = optional_text(20)


class FeedbackRequest(BaseModel):
    model_config = strict_with_example(
        {
            "question": "Apa itu Sentra IKM?",
            "answer": "Menurut **Pasal 1 angka 2 PP No. 29 Tahun 2018**: ...",
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


# --- Indonesian validation messages ------------------------------------------------------------------

ERROR_TEXT = {
    "missing": "wajib diisi",
    "string_type": "harus berupa teks",
    "int_type": "harus berupa bilangan bulat",
    "int_parsing": "harus berupa bilangan bulat",
    "int_from_float": "harus berupa bilangan bulat",
    "greater_than_equal": "terlalu kecil",
    "less_than_equal": "terlalu besar",
    "list_type": "harus berupa daftar (array)",
    "model_type": "harus berupa objek JSON",
    "model_attributes_type": "harus berupa objek JSON",
    "dict_type": "harus berupa objek JSON",
    "literal_error": "nilainya tidak dikenal",
    "extra_forbidden": "field tidak dikenal",
    "too_long": "terlalu panjang",
    "too_short": "terlalu pendek",
    "string_too_short": "wajib diisi",
    "string_too_long": "terlalu panjang",
    "json_invalid": "JSON tidak valid",
}


def _error_text(error: dict) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
    kind = error.get("type", "")
    text = ERROR_TEXT.get(kind, "nilainya tidak valid")
    if kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        text += f" (pilihan: {expected.replace(' or ', ' atau ')})" if expected else ""
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = (error.get("ctx") or {}).get("ge", (error.get("ctx") or {}).get("le"))
        text += f" (batas: {limit})" if limit is not None else ""
    return f"{location}: {text}"


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    detail = "Permintaan tidak valid — " + "; ".join(_error_text(e) for e in errors)
    if any(e.get("type") == "json_invalid" for e in errors):
        detail = "Badan permintaan bukan JSON yang valid."
    simplified = [{"loc": list(e.get("loc", ())), "type": e.get("type"), "pesan": _error_text(e)} for e in errors]
    return JSONResponse(status_code=422, content={"detail": detail, "errors": simplified})


SERVER_ERROR = HTTP_ERROR_TEXT[500]


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return JSONResponse({"detail": SERVER_ERROR}, status_code=500)


def rate_limited(limit: RateLimit) -> Depends:
    """A route dependency: 429 with Retry-After once the client has used up `limit`."""

    def check(request: Request) -> None:
        wait = limit.hit(client_of(request))
        if wait is not None:
            raise HTTPException(429, detail=too_many_requests(wait), headers={"Retry-After": str(math.ceil(wait))})

    return Depends(check)


# --- helpers -----------------------------------------------------------------------------------------


def passage_json(passage: Passage) -> dict:
    return {
        "id": passage.id,
        "kind": passage.kind,
        "ayat_start": passage.ayat_start,
        "ayat_end": passage.ayat_end,
        "text": passage.text,
        "source_file": passage.source_file,
    }


# --- the app -----------------------------------------------------------------------------------------


def mount_offline_docs(app: FastAPI) -> None:
    """OpenAPI docs at /docs with the Swagger UI 5 assets the fastapi-offline package ships, so they
    work offline and read FastAPI's OpenAPI 3.1 (Swagger UI 4 cannot)."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs-static", StaticFiles(directory=str(assets)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} — dokumentasi",
            swagger_js_url="/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/docs-static/swagger-ui.css",
            swagger_favicon_url="/docs-static/favicon.png",
        )


def session_secret(settings: Settings) -> str:
    if settings.session_secret:
        return settings.session_secret
    log.info("SENTRA_SESSION_SECRET is not set: help-desk sessions end when this process stops")
    return secrets.token_urlsafe(32)


def add_edge_middleware(app: FastAPI, settings: Settings, sessions: HelpdeskSessions | None) -> None:
    """Outermost last: headers go on every response, the 413 and 403 included."""
    origins = settings.allowed_origins
    allow_any = not origins or "*" in origins
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"] if allow_any else origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
    )
    app.add_middleware(HelpdeskGate, session_valid=sessions.valid if sessions else lambda cookie: False)
    app.add_middleware(SameOriginWrites, origins=origins)
    app.add_middleware(IndonesianErrors)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, origins=origins)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None, warm_up: bool = True) -> FastAPI:
    settings = settings or get_settings()
    assistant = assistant or Assistant(settings)
    limit = settings.rate_limit_storage
    context = AppContext(
        settings=settings,
        assistant=assistant,
        store=FeedbackStore(settings.data_dir, database_url=settings.database_url),
        ask_limit=RateLimit("ask", settings.ask_rate_limit, limit),
    )
    feedback_limit = RateLimit("feedback", settings.feedback_rate_limit, limit)
    context.store.ensure_ready()  # a broken data_dir is logged now; feedback writes then report it to users
    if warm_up:  # the first query pays one-off costs (model graph, caches); pay them before users do
        try:
            assistant.ask("Apa yang dimaksud dengan Sentra IKM?")
        except Exception:
            log.exception("warm-up query failed")

    app = FastAPI(
        title="Asisten Regulasi Sentra IKM — API",
        version="0.1.0",
        description=(
            "Tanya jawab regulasi Sentra IKM dengan rujukan tingkat pasal. "
            "`POST /api/ask` mengembalikan kontrak JSON yang sama dengan `python -m assistant ask --json`. "
            "Antarmuka chat ada di `/`, widget untuk disematkan di `/widget/`."
        ),
        docs_url=None,  # served below from local assets: the default page loads Swagger UI from a CDN
        redoc_url=None,
        lifespan=follow_index(assistant, settings.index_poll_s),
    )
    mount_offline_docs(app)
    app.state.context = context
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)

    sessions = (
        HelpdeskSessions(settings.helpdesk_password, session_secret(settings), settings.helpdesk_session_hours * 3600)
        if settings.helpdesk_password
        else None
    )
    throttle = LoginThrottle(settings.login_failures_per_client, settings.login_failures_overall, limit)
    add_edge_middleware(app, settings, sessions)
    app.include_router(
        helpdesk_router(sessions, throttle, context.store, lambda regulation, pasal: context.index.pasal_passages(regulation, pasal))
    )

    @app.post(
        "/api/ask",
        tags=["tanya jawab"],
        summary="Ajukan pertanyaan",
        responses={
            400: {"description": "Pertanyaan kosong atau filter tidak dikenal"},
            422: {"description": "Masukan tidak valid"},
        },
    )
    def api_ask(body: AskRequest, _: None = rate_limited(context.ask_limit)) -> JSONResponse:
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

    @app.post(
        "/api/feedback",
        status_code=201,
        tags=["umpan balik"],
        summary="Kirim penilaian jawaban (👍/👎)",
        responses={
            201: {"description": "Penilaian tersimpan; mengembalikan id-nya"},
            422: {"description": "Masukan tidak valid"},
            503: {"description": "Penilaian tidak dapat disimpan (basis data umpan balik bermasalah)"},
        },
    )
    def api_feedback(body: FeedbackRequest, _: None = rate_limited(feedback_limit)) -> dict:
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

    @app.get("/api/pasal/{regulation:path}/{pasal}", tags=["pasal"], summary="Teks lengkap satu pasal")
    def api_pasal(regulation: str, pasal: str) -> dict:
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

    @app.get("/api/regulations", tags=["pasal"], summary="Daftar regulasi dalam indeks")
    def api_regulations() -> list[dict]:
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

    @app.get("/healthz", tags=["operasional"], summary="Status layanan")
    def healthz() -> dict:
        return {
            "status": "ok",
            "index_build": Path(context.index.build).name,
            "passages": len(context.index.passages),
            "regulations": len(context.index.regulations),
            "backend": settings.answer_backend,
        }

    @app.get("/gradio.js", include_in_schema=False)
    def gradio_js() -> FileResponse:
        """The <gradio-app> web component, served from the installed Gradio (its assets come from /assets/)."""
        return FileResponse(GRADIO_JS, media_type="text/javascript")

    # Order matters: the widget and the help desk before the catch-all mount at "/". No Gradio app
    # shows Python errors to users, and none accepts an upload larger than a request body may be.
    mounts = {"footer_links": [], "run_history": False, "show_error": False, "max_file_size": settings.max_body_bytes,
              "head": HEAD_SCRIPTS}
    widget = build_widget(context)
    widget.queue(default_concurrency_limit=4)
    gr.mount_gradio_app(app, widget, path="/widget", css=WIDGET_CSS, **mounts)
    if sessions is not None:
        desk = build_helpdesk(context)
        desk.queue(default_concurrency_limit=2)
        gr.mount_gradio_app(app, desk, path=COOKIE_PATH, css=CSS, **mounts)
    main = build_main_ui(context)
    main.queue(default_concurrency_limit=4)
    gr.mount_gradio_app(app, main, path="/", css=CSS, **(mounts | {"footer_links": ["api"]}))
    return app


def server_config(app: FastAPI, settings: Settings, host: str, port: int, log_level: str = "info"):
    """uvicorn as the app is served: h11 with a capped request head and a deadline for each request,
    no Server banner, client addresses from the trusted proxies' X-Forwarded-For."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        http=protocol_with_deadline(settings.request_deadline_s),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_keep_alive=5,
    )


def serve(host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    from ..indexing.store import IndexMissingError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app()
    except IndexMissingError as error:
        print(str(error), file=sys.stderr)
        raise SystemExit(2) from error
    print(f"Asisten Regulasi Sentra IKM berjalan di http://{host}:{port}/ (widget: /widget/, API: /docs)", flush=True)
    uvicorn.Server(server_config(app, get_settings(), host, port)).run()
