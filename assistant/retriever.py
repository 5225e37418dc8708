"""Hybrid retrieval: BM25 (Indonesian analysis) + dense (Chroma), fused by weighted reciprocal rank."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .analysis import analyze
from .catalog import Catalog, amended_pasal
from .config import Settings
from .embedder import Embedder, load_embedder
from .extractive import TermWeights, unit_texts
from .records import Passage, RetrievedPassage
from .references import (
    Reference,
    cited_instrument,
    defines,
    defined_term_candidates,
    find_reference,
    find_regulation,
    regulation_mention,
    without_regulation_mention,
)
from .store import IndexLayout, IndexMissingError, chroma_client, read_manifest, read_passages

log = logging.getLogger(__name__)

# Shown with every answer while the dense (Chroma) half of the index cannot be used.
DENSE_UNAVAILABLE = (
    "Pencarian semantik tidak tersedia (indeks vektor rusak); jawaban memakai pencarian kata kunci. "
    "Jalankan ulang: python -m assistant index"
)

RRF_K = 5  # tuned on dev: a small constant lets a top hit of either ranker count (60 is the usual default)
CANDIDATES = 50  # per retriever, before fusion
# A Penjelasan elaborates its pasal and repeats its words, so it often outranks the provision a
# question is about; it ranks as if its fused score were this share (tuned on dev: 0.4-0.8 give
# hit@5 0.883 -> 0.900, MRR@10 0.672 -> 0.69).
PENJELASAN_WEIGHT = 0.6
# The best fused passages are re-ranked by how much of the question two consecutive units of them
# (an ayat and the next, a list intro and its first item) hold, as a quote would: a passage that
# answers in one place beats one that matches word by word across its length. Tuned on dev: 0.4
# gives MRR@10 0.721 -> 0.757 and hit@5 0.900 -> 0.917 (0.4 to 0.6 give 0.756-0.757; 0.35 gives
# 0.740); it cost one gold citation in the answers (dev-036).
UNIT_RERANK_DEPTH = 10
UNIT_WEIGHT = 0.4


@dataclass
class Filters:
    regulations: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # berlaku / diubah / dicabut

    def allows(self, regulation: str, status: str) -> bool:
        return (not self.regulations or regulation in self.regulations) and (
            not self.statuses or status in self.statuses
        )

    def mask(self, regulation: Column, status: Column) -> np.ndarray | None:
        """`allows` for every passage at once, as a BM25 weight mask; None when nothing is filtered."""
        if not self.regulations and not self.statuses:
            return None
        allowed = np.ones(len(regulation.codes), dtype=bool)
        if self.regulations:
            allowed &= regulation.isin(self.regulations)
        if self.statuses:
            allowed &= status.isin(self.statuses)
        return allowed.astype(np.float32)

    def chroma_where(self) -> dict | None:
        clauses = []
        if self.regulations:
            clauses.append({"regulation": {"$in": self.regulations}})
        if self.statuses:
            clauses.append({"status": {"$in": self.statuses}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class Column:
    """One text attribute of every passage as integer codes, so a filter becomes a mask in numpy."""

    def __init__(self, values: list[str]):
        self.code: dict[str, int] = {}
        self.codes = np.array([self.code.setdefault(v, len(self.code)) for v in values], dtype=np.int32)

    def isin(self, wanted: list[str]) -> np.ndarray:
        return np.isin(self.codes, [self.code[v] for v in wanted if v in self.code])


class LoadedIndex:
    """A published build opened for reading: passages, BM25, the Chroma collection, the embedder."""

    def __init__(self, settings: Settings, build: Path, embedder: Embedder | None = None):
        manifest = read_manifest(build)
        passages = read_passages(build)
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
        self._attach(settings, build, passages, catalog, lexical, embedder, collection)

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
        index._attach(settings, None, passages, catalog, lexical, embedder, collection)
        return index

    def _attach(self, settings, build, passages, catalog, lexical, embedder, collection) -> None:
        self.settings = settings
        self.build = build
        self.passages = passages
        self.position = {p.id: i for i, p in enumerate(passages)}
        self.catalog = catalog
        self.aliases = catalog.aliases()  # read on every search: built once
        self.amended = amended_pasal([p.amends for p in passages if p.amends])
        self.status = [self.pasal_status(p)[0] for p in passages]
        self.lexical = lexical
        self.embedder = embedder
        # One search may rank a query twice (with and without a regulation filter): it is embedded once.
        self.query_vector = lru_cache(maxsize=256)(embedder.embed_query)
        self.collection = collection
        # A notice for users while only BM25 answers.
        self.degraded: str | None = DENSE_UNAVAILABLE if collection is None else None
        self.regulations = sorted({p.regulation for p in passages})
        self.types = {p.type for p in passages}
        # Lookups that keep a query's work independent of the corpus size.
        self.regulation_column = Column([p.regulation for p in passages])
        self.status_column = Column(self.status)
        self.pasal_positions: dict[tuple[str, str], list[int]] = {}
        self.rewrites: dict[str, list[Passage]] = {}  # "UU 3/2014 Pasal 101" -> articles rewriting it
        # The analysed units of the passages re-ranked lately: the same few recur across questions.
        self.unit_terms = lru_cache(maxsize=20_000)(self._analysed_units)
        for position, p in enumerate(passages):
            self.pasal_positions.setdefault((p.regulation, p.pasal), []).append(position)
            if p.amends and p.kind == "pasal":
                self.rewrites.setdefault(p.amends, []).append(p)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "LoadedIndex":
        build = IndexLayout(settings.index_dir).current_build()
        if build is None:
            raise IndexMissingError(
                f"Indeks belum tersedia di {settings.index_dir}. Jalankan dulu: python -m assistant index"
            )
        return cls(settings, build, embedder)

    def _analysed_units(self, position: int) -> list[frozenset[str]]:
        return [frozenset(analyze(unit)) for unit in unit_texts(self.passages[position].text)]

    def unit_coverage(self, position: int, terms: set[str], weights: TermWeights) -> float:
        """The share of the weighted `terms` that the best two consecutive units of a passage hold."""
        units = self.unit_terms(position)
        pairs = [a | b for a, b in zip(units, units[1:])] or units
        return max((weights.weight(terms & pair) for pair in pairs), default=0.0) / weights.weight(terms)

    @cached_property
    def weights(self) -> TermWeights:
        """Document frequencies of analysed terms, read off the BM25 matrix (one column per term)."""
        indptr = self.lexical.scores["indptr"]
        # bm25s appends an empty-string token to the vocabulary that has no column of its own.
        frequency = {
            term: int(indptr[i + 1] - indptr[i]) for term, i in self.lexical.vocab_dict.items() if i + 1 < len(indptr)
        }
        return TermWeights(frequency, int(self.lexical.scores["num_docs"]))

    def pasal_status(self, passage: Passage) -> tuple[str, str]:
        return self.catalog.pasal_status(passage.regulation, passage.pasal, self.amended.get(passage.regulation))

    def amending_passages(self, passage: Passage) -> list[Passage]:
        """Quoted articles of amending laws in the index that rewrite `passage`'s pasal."""
        if not passage.pasal or passage.amends:
            return []
        return self.rewrites.get(f"{passage.regulation} Pasal {passage.pasal}", [])

    def missing_source(self, question: str) -> str | None:
        """The regulation, or kind of instrument, a question names as its source when the index
        holds none of it ("sesuai Peraturan Menteri Perindustrian", "menurut UU 20/2008")."""
        mention = regulation_mention(question, self.aliases)
        if mention and mention[0] not in self.regulations and mention[0] not in self.amended:
            return mention[0]
        if (cited := cited_instrument(question)) and cited.type not in self.types:
            return cited.name
        return None

    def pasal_passages(self, regulation: str, pasal: str, kinds: tuple[str, ...] = ("pasal",)) -> list[Passage]:
        positions = self.pasal_positions.get((regulation, pasal), [])
        return [self.passages[i] for i in positions if self.passages[i].kind in kinds]

    # --- the two rankers -------------------------------------------------------------------------

    def lexical_ranking(self, query: str, filters: Filters, limit: int = CANDIDATES) -> list[tuple[int, float]]:
        terms = analyze(query)
        if not terms:
            return []
        scores = self.lexical.get_scores(terms, weight_mask=filters.mask(self.regulation_column, self.status_column))
        return top_positive(scores, limit)

    def dense_ranking(self, query: str, filters: Filters, limit: int = CANDIDATES) -> list[tuple[int, float]]:
        if self.collection is None:
            return []
        vector = self.query_vector(query)
        try:
            result = self.collection.query(
                query_embeddings=[vector.tolist()],
                n_results=min(limit, len(self.passages)),
                where=filters.chroma_where(),
                include=["distances"],
            )
            return [(self.position[pid], 1.0 - float(d)) for pid, d in zip(result["ids"][0], result["distances"][0])]
        except Exception:  # damaged segment files, a vanished folder, an unreachable Chroma server
            if self.degraded is None:
                log.exception("Chroma query failed on %s; answering from BM25 only", self.build)
            self.degraded = DENSE_UNAVAILABLE
            return []


@dataclass(frozen=True)
class SearchResult:
    passages: list[RetrievedPassage]
    reference: Reference | None  # an explicit "Pasal N <regulation>" the question named
    named_regulation: str | None  # a regulation in the index the question names without a pasal
    dense_top: float  # cosine similarity of the best dense match: a signal for declining


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


def fuse(rankings: list[tuple[list[tuple[int, float]], float]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion of several rankings (each with its weight)."""
    scores: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, (position, _) in enumerate(ranking):
            scores[position] = scores.get(position, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda item: -item[1])


def body_first(fused: list[tuple[int, float]], passages: list[Passage]) -> list[tuple[int, float]]:
    """The fused ranking with each Penjelasan's score weighted by PENJELASAN_WEIGHT."""
    weighted = [
        (position, score * PENJELASAN_WEIGHT if passages[position].kind == "penjelasan" else score)
        for position, score in fused
    ]
    return sorted(weighted, key=lambda item: -item[1])


def by_best_units(fused: list[tuple[int, float]], coverage: Callable[[int], float]) -> list[tuple[int, float]]:
    """Scores relative to the best fused one; the UNIT_RERANK_DEPTH best gain UNIT_WEIGHT times their
    unit `coverage` of the question and are re-sorted; the rest keep their order below them."""
    if not fused:
        return fused
    top = fused[0][1]
    head = [(position, score / top + UNIT_WEIGHT * coverage(position)) for position, score in fused[:UNIT_RERANK_DEPTH]]
    head.sort(key=lambda item: -item[1])
    return head + [(position, score / top) for position, score in fused[UNIT_RERANK_DEPTH:]]


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a LoadedIndex; `retrieve` returns typed records for the rest of the app."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any  # LoadedIndex
    k: int = 5
    filters: Filters = Filters()
    lexical_weight: float = 1.0
    dense_weight: float = 1.0

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> SearchResult:
        k = k or self.k
        filters = filters or self.filters
        aliases = self.index.aliases
        # A regulation's name says where to look, not what the answer is about: BM25 would match its
        # words ("Peraturan Pemerintah ini", "Cipta Kerja") in passages of any topic (on dev, with the
        # re-ranking below at 0.35: MRR@10 0.722 -> 0.740). The dense ranker reads the name as context.
        lexical_query = without_regulation_mention(query, aliases)
        lexical = self.index.lexical_ranking(lexical_query, filters)
        dense = self.index.dense_ranking(query, filters)
        rankings = [(lexical, self.lexical_weight), (dense, self.dense_weight)]
        reference = find_reference(query, aliases)
        named = None if reference or filters.regulations else find_regulation(query, aliases)
        if named not in self.index.regulations:
            named = None
        if named:
            # "menurut UU Cipta Kerja": that regulation's own rankings join the fusion, so its
            # provisions rise without hiding the rest (tuned on dev: MRR@10 +0.02, hit@5 +0.017).
            only = replace(filters, regulations=[named])
            rankings += [
                (self.index.lexical_ranking(lexical_query, only), self.lexical_weight),
                (self.index.dense_ranking(query, only), self.dense_weight),
            ]
        fused = self._by_best_units(lexical_query, body_first(fuse(rankings), self.index.passages))
        if reference is not None:
            fused = put_first(self._named_pasal(reference, filters), fused)
        else:
            # Definitions live in the general provisions; the passage that defines the term goes first.
            for term in defined_term_candidates(query):
                defining = [p for p, _ in fused[:CANDIDATES] if defines(self.index.passages[p].text, term)]
                if defining:
                    defining.sort(key=lambda p: self.index.passages[p].kind != "pasal")  # stable: rank order within
                    fused = put_first(defining[:2], fused)
                    break
        passages = [
            RetrievedPassage(rank=rank + 1, score=round(score, 6), passage=self.index.passages[position])
            for rank, (position, score) in enumerate(fused[:k])
        ]
        return SearchResult(passages, reference, named, dense_top=dense[0][1] if dense else 0.0)

    def retrieve(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[RetrievedPassage]:
        return self.search(query, k, filters).passages

    def _by_best_units(self, query: str, fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
        terms = set(analyze(query))
        if not terms:
            return fused
        weights = self.index.weights.focused(query)
        return by_best_units(fused, lambda position: self.index.unit_coverage(position, terms, weights))

    def _named_pasal(self, reference: Reference, filters: Filters) -> list[int]:
        named = [
            self.index.position[p.id]
            for p in self.index.pasal_passages(reference.regulation, reference.pasal)
            if filters.allows(p.regulation, self.index.status[self.index.position[p.id]])
        ]
        if reference.ayat:
            # Splits that hold the named ayat first, the rest of the pasal after them.
            named.sort(key=lambda i: not _holds_ayat(self.index.passages[i], reference.ayat))
        return named

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [to_document(item) for item in self.retrieve(query)]


def put_first(positions: list[int], fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Move `positions` (in order) above everything else, keeping the rest of the ranking."""
    if not positions:
        return fused
    top = fused[0][1] if fused else 1.0
    chosen = set(positions)
    boosted = [(position, top + 1.0 - 0.001 * n) for n, position in enumerate(positions)]
    return boosted + [item for item in fused if item[0] not in chosen]


def _holds_ayat(passage: Passage, ayat: str) -> bool:
    if not passage.ayat_start:
        return False
    try:
        return int(passage.ayat_start) <= int(ayat) <= int(passage.ayat_end or passage.ayat_start)
    except ValueError:
        return passage.ayat_start == ayat


def to_document(item: RetrievedPassage) -> Document:
    passage = item.passage
    return Document(
        page_content=passage.text,
        id=passage.id,
        metadata={"rank": item.rank, "score": item.score, **{k: v for k, v in passage.to_dict().items() if k != "text"}},
    )
