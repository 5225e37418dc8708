"""A published build read from disk: its passages, catalog, BM25 index, Chroma collection and embedder."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s

from ..config import Settings
from ..embedding.runtimes import Embedder, load_embedder
from ..indexing.store import IndexLayout, IndexMissingError, chroma_client, read_manifest, read_passages, read_stems
from ..ingest.catalog import Catalog
from ..records import Passage
from ..text.analysis import remember_stems

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildParts:
    """What a search reads of one build: passages, the catalog, BM25, the embedder, the Chroma
    collection (None when it cannot be opened)."""

    passages: list[Passage]
    catalog: Catalog
    lexical: bm25s.BM25
    embedder: Embedder
    collection: Any

    @classmethod
    def read(cls, settings: Settings, build: Path, embedder: Embedder | None = None) -> BuildParts:
        manifest = read_manifest(build)
        passages = read_passages(build)
        remember_stems(read_stems(build))
        catalog = Catalog.load(settings.catalog_path)
        lexical = bm25s.BM25.load(str(build / "bm25"), show_progress=False)
        embedder = embedder or load_embedder(manifest["embedding_model"], settings.model_cache_dir)
        try:
            collection = chroma_client(build, manifest.get("chroma_url")).get_collection(
                manifest["collection"], embedding_function=None
            )
        except Exception:  # a deleted or damaged Chroma folder must not take BM25 down with it
            log.exception("Chroma collection of %s cannot be opened; answering from BM25 only", build)
            collection = None
        return cls(passages, catalog, lexical, embedder, collection)


def current_build(settings: Settings) -> Path:
    """The build `index` published last."""
    build = IndexLayout(settings.index_dir).current_build()
    if build is None:
        raise IndexMissingError(
            f"Indeks belum tersedia di {settings.index_dir}. Jalankan dulu: python -m assistant index"
        )
    return build
