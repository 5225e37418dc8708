"""Index layout on disk: immutable build folders and an atomically switched CURRENT pointer.

A build is written completely in its own folder and only then published by replacing the
CURRENT file, so a reader never sees a half-built index and `index` never writes a folder
that `serve` has open (Chroma's embedded store is not multi-process safe).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

from ..file_lock import exclusive_lock
from ..records import Passage

BUILDS_KEPT = 2  # the published build and the one before it, which a running server may still read


class IndexMissingError(RuntimeError):
    """No usable index: the message says how to build one (Indonesian)."""


@dataclass(frozen=True)
class IndexLayout:
    root: Path

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current_build(self) -> Path | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        build = self.builds / name
        return build if (build / "manifest.json").exists() else None

    def new_build_dir(self) -> Path:
        self.builds.mkdir(parents=True, exist_ok=True)
        name = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        return self.builds / f"{name}.partial"

    def publish(self, partial: Path) -> Path:
        final = partial.with_name(partial.name.removesuffix(".partial"))
        partial.rename(final)
        tmp = self.pointer.with_suffix(".tmp")
        tmp.write_text(final.name, encoding="utf-8")
        os.replace(tmp, self.pointer)
        return final

    def prune(self, chroma_url: str | None = None, prefix: str = "passages") -> list[str]:
        """Remove unpublished leftovers (e.g. from a killed run) and builds older than BUILDS_KEPT, with
        their collections on the Chroma server when the builds wrote there."""
        if not self.builds.exists():
            return []
        current = self.current_build()
        complete = sorted(p for p in self.builds.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
        keep = set(complete[-BUILDS_KEPT:]) | ({current} if current else set())
        removed = []
        for path in self.builds.iterdir():
            if path not in keep:
                if chroma_url:
                    drop_collection(chroma_url, collection_name(prefix, path))
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        return removed

    def write_lock(self) -> AbstractContextManager[None]:
        """One index writer at a time; a second `index` run waits instead of corrupting a build."""
        return exclusive_lock(self.root / ".lock")


def chroma_client(build: Path, chroma_url: str | None):
    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=settings,
        )
    return chromadb.PersistentClient(path=str(build / "chroma"), settings=settings)


def collection_name(prefix: str, build: Path) -> str:
    # One collection per build so a Chroma server can hold the old and new build side by side.
    return f"{prefix}-{build.name.removesuffix('.partial')}"


def drop_collection(chroma_url: str, name: str) -> None:
    try:
        chroma_client(Path(), chroma_url).delete_collection(name)
    except Exception:  # never created (a run killed early) or already gone
        pass


def write_passages(build: Path, passages: list[Passage]) -> None:
    with open(build / "passages.jsonl", "w", encoding="utf-8") as handle:
        for passage in passages:
            handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")


def read_passages(build: Path) -> list[Passage]:
    passages = []
    with open(build / "passages.jsonl", encoding="utf-8") as handle:
        for line in handle:
            data = json.loads(line)
            data["hierarchy"] = tuple(data["hierarchy"])
            passages.append(Passage(**data))
    return passages


def write_stems(build: Path, stems: dict[str, str]) -> None:
    (build / "stems.json").write_text(json.dumps(stems, ensure_ascii=False), encoding="utf-8")


def read_stems(build: Path) -> dict[str, str]:
    """The word -> stem table the indexer computed; empty for builds made before it was kept."""
    try:
        return json.loads((build / "stems.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def read_manifest(build: Path) -> dict:
    return json.loads((build / "manifest.json").read_text(encoding="utf-8"))
