"""Read documents from files and folders. One reader per format, each through a maintained library."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..records import SourceDocument

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


# Bulk files: many documents in one file, one JSON object per line (`type`, `year`, `number`, `path`,
# `text`), gzip-compressed. Read as a stream: a bulk file is never held in memory as a whole.
BULK_SUFFIX = ".jsonl.gz"


def is_bulk(path: Path) -> bool:
    return path.name.lower().endswith(BULK_SUFFIX)


def _supported(path: Path) -> bool:
    return is_bulk(path) or path.suffix.lower() in READERS


def iter_files(roots: Iterable[Path]) -> Iterator[Path]:
    """Supported files below each root (or the root itself), in a stable order."""
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.is_file() and _supported(p))


def bulk_source_file(record: dict) -> str:
    """Citation file name of a bulk record, in the corpus's naming: "uu-3-2014.md".

    The record's own `path` basename ("3.md") is not used: it repeats across types and years.
    """
    return f"{str(record['type']).strip().lower()}-{str(record['number']).strip()}-{str(record['year']).strip()}.md"


def iter_bulk(path: Path) -> Iterator[SourceDocument | LoadFailure]:
    """One SourceDocument per line of a .jsonl.gz file; a bad line becomes a LoadFailure and is skipped."""
    lineno = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise ValueError("baris bukan objek JSON")
                    text = record.get("text")
                    if not isinstance(text, str) or not text.strip():
                        raise ValueError("tidak ada teks pada baris ini")
                    source_file = bulk_source_file(record)
                    inner = str(record.get("path") or source_file)
                except Exception as error:  # bad JSON, missing field, wrong type
                    log.warning("bad line %d in %s: %r", lineno, path, error)
                    yield LoadFailure(
                        f"{path}:{lineno}",
                        f"Baris {lineno} di {path.name} tidak dapat dibaca dan dilewati",
                        repr(error),
                    )
                    continue
                yield SourceDocument(path=f"{path}::{inner}", source_file=source_file, text=text)
    except (OSError, EOFError, UnicodeDecodeError) as error:  # not gzip, truncated archive
        log.warning("failed to read %s after line %d: %r", path, lineno, error)
        yield LoadFailure(
            str(path),
            f"Berkas {path.name} rusak setelah baris {lineno}; sisa berkas dilewati",
            repr(error),
        )


def load_file(path: Path) -> SourceDocument:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        supported = " ".join(sorted(READERS))
        raise ValueError(f"jenis berkas tidak didukung: '{path.suffix}' (didukung: {supported})")
    text = reader(path)
    if not text.strip():
        raise ValueError("tidak ada teks yang dapat diambil dari berkas ini")
    return SourceDocument(path=str(path), source_file=path.name, text=text)


def iter_documents(roots: Iterable[Path]) -> Iterator[SourceDocument | LoadFailure]:
    """Documents and failures as a stream, in a stable order; bulk files yield one document per line."""
    roots = list(roots)
    for root in roots:
        if not root.exists():
            yield LoadFailure(str(root), f"Folder atau berkas korpus tidak ditemukan: {root}", "missing")
    for path in iter_files(roots):
        if is_bulk(path):
            yield from iter_bulk(path)
            continue
        try:
            yield load_file(path)
        except Exception as error:  # any reader error: corrupt PDF, bad zip, decoding...
            log.warning("failed to load %s: %r", path, error)
            yield LoadFailure(str(path), f"Berkas tidak dapat dibaca dan dilewati: {path.name}", repr(error))


def load_documents(roots: Iterable[Path]) -> tuple[list[SourceDocument], list[LoadFailure]]:
    """Load every supported file; a file that cannot be read is reported and the rest still load."""
    documents: list[SourceDocument] = []
    failures: list[LoadFailure] = []
    for item in iter_documents(roots):
        (failures if isinstance(item, LoadFailure) else documents).append(item)
    return documents, failures
