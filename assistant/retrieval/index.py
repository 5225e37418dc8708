"""The loaded index: a build's passages, their term statistics, and its BM25 and dense (Chroma) rankings."""

from __future__ import annotations

import logging
import threading
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from ..config import Settings
from ..embedding.runtimes import Embedder
from ..ingest.catalog import Catalog
from ..records import Passage
from ..text.analysis import analyze
from .candidates import CANDIDATE_DEPTH
from .loading import BuildParts, current_build
from .lookups import Filters, PassageLookups
from .query_adapter import ADAPTER_FILE, QueryAdapter
from .rankers import Artifacts, FusionRanker, Ranker
from .term_statistics import TermStatistics

log = logging.getLogger(__name__)


# Passages with the same text have the same vector, and Chroma returns ties in no fixed order: a few
# more than asked for are fetched and ties broken by position.
DENSE_TIE_ROOM = 10

# Shown with every answer while the dense (Chroma) half of the index cannot be used.
DENSE_UNAVAILABLE = (
    "Pencarian semantik tidak tersedia (indeks vektor rusak); jawaban memakai pencarian kata kunci. "
    "Jalankan ulang: python -m assistant index"
)


class LoadedIndex(PassageLookups):
    """A published build opened for reading: its passages and their lookups, term statistics, and the
    two first-stage rankers (BM25 and the Chroma collection, with the embedder). Safe to share
    between threads: after opening, the only state that changes is the `degraded` latch and caches."""

    def __init__(self, settings: Settings, build: Path, embedder: Embedder | None = None):
        self._attach(settings, build, BuildParts.read(settings, build, embedder))

    @classmethod
    def from_parts(
        cls,
        settings: Settings,
        passages: list[Passage],
        catalog: Catalog,
        lexical: bm25s.BM25,
        embedder: Embedder,
        collection: Any,
    ) -> LoadedIndex:
        """An index over parts built in memory, without a build folder (the scale benchmark's)."""
        index = cls.__new__(cls)
        index._attach(settings, None, BuildParts(passages, catalog, lexical, embedder, collection))
        return index

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> LoadedIndex:
        return cls(settings, current_build(settings), embedder)

    def _attach(self, settings: Settings, build: Path | None, parts: BuildParts) -> None:
        super().__init__(parts.passages, parts.catalog)
        self.settings = settings
        self.build = build
        self.terms = TermStatistics(parts.passages, parts.lexical)
        self.lexical = parts.lexical
        self.embedder = parts.embedder
        # One search may rank a query twice (with and without a regulation filter): it is embedded once.
        self.raw_query_vector = lru_cache(maxsize=256)(parts.embedder.embed_query)
        self.collection = parts.collection
        # A one-way latch: once the dense half fails it stays off until the next build is opened.
        self._dense_down = parts.collection is None
        self._dense_down_lock = threading.Lock()

    def warm(self) -> None:
        """Fill the term caches before the first question (servers call it at startup)."""
        self.terms.warm()

    @property
    def degraded(self) -> str | None:
        """A notice for users while only BM25 answers."""
        return DENSE_UNAVAILABLE if self._dense_down else None

    def _dense_failed(self) -> None:
        with self._dense_down_lock:  # logged once, by the first search that finds it broken
            if not self._dense_down:
                log.exception("Chroma query failed on %s; answering from BM25 only", self.build)
            self._dense_down = True

    # --- the two first-stage rankers ------------------------------------------------------------

    def lexical_scores(self, query: str, filters: Filters) -> np.ndarray | None:
        """BM25 scores of every passage (0 where filtered out); None when the query has no term."""
        terms = analyze(query)
        if not terms:
            return None
        return self.lexical.get_scores(terms, weight_mask=filters.mask(self.regulation_column, self.status_column))

    def lexical_ranking(self, query: str, filters: Filters, limit: int = CANDIDATE_DEPTH) -> list[tuple[int, float]]:
        scores = self.lexical_scores(query, filters)
        return [] if scores is None else top_positive(scores, limit)

    def query_vector(self, query: str, adapter: QueryAdapter | None = None) -> np.ndarray:
        """The query's e5 vector moved by `adapter` (None: the trained one shipped with the package)."""
        return (adapter or self.adapter).apply(self.raw_query_vector(query))

    @cached_property
    def vectors(self) -> np.ndarray | None:
        """Every passage's vector in passage order, held in memory for exact search while the index
        is small enough (None above `settings.exact_dense_limit`, or without a usable collection)."""
        if self.collection is None or len(self.passages) > self.settings.exact_dense_limit:
            return None
        try:
            return self.passage_vectors()
        except Exception:
            self._dense_failed()
            return None

    def dense_ranking(self, vector: np.ndarray, filters: Filters, limit: int = CANDIDATE_DEPTH) -> list[tuple[int, float]]:
        """The `limit` passages nearest the query vector as (position, cosine), best first, ties by position."""
        if self.collection is None:
            return []
        if self.vectors is not None:
            scores = self.vectors @ vector
            allowed = filters.mask(self.regulation_column, self.status_column)
            if allowed is not None:
                scores = np.where(allowed > 0, scores, -np.inf)
            best = np.argsort(-scores, kind="stable")[:limit]
            return [(int(i), float(scores[i])) for i in best if np.isfinite(scores[i])]
        try:
            result = self.collection.query(
                query_embeddings=[vector.tolist()],
                n_results=min(limit + DENSE_TIE_ROOM, len(self.passages)),
                where=filters.chroma_where(),
                include=["distances"],
            )
        except Exception:  # damaged segment files, a vanished folder, an unreachable Chroma server
            self._dense_failed()
            return []
        found = [(self.position[pid], 1.0 - float(d)) for pid, d in zip(result["ids"][0], result["distances"][0])]
        return sorted(found, key=lambda item: (-item[1], item[0]))[:limit]

    def cosines(self, vector: np.ndarray, positions: list[int]) -> list[float]:
        """Cosine similarity of a query vector to the given passages, from their stored vectors."""
        if self.vectors is not None:
            return (self.vectors[positions] @ vector).tolist()
        try:
            result = self.collection.get(ids=[self.passages[p].id for p in positions], include=["embeddings"])
        except Exception:
            self._dense_failed()
            return [0.0] * len(positions)
        stored = dict(zip(result["ids"], result["embeddings"]))
        return [float(np.dot(stored[self.passages[p].id], vector)) if self.passages[p].id in stored else 0.0 for p in positions]

    def passage_vectors(self) -> np.ndarray:
        """Every passage's stored vector, in passage order, read from the collection."""
        ids = [p.id for p in self.passages]
        stored = {}
        for start in range(0, len(ids), 5000):
            result = self.collection.get(ids=ids[start : start + 5000], include=["embeddings"])
            stored.update(zip(result["ids"], result["embeddings"]))
        return np.stack([np.asarray(stored[i], dtype=np.float32) for i in ids])

    @cached_property
    def artifacts(self) -> Artifacts | None:
        """The learned parts this index is searched with (None: none usable; fusion ranks)."""
        return Artifacts.load(self.settings.artifacts_dir)

    @cached_property
    def ranker(self) -> Ranker:
        return self.artifacts.ranker() if self.artifacts else FusionRanker()

    @cached_property
    def adapter(self) -> QueryAdapter:
        artifacts = self.artifacts
        if artifacts is None or artifacts.manifest.get("embedding_model") != getattr(self.embedder, "name", None):
            return QueryAdapter()  # an adapter moves the vectors of the model it was fit on, no other's
        return QueryAdapter.load(artifacts.file(ADAPTER_FILE))


def top_positive(scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The `limit` best positive scores as (position, score), best first; ties go to the earlier position.

    Only the passages that match are ranked: a top-k over every passage (bm25s' own `retrieve`)
    spends most of a query on a large corpus selecting among the zeros of the others."""
    matching = np.flatnonzero(scores > 0)
    if len(matching) > limit:
        threshold = np.partition(scores[matching], -limit)[-limit]
        matching = matching[scores[matching] >= threshold]
    best = matching[np.argsort(-scores[matching], kind="stable")[:limit]]
    return [(int(i), float(scores[i])) for i in best]
