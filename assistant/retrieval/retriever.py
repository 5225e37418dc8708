"""Hybrid retrieval: BM25 (Indonesian analysis) and dense (Chroma) candidates, ordered by a learned ranker."""

from __future__ import annotations

import logging
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

from ..config import Settings
from ..embedding.embedder import Embedder, load_embedder
from ..indexing.store import IndexLayout, IndexMissingError, chroma_client, read_manifest, read_passages, read_stems
from ..ingest.catalog import Catalog, amended_pasal
from ..parse.units import unit_texts
from ..records import Passage, RetrievedPassage
from ..text.analysis import analyze, remember_stems
from ..text.term_weights import TermWeights
from .candidates import CANDIDATE_DEPTH, Candidates, gather
from .features import QueryContext, feature_matrix
from .query_adapter import ADAPTER_FILE, QueryAdapter
from .rankers import Artifacts, FusionRanker, Ranker
from .references import (
    Reference,
    cited_instrument,
    find_reference,
    find_regulation,
    regulation_mention,
    without_regulation_mention,
)

log = logging.getLogger(__name__)

# Analysed passages kept per index (terms of the passage, of its units, of its headings): the core
# corpus's 3,909 passages fit, so after `warm()` no search analyses a passage.
ANALYSIS_CACHE = 20_000
# Passages with the same text have the same vector, and Chroma returns ties in no fixed order: a few
# more than asked for are fetched and ties broken by position.
DENSE_TIE_ROOM = 10

# Shown with every answer while the dense (Chroma) half of the index cannot be used.
DENSE_UNAVAILABLE = (
    "Pencarian semantik tidak tersedia (indeks vektor rusak); jawaban memakai pencarian kata kunci. "
    "Jalankan ulang: python -m assistant index"
)


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
        self.indexed_regulations = frozenset(p.regulation for p in passages)
        self.status = [self.pasal_status(p)[0] for p in passages]
        self.lexical = lexical
        self.embedder = embedder
        # One search may rank a query twice (with and without a regulation filter): it is embedded once.
        self.raw_query_vector = lru_cache(maxsize=256)(embedder.embed_query)
        self.collection = collection
        # A notice for users while only BM25 answers.
        self.degraded: str | None = DENSE_UNAVAILABLE if collection is None else None
        self.regulations = sorted({p.regulation for p in passages})
        self.types = {p.type for p in passages}
        # Lookups that keep a query's work independent of the corpus size.
        self.regulation_column = Column([p.regulation for p in passages])
        self.status_column = Column(self.status)
        self.pasal_positions: dict[tuple[str, str], list[int]] = {}
        self.own_pasal: dict[str, dict[str, None]] = {}  # regulation -> its own pasal numbers, in document order
        self.rewrites: dict[str, list[Passage]] = {}  # "UU 3/2014 Pasal 101" -> articles rewriting it
        # The analysed units of the passages re-ranked lately: the same few recur across questions.
        self.unit_terms = lru_cache(maxsize=ANALYSIS_CACHE)(self._analysed_units)
        self.analysed_text = lru_cache(maxsize=ANALYSIS_CACHE)(self._analysed_text)
        self.passage_terms = lru_cache(maxsize=ANALYSIS_CACHE)(lambda position: frozenset(self.analysed_text(position)))
        self.passage_bigrams = lru_cache(maxsize=ANALYSIS_CACHE)(self._analysed_bigrams)
        self.context_terms = lru_cache(maxsize=ANALYSIS_CACHE)(self._analysed_context)
        for position, p in enumerate(passages):
            self.pasal_positions.setdefault((p.regulation, p.pasal), []).append(position)
            if p.kind == "pasal" and not p.amends and p.pasal and p.pasal != "-":
                self.own_pasal.setdefault(p.regulation, {})[p.pasal] = None
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

    def warm(self) -> None:
        """Analyse every passage now, when the index fits the caches: a cold search analyses the
        units of ~90 candidates it has not seen (tens of ms); the core corpus takes ~2 s once."""
        if len(self.passages) > ANALYSIS_CACHE:
            return
        for position in range(len(self.passages)):
            self.unit_terms(position)
            self.passage_bigrams(position)
            self.passage_terms(position)
            self.context_terms(position)

    def _analysed_units(self, position: int) -> list[frozenset[str]]:
        return [frozenset(analyze(unit)) for unit in unit_texts(self.passages[position].text)]

    def _analysed_text(self, position: int) -> tuple[str, ...]:
        return tuple(analyze(self.passages[position].text))

    def _analysed_bigrams(self, position: int) -> frozenset[tuple[str, str]]:
        terms = self.analysed_text(position)
        return frozenset(zip(terms, terms[1:]))

    def _analysed_context(self, position: int) -> frozenset[str]:
        passage = self.passages[position]
        return frozenset(analyze(" ".join((passage.heading, *passage.hierarchy))))

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
        return self.catalog.pasal_status(
            passage.regulation, passage.pasal, self.amended.get(passage.regulation), self.indexed_regulations
        )

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

    def pasal_numbers(self, regulation: str) -> list[str]:
        """The regulation's own pasal, in document order (not the articles it quotes to amend)."""
        return list(self.own_pasal.get(regulation, {}))

    def ayat_numbers(self, regulation: str, pasal: str) -> list[int]:
        """The ayat numbers one pasal's passages span (empty for a pasal without ayat)."""
        numbers: set[int] = set()
        for p in self.pasal_passages(regulation, pasal):
            if p.ayat_start.isdigit():
                numbers.update(range(int(p.ayat_start), int(p.ayat_end if p.ayat_end.isdigit() else p.ayat_start) + 1))
        return sorted(numbers)

    def pasal_passages(self, regulation: str, pasal: str, kinds: tuple[str, ...] = ("pasal",)) -> list[Passage]:
        positions = self.pasal_positions.get((regulation, pasal), [])
        return [self.passages[i] for i in positions if self.passages[i].kind in kinds]

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

    def _dense_failed(self) -> None:
        if self.degraded is None:
            log.exception("Chroma query failed on %s; answering from BM25 only", self.build)
        self.degraded = DENSE_UNAVAILABLE

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


@dataclass(frozen=True)
class SearchResult:
    passages: list[RetrievedPassage]
    reference: Reference | None  # an explicit "Pasal N <regulation>" the question named
    named_regulation: str | None  # a regulation in the index the question names without a pasal
    dense_top: float  # cosine similarity of the best dense match: a signal for declining
    features: np.ndarray | None = None  # the ranker's features of `passages`, in their order


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


@dataclass(frozen=True)
class Query:
    """One question prepared for search: what each ranker reads, and where it points."""

    text: str
    lexical: str  # without the name of the regulation it points to
    reference: Reference | None
    named: str | None


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a LoadedIndex; `retrieve` returns typed records for the rest of the app."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any  # LoadedIndex
    k: int = 5
    filters: Filters = Filters()
    depth: int = CANDIDATE_DEPTH
    ranker: Any = None  # a Ranker; None: the index's (the shipped trained one)
    adapter: Any = None  # a QueryAdapter; None: the index's (the shipped trained one)

    def prepare(self, query: str, filters: Filters) -> Query:
        aliases = self.index.aliases
        reference = find_reference(query, aliases)
        named = None if reference or filters.regulations else find_regulation(query, aliases)
        # A regulation's name says where to look, not what the answer is about: BM25 would match its
        # words ("Peraturan Pemerintah ini", "Cipta Kerja") in passages of any topic. The dense ranker
        # reads the name as context.
        return Query(query, without_regulation_mention(query, aliases), reference, named if named in self.index.regulations else None)

    def candidates(self, query: Query, filters: Filters) -> Candidates:
        """BM25 top N ∪ dense top N, and a named regulation's own top N of each, so its provisions
        are among the candidates even where the whole corpus outranks them."""
        index = self.index
        scores = index.lexical_scores(query.lexical, filters)
        lexical = [] if scores is None else top_positive(scores, self.depth)
        vector = index.query_vector(query.text, self.adapter)
        dense = index.dense_ranking(vector, filters, self.depth)
        extra: list[tuple[int, float | None]] = []
        if query.named:
            only = replace(filters, regulations=[query.named])
            if scores is not None:
                mask = only.mask(index.regulation_column, index.status_column)
                extra += [(p, None) for p, _ in top_positive(scores * mask, self.depth)]
            extra += index.dense_ranking(vector, only, self.depth)
        found = gather(scores, lexical, dense, lambda positions: index.cosines(vector, positions), self.depth, extra)
        if not dense:
            return found
        raw = index.raw_query_vector(query.text)
        return replace(found, raw_dense_score=np.array(index.cosines(raw, found.positions.tolist()), dtype=np.float32))

    def features(self, query: Query, candidates: Candidates) -> np.ndarray:
        context = QueryContext.of(query.text, query.lexical, self.index.weights, query.named, query.reference)
        return feature_matrix(self.index, context, candidates)

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> SearchResult:
        k = k or self.k
        filters = filters or self.filters
        prepared = self.prepare(query, filters)
        candidates = self.candidates(prepared, filters)
        features = self.features(prepared, candidates)
        scores = (self.ranker or self.index.ranker).score(features)
        order = np.lexsort((candidates.positions, -scores)).tolist()  # ties: the earlier passage
        ranked = [(int(candidates.positions[i]), float(scores[i])) for i in order]
        rows = list(order)
        if prepared.reference is not None:
            named = self._named_pasal(prepared.reference, filters)
            ranked, rows = put_first(named, ranked, rows)
        passages = [
            RetrievedPassage(rank=rank + 1, score=round(score, 6), passage=self.index.passages[position])
            for rank, (position, score) in enumerate(ranked[:k])
        ]
        shown = [row for row in rows[:k] if row is not None]
        return SearchResult(
            passages,
            prepared.reference,
            prepared.named,
            dense_top=float(candidates.dense_top),
            features=features[shown] if len(shown) == len(passages) else None,
        )

    def retrieve(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[RetrievedPassage]:
        return self.search(query, k, filters).passages

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


def put_first(
    positions: list[int], ranked: list[tuple[int, float]], rows: list[int | None]
) -> tuple[list[tuple[int, float]], list[int | None]]:
    """Move `positions` (in order) above everything else, keeping the rest of the ranking; `rows`
    (each ranked item's feature row, None for a passage that was no candidate) move alongside."""
    if not positions:
        return ranked, rows
    top = ranked[0][1] if ranked else 1.0
    row_of = {position: row for (position, _), row in zip(ranked, rows)}
    chosen = set(positions)
    boosted = [(position, top + 1.0 - 0.001 * n) for n, position in enumerate(positions)]
    rest = [(item, row) for item, row in zip(ranked, rows) if item[0] not in chosen]
    return boosted + [item for item, _ in rest], [row_of.get(p) for p in positions] + [row for _, row in rest]


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
