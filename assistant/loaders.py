"""Read documents from files and folders. One reader per format, each through a maintained library."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .records import SourceDocument

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadFailure:
    path: str
    message: str  # Indonesian, for users
    detail: str  # technical, for the log


def _read_plain(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _read_docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def _read_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    for element in soup(["script", "style", "noscript"]):
        element.decompose()
    return soup.get_text("\n")


READERS: dict[str, Callable[[Path], str]] = {
    ".md": _read_plain,
    ".txt": _read_plain,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}


def iter_files(roots: Iterable[Path]) -> Iterator[Path]:
    """Supported files below each root (or the root itself), in a stable order."""
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in READERS)


def load_file(path: Path) -> SourceDocument:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        supported = " ".join(sorted(READERS))
        raise ValueError(f"jenis berkas tidak didukung: '{path.suffix}' (didukung: {supported})")
    text = reader(path)
    if not text.strip():
        raise ValueError("tidak ada teks yang dapat diambil dari berkas ini")
    return SourceDocument(path=str(path), source_file=path.name, text=text)


def load_documents(roots: Iterable[Path]) -> tuple[list[SourceDocument], list[LoadFailure]]:
    """Load every supported file; a file that cannot be read is reported and the rest still load."""
    documents: list[SourceDocument] = []
    failures: list[LoadFailure] = []
    for root in roots:
        if not root.exists():
            failures.append(LoadFailure(str(root), f"Folder atau berkas korpus tidak ditemukan: {root}", "missing"))
    for path in iter_files(roots):
        try:
            documents.append(load_file(path))
        except Exception as error:  # any reader error: corrupt PDF, bad zip, decoding...
            log.warning("failed to load %s: %r", path, error)
            failures.append(
                LoadFailure(str(path), f"Berkas tidak dapat dibaca dan dilewati: {path.name}", repr(error))
            )
    return documents, failures
