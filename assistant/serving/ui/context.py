"""What the UIs and the HTTP API share: the assistant, the help-desk store, and the product's fixed texts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ...answering.chain import Assistant
from ...config import Settings
from ..feedback import FeedbackStore
from ..throttle import RateLimit

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

def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class AppContext:
    """What the UI and the HTTP API share: one assistant (and index) and one help-desk store per process."""

    settings: Settings
    assistant: Assistant
    store: FeedbackStore
    ask_limit: RateLimit | None = None  # per-client limit on questions through the HTTP APIs
    feedback_limit: RateLimit | None = None  # per-client limit on ratings through POST /api/feedback

    @staticmethod
    def of(request: Request) -> AppContext:
        """A route dependency: the context create_app put on the app's state."""
        return request.app.state.context

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


# A route parameter typed `Context` receives the process's AppContext.
Context = Annotated[AppContext, Depends(AppContext.of)]


def too_many_requests(wait_s: float) -> str:
    return f"Terlalu banyak permintaan. Coba lagi dalam {math.ceil(wait_s)} detik."

