"""The help desk's own routes: login and logout (a signed session cookie, throttled attempts) and the
exports, which the gate in middleware.py lets through only with a valid session."""

from __future__ import annotations

import itertools
import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from .exports import EXPORTS, ExportFormat, correction_items, csv_chunks, jsonl_chunks, xlsx_bytes
from .feedback import FeedbackError
from .sessions import COOKIE, COOKIE_PATH, HelpdeskSessions
from .throttle import LoginThrottle, client_of, minutes_text
from .ui.context import Context

log = logging.getLogger(__name__)

WRONG_PASSWORD = "Kata sandi salah."
UNREADABLE_FORM = "Formulir tidak dapat dibaca. Muat ulang halaman lalu coba lagi."
MAX_PASSWORD_CHARS = 1024
LOCKED_OUT = "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {wait}."
DISABLED = (
    "Help desk dinonaktifkan. Atur variabel lingkungan SENTRA_HELPDESK_PASSWORD lalu jalankan ulang server "
    "untuk melihat jawaban yang dinilai tidak membantu dan pertanyaan yang tidak terjawab."
)
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

LOGIN_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Masuk help desk — Asisten Regulasi Sentra IKM</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f8fafc; color: #0f172a; margin: 0; }}
main {{ max-width: 380px; margin: 12vh auto; padding: 24px; background: #fff; border: 1px solid #cbd5e1;
  border-radius: 12px; }}
h1 {{ font-size: 1.3em; margin-top: 0; }}
label {{ display: block; font-weight: 600; margin-bottom: 6px; }}
input {{ width: 100%; box-sizing: border-box; font-size: 1em; padding: 10px; min-height: 44px;
  border: 1px solid #475569; border-radius: 8px; }}
button {{ margin-top: 14px; width: 100%; min-height: 44px; font-size: 1em; font-weight: 600; color: #fff;
  background: #9a3412; border: 0; border-radius: 8px; cursor: pointer; }}
.message {{ padding: 10px; border-radius: 8px; background: #fef2f2; color: #991b1b; margin-bottom: 14px; }}
a {{ color: #1d4ed8; }}
</style></head>
<body><main>
<h1>Help desk</h1>
{message}
{body}
<p><a href="/">Kembali ke asisten</a></p>
</main></body></html>"""

LOGIN_FORM = """<form method="post" action="{action}">
<label for="sentra-helpdesk-password">Kata sandi</label>
<input id="sentra-helpdesk-password" name="password" type="password" autocomplete="current-password" required autofocus>
<button id="sentra-helpdesk-login" type="submit">Masuk</button>
</form>"""


def login_page(message: str = "", enabled: bool = True) -> str:
    alert = Markup('<p class="message" role="alert" id="sentra-helpdesk-message">{}</p>')
    shown = alert.format(message) if message else ""
    body = LOGIN_FORM.format(action=f"{COOKIE_PATH}/login") if enabled else Markup("<p>{}</p>").format(DISABLED)
    return LOGIN_PAGE.format(message=shown, body=body)


# The router reads the process's sessions (None while the help desk is disabled) and login throttle from
# the app's state, where create_app puts them.
router = APIRouter(prefix=COOKIE_PATH, include_in_schema=False)


def helpdesk_sessions(request: Request) -> HelpdeskSessions | None:
    return request.app.state.sessions


def login_throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


Sessions = Annotated[HelpdeskSessions | None, Depends(helpdesk_sessions)]
Throttle = Annotated[LoginThrottle, Depends(login_throttle)]


def attachment_headers(name: str, extension: str) -> dict[str, str]:
    """A download named after the export and the time it was made, never cached."""
    filename = f"{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


@router.get("/login")
def login_form(sessions: Sessions) -> HTMLResponse:
    return HTMLResponse(login_page(enabled=sessions is not None), status_code=200 if sessions else 404)


@router.post("/login")
async def login(request: Request, sessions: Sessions, throttle: Throttle) -> Response:
    if sessions is None:
        return HTMLResponse(login_page(enabled=False), status_code=404)
    try:
        form = await request.form(max_files=0, max_fields=4)
    except (HTTPException, StarletteHTTPException, ValueError):
        return HTMLResponse(login_page(UNREADABLE_FORM), status_code=400)
    password = form.get("password")
    password = password[:MAX_PASSWORD_CHARS] if isinstance(password, str) else ""
    client = client_of(request)
    verdict = throttle.attempt(client, sessions.password_ok(password))
    if verdict.retry_after is not None:
        log.warning("help desk: login refused, %s is locked out (%d failed attempts)", client, verdict.failures)
        return HTMLResponse(
            login_page(LOCKED_OUT.format(wait=minutes_text(verdict.retry_after))),
            status_code=429,
            headers={"Retry-After": str(int(verdict.retry_after))},
        )
    if not verdict.accepted:
        log.warning("help desk: wrong password from %s (%d failed attempts in the window)", client, verdict.failures)
        return HTMLResponse(login_page(WRONG_PASSWORD), status_code=401)
    log.info("help desk: login from %s", client)
    response = RedirectResponse(f"{COOKIE_PATH}/", status_code=303)
    response.set_cookie(
        COOKIE,
        sessions.issue(),
        max_age=int(sessions.max_age_s),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",  # behind a TLS proxy, uvicorn's proxy headers set it
    )
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse(f"{COOKIE_PATH}/login", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@router.get("/export/koreksi.jsonl")
def export_corrections(context: Context) -> Response:
    """Corrected 👎 answers as training items: `python -m assistant train --extra koreksi.jsonl`."""
    headers = attachment_headers("koreksi", "jsonl")
    try:
        items = list(correction_items(context.store.corrections(), context.index.pasal_passages))
    except FeedbackError as error:
        raise HTTPException(status_code=503, detail=str(error)) from error
    return StreamingResponse(jsonl_chunks(items), media_type="application/jsonl", headers=headers)


@router.get("/export/{name}.{fmt}")
def export(name: str, fmt: ExportFormat, context: Context) -> Response:
    table = EXPORTS.get(name)
    if table is None:
        raise HTTPException(status_code=404, detail=f"Ekspor '{name}' tidak dikenal.")
    headers = attachment_headers(name, fmt)
    rows = context.store.all_rows(table.table)
    try:
        first = next(rows, None)  # a failing database is reported before the download starts
    except FeedbackError as error:
        raise HTTPException(status_code=503, detail=str(error)) from error
    rows = itertools.chain([first] if first is not None else [], rows)
    if fmt == "csv":
        return StreamingResponse(csv_chunks(table, rows), media_type=MEDIA_TYPES["csv"], headers=headers)
    return Response(xlsx_bytes(table, rows), media_type=MEDIA_TYPES["xlsx"], headers=headers)
