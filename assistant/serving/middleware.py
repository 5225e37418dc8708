"""ASGI middleware at the edge of the web app: request bounds, framing and security headers, the
same-origin rule for state-changing UI calls, and the gate in front of the help desk.

Pure ASGI (not BaseHTTPMiddleware) so that Gradio's server-sent event streams pass through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .sessions import COOKIE, COOKIE_PATH

WIDGET_PATH = "/widget"
LOGIN_PATH = f"{COOKIE_PATH}/login"
TOO_LARGE = "Permintaan terlalu besar: paling banyak {limit}."
CROSS_SITE = "Permintaan dari situs lain ditolak."
SESSION_NEEDED = "Sesi help desk tidak ada atau sudah berakhir. Silakan masuk kembali."
# Headers that name the server software or its version: nothing for an attacker to look up.
BANNERS = (b"server", b"x-powered-by")
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def any_origin(origins: list[str]) -> bool:
    return not origins or "*" in origins


def frame_ancestors(origins: list[str]) -> str | None:
    """CSP frame-ancestors for the widget; None means any site may embed it."""
    if any_origin(origins):
        return None
    return "frame-ancestors 'self' " + " ".join(origins)


def security_headers(path: str, origins: list[str]) -> dict[str, str]:
    """The headers every response gets. Only the widget may be framed by other sites (the allowed
    origins); the chat only by itself; the help desk by nobody, and it is never cached."""
    headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"}
    if under(path, WIDGET_PATH):
        policy = frame_ancestors(origins)
        if policy:
            headers["Content-Security-Policy"] = policy
    elif under(path, COOKIE_PATH):
        headers |= {
            "Content-Security-Policy": "frame-ancestors 'none'",
            "X-Frame-Options": "DENY",
            "Cache-Control": "no-store",
        }
    else:
        headers |= {"Content-Security-Policy": "frame-ancestors 'self'", "X-Frame-Options": "SAMEORIGIN"}
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp, origins: list[str]):
        self.app = app
        self.origins = list(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = {k.lower().encode(): v.encode() for k, v in security_headers(scope["path"], self.origins).items()}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in extra and k.lower() not in BANNERS]
                message = {**message, "headers": kept + list(extra.items())}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# The frameworks' own error texts (FastAPI, Starlette, Gradio), as users should read them.
HTTP_ERROR_TEXT = {
    400: "Permintaan tidak dapat dibaca.",
    401: "Perlu masuk terlebih dahulu.",
    403: "Akses ditolak.",
    404: "Alamat tidak ditemukan.",
    405: "Metode permintaan tidak diizinkan untuk alamat ini.",
    413: "Permintaan terlalu besar.",
    415: "Jenis isi permintaan tidak didukung.",
    429: "Terlalu banyak permintaan. Coba lagi nanti.",
    500: "Terjadi kesalahan pada server. Silakan coba lagi beberapa saat lagi.",
}
FRAMEWORK_DETAILS = {"There was an error parsing the body", "Not authenticated", "Session not found."}
MAX_ERROR_BODY = 8_192  # framework error bodies are short; larger ones are passed through untouched


def framework_detail(detail: object, status: int) -> bool:
    """The detail is the framework's (its reason phrase or a known message), not one of ours."""
    if not isinstance(detail, str):
        return False
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return detail in FRAMEWORK_DETAILS or detail == phrase


class IndonesianErrors:
    """Replaces the English `detail` of framework JSON errors with the Indonesian text for the status,
    for the API and the mounted Gradio apps alike."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def translating_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_json = headers.get(b"content-type", b"").startswith(b"application/json")
                if message["status"] >= 400 and is_json:
                    held.append(message)
                    return
            elif held:
                held.append(message)
                if message.get("more_body") and sum(len(m.get("body", b"")) for m in held[1:]) <= MAX_ERROR_BODY:
                    return
                await self._flush(held, send)
                held.clear()
                return
            await send(message)

        await self.app(scope, receive, translating_send)

    async def _flush(self, held: list[Message], send: Send) -> None:
        start, bodies = held[0], held[1:]
        body = b"".join(m.get("body", b"") for m in bodies)
        if not any(m.get("more_body") for m in bodies[-1:]):
            try:
                content = json.loads(body)
            except ValueError:
                content = None
            status = start["status"]
            if isinstance(content, dict) and framework_detail(content.get("detail"), status):
                content["detail"] = HTTP_ERROR_TEXT.get(status, content["detail"])
                body = json.dumps(content, ensure_ascii=False).encode()
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                start = {**start, "headers": headers + [(b"content-length", str(len(body)).encode())]}
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        await send(start)  # too long to be a framework error: pass it on as it came
        for message in bodies:
            await send(message)


def size_text(limit: int) -> str:
    return f"{limit // 1024} KB" if limit >= 1024 else f"{limit} byte"


class BodyLimit:
    """Refuses a request body over `max_bytes` with 413 before the app reads any of it. A body sent
    without Content-Length (chunked) is read up to the limit first, then handed on."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> JSONResponse:
        return JSONResponse({"detail": TOO_LARGE.format(limit=size_text(self.max_bytes))}, status_code=413)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        messages, total = [], 0
        while True:
            message = await receive()
            messages.append(message)
            total += len(message.get("body", b""))
            if total > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def same_origin(origin: str, host: str) -> bool:
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


class SameOriginWrites:
    """State-changing calls to the Gradio apps (queue, predict, upload) and to the help desk come from
    the app's own pages; only the widget's also from the origins allowed to embed it. A call without
    an Origin header (gradio_client, curl) is not a browser on another site and passes."""

    def __init__(self, app: ASGIApp, origins: list[str]):
        self.app = app
        self.origins = list(origins)

    def _allowed(self, path: str, origin: str, host: str) -> bool:
        if same_origin(origin, host):
            return True
        return under(path, WIDGET_PATH) and (any_origin(self.origins) or origin.rstrip("/") in self.origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS and not scope["path"].startswith("/api/"):
            headers = dict(scope.get("headers", []))
            origin = headers.get(b"origin", b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            if origin and not self._allowed(scope["path"], origin, host):
                await JSONResponse({"detail": CROSS_SITE}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class HelpdeskGate:
    """Everything under /helpdesk except its login page needs a valid session cookie: the help-desk
    Gradio app's pages, its API (/run/predict included), its files and its exports."""

    def __init__(self, app: ASGIApp, session_valid: Callable[[str | None], bool]):
        self.app = app
        self.session_valid = session_valid

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not under(scope["path"], COOKIE_PATH):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if scope["path"] == LOGIN_PATH or self.session_valid(connection.cookies.get(COOKIE)):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        wants_page = scope["method"] == "GET" and "text/html" in connection.headers.get("accept", "")
        if wants_page:
            response = RedirectResponse(LOGIN_PATH, status_code=303)
        else:
            response = JSONResponse({"detail": SESSION_NEEDED}, status_code=403)
        await response(scope, receive, send)
