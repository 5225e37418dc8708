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
import os
import secrets
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no phoning home from government deployments

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from ..answering.chain import Assistant
from ..config import Settings, get_settings
from . import api, helpdesk
from .feedback import FeedbackStore
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
from .throttle import LoginThrottle, RateLimit
from .ui.chat import build_main_ui
from .ui.context import AppContext
from .ui.helpdesk import build_helpdesk
from .ui.render import CSS, HEAD_SCRIPTS, WIDGET_CSS
from .ui.widget import build_widget

log = logging.getLogger(__name__)


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


def build_context(settings: Settings, assistant: Assistant) -> AppContext:
    limit = settings.rate_limit_storage
    context = AppContext(
        settings=settings,
        assistant=assistant,
        store=FeedbackStore(settings.data_dir, database_url=settings.database_url),
        ask_limit=RateLimit("ask", settings.ask_rate_limit, limit),
        feedback_limit=RateLimit("feedback", settings.feedback_rate_limit, limit),
    )
    context.store.ensure_ready()  # a broken data_dir is logged now; feedback writes then report it to users
    return context


# Any text runs the whole path once; this one names no regulation and asks nothing.
WARM_UP_TEXT = "pemanasan"


def warm(assistant: Assistant) -> None:
    """Pay the first question's one-off costs before users do: the embedding model's first run,
    Chroma's first query, the ranker and the answer backend. Any text does; no answer is kept."""
    try:
        assistant.ask(WARM_UP_TEXT)
    except Exception:
        log.exception("warm-up failed")


def helpdesk_sessions(settings: Settings) -> HelpdeskSessions | None:
    """The help desk's sessions; None (the help desk disabled) without a password."""
    if not settings.helpdesk_password:
        return None
    max_age_s = settings.helpdesk_session_hours * 3600
    return HelpdeskSessions(settings.helpdesk_password, session_secret(settings), max_age_s)


def mount_uis(app: FastAPI, context: AppContext, helpdesk: bool) -> None:
    """Order matters: the widget and the help desk before the catch-all mount at "/". No Gradio app
    shows Python errors to users, and none accepts an upload larger than a request body may be."""
    mounts = {"footer_links": [], "run_history": False, "show_error": False,
              "max_file_size": context.settings.max_body_bytes, "head": HEAD_SCRIPTS}
    widget = build_widget(context)
    widget.queue(default_concurrency_limit=4)
    gr.mount_gradio_app(app, widget, path="/widget", css=WIDGET_CSS, **mounts)
    if helpdesk:
        desk = build_helpdesk(context)
        desk.queue(default_concurrency_limit=2)
        gr.mount_gradio_app(app, desk, path=COOKIE_PATH, css=CSS, **mounts)
    main = build_main_ui(context)
    main.queue(default_concurrency_limit=4)
    gr.mount_gradio_app(app, main, path="/", css=CSS, **(mounts | {"footer_links": ["api"]}))


def create_app(settings: Settings | None = None, assistant: Assistant | None = None, warm_up: bool = True) -> FastAPI:
    settings = settings or get_settings()
    context = build_context(settings, assistant or Assistant(settings))
    if warm_up:
        warm(context.assistant)
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
        lifespan=follow_index(context.assistant, settings.index_poll_s),
    )
    # What the routers' dependencies read (api.py, helpdesk.py).
    app.state.context = context
    app.state.sessions = helpdesk_sessions(settings)
    app.state.login_throttle = LoginThrottle(
        settings.login_failures_per_client, settings.login_failures_overall, settings.rate_limit_storage
    )
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)
    add_edge_middleware(app, settings, app.state.sessions)
    mount_offline_docs(app)
    app.include_router(helpdesk.router)
    app.include_router(api.router)
    mount_uis(app, context, helpdesk=app.state.sessions is not None)
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
