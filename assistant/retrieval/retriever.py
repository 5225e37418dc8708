"""Hybrid retrieval: BM25 (Indonesian analysis) and dense (Chroma) candidates, ordered by a learned ranker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ..records import Passage, RetrievedPassage
from .candidates import CANDIDATE_DEPTH, Candidates, gather
from .features import QueryContext, feature_matrix
from .index import top_positive
from .lookups import Filters
from .references import Reference, find_reference, find_regulation, without_regulation_mention


@dataclass(frozen=True)
class SearchResult:
    passages: list[RetrievedPassage]
    reference: Reference | None  # an explicit "Pasal N <regulation>" the question named
    named_regulation: str | None  # a regulation in the index the question names without a pasal
    dense_top: float  # cosine similarity of the best dense match: a signal for declining
    features: np.ndarray | None = None  # the ranker's features of `passages`, in their order


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

    def candidates(self, query: Query, filters: Filters, also: Sequence[int] = ()) -> Candidates:
        """BM25 top N ∪ dense top N, and a named regulation's own top N of each, so its provisions
        are among the candidates even where the whole corpus outranks them; `also`: positions that
        must be candidates too."""
        index = self.index
        scores = index.lexical_scores(query.lexical, filters)
        lexical = [] if scores is None else top_positive(scores, self.depth)
        vector = index.query_vector(query.text, self.adapter)
        dense = index.dense_ranking(vector, filters, self.depth)
        extra: list[tuple[int, float | None]] = [(position, None) for position in also]
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
        context = QueryContext.of(query.text, query.lexical, self.index.terms.weights, query.named, query.reference)
        return feature_matrix(self.index, context, candidates)

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> SearchResult:
        k = k or self.k
        filters = filters or self.filters
        prepared = self.prepare(query, filters)
        candidates = self.candidates(prepared, filters)
        features = self.features(prepared, candidates)
        ranked, rows = self.rank(candidates, features)
        if prepared.reference is not None:
            ranked, rows = put_first(self._named_pasal(prepared.reference, filters), ranked, rows)
        return self.result(prepared, candidates, features, ranked[:k], rows[:k])

    def rank(self, candidates: Candidates, features: np.ndarray) -> tuple[list[tuple[int, float]], list[int | None]]:
        """Candidates best first as (position, score), and each one's feature row."""
        scores = (self.ranker or self.index.ranker).score(features)
        order = np.lexsort((candidates.positions, -scores)).tolist()  # ties: the earlier passage
        return [(int(candidates.positions[i]), float(scores[i])) for i in order], list(order)

    def result(
        self,
        query: Query,
        candidates: Candidates,
        features: np.ndarray,
        ranked: list[tuple[int, float]],
        rows: list[int | None],
    ) -> SearchResult:
        passages = [
            RetrievedPassage(rank=rank + 1, score=round(score, 6), passage=self.index.passages[position])
            for rank, (position, score) in enumerate(ranked)
        ]
        shown = [row for row in rows if row is not None]
        return SearchResult(
            passages,
            query.reference,
            query.named,
            dense_top=float(candidates.dense_top),
            features=features[shown] if len(shown) == len(passages) else None,
        )

    def retrieve(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[RetrievedPassage]:
        return self.search(query, k, filters).passages

    def around(self, query: str, reference: Reference, k: int, filters: Filters | None = None) -> list[RetrievedPassage]:
        """The passages around a pasal (its own, its rewrites, the articles referring to it), ordered for
        the query by the ranker among the query's own candidates."""
        filters = filters or self.filters
        index = self.index
        around = [
            i for i in index.around_pasal(reference.regulation, reference.pasal)
            if filters.allows(index.passages[i].regulation, index.status[i])
        ]
        if not around:
            return []
        prepared = self.prepare(query, filters)
        candidates = self.candidates(prepared, filters, also=around)
        ranked, _ = self.rank(candidates, self.features(prepared, candidates))
        wanted = set(around)
        chosen = [(position, score) for position, score in ranked if position in wanted][:k]
        return [RetrievedPassage(rank, round(score, 6), index.passages[i]) for rank, (i, score) in enumerate(chosen, start=1)]

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
