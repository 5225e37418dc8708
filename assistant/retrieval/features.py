"""Features of (question, candidate passage) pairs for the learned ranker.

Each feature is a general signal of relevance in statutory text, not a rule: how both first-stage
rankers scored the passage, how much of the question one place in it holds (as a quote would), its
kind and status, whether it is where the question points (a named regulation, a defined term).
How much each counts is learned from train.jsonl (`python -m assistant train`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..records import Passage
from ..text.analysis import analyze
from ..text.questions import wanted_answer
from ..text.term_weights import TermWeights
from .candidates import Candidates
from .references import Reference, defined_term_candidates, defines
from .term_statistics import TermStatistics

# Bump when a feature is added, removed or computed differently: a ranker trained on another
# schema is not used (the retriever falls back to fusion and says so in the log).
FEATURE_VERSION = "3"

KINDS = ("pasal", "penjelasan", "lampiran", "section", "preamble")

FEATURES: tuple[str, ...] = (
    "lexical_score",
    "lexical_score_rel",
    "lexical_rank_log",
    "dense_score",
    "dense_gap",
    "dense_rank_log",
    "rrf",
    "unit_coverage",
    "passage_coverage",
    "context_coverage",
    "matched_share",
    *(f"kind_{kind}" for kind in KINDS),
    "status_diubah",
    "status_dicabut",
    "amending",
    "question_names_regulation",
    "in_named_regulation",
    "question_asks_definition",
    "defines_asked_term",
    "definitions_article",
    "question_wants_datum",
    "answer_type_match",
    "log_words",
    "question_terms",
    "bigram_share",
    "pasal_candidates",
    "pasal_best_rrf",
    "section_best_rrf",
    "rrf_rank_log",
    "raw_dense_score",
    "opens_pasal",
)

# Reciprocal rank fusion's constant as its authors set it (Cormack et al. 2009): large enough that
# a first place in one ranker does not outweigh agreement between both. Here it is one feature
# among others, and the fallback ordering when no trained ranker is available.
RRF_K = 60


class FeatureSource(Protocol):
    """What features read from a loaded index."""

    passages: list[Passage]
    status: list[str]
    terms: TermStatistics


@dataclass(frozen=True)
class QueryContext:
    """What the features need of a question, computed once per search."""

    terms: frozenset[str]  # analysed terms of the question less the regulation it names
    bigrams: frozenset[tuple[str, str]]  # its adjacent analysed terms: phrases a passage may repeat
    weights: TermWeights  # idf weights, the asked sentence's terms raised
    defined_terms: tuple[str, ...]  # terms whose definition would answer it
    wants: re.Pattern | None  # the form of the datum it asks for ("berapa": an amount)
    named: str | None  # a regulation in the index that the question names
    reference: Reference | None

    @classmethod
    def of(
        cls, question: str, lexical_query: str, weights: TermWeights, named: str | None, reference: Reference | None
    ) -> QueryContext:
        analysed = analyze(lexical_query)
        return cls(
            terms=frozenset(analysed),
            bigrams=frozenset(zip(analysed, analysed[1:])),
            weights=weights.focused(lexical_query),
            defined_terms=tuple(defined_term_candidates(question)),
            wants=wanted_answer(question),
            named=named,
            reference=reference,
        )


def feature_matrix(index: FeatureSource, query: QueryContext, candidates: Candidates) -> np.ndarray:
    """One row of FEATURES per candidate."""
    rows = np.zeros((len(candidates), len(FEATURES)), dtype=np.float32)
    if not len(candidates):
        return rows
    batch = Batch.of(index.passages, query, candidates)
    for row, position in enumerate(candidates.positions.tolist()):
        rows[row] = candidate_features(index, query, batch, row, position)
    return rows


@dataclass(frozen=True)
class Batch:
    """What every candidate's features read of the whole candidate set, computed once per search."""

    candidates: Candidates
    total: float  # the weight of all the question's terms
    lexical_top: float
    dense_top: float
    raw_dense: np.ndarray
    rrf: np.ndarray  # reciprocal rank fusion of both rankers, per row
    rrf_rank: np.ndarray
    # How the rest of a candidate's pasal and section fared: an article found through several of its
    # splits, or in a section where much matches, is likelier the one asked about.
    pasal_of: list[tuple[str, str]]  # per row
    section_of: list[tuple[str, tuple[str, ...]]]
    pasal_best: dict
    section_best: dict
    pasal_count: dict

    @classmethod
    def of(cls, passages: list[Passage], query: QueryContext, candidates: Candidates) -> Batch:
        rrf = 1.0 / (RRF_K + candidates.lexical_rank) + 1.0 / (RRF_K + candidates.dense_rank)
        rrf_rank = np.empty(len(rrf))
        rrf_rank[np.argsort(-rrf, kind="stable")] = np.arange(1, len(rrf) + 1)
        pasal_of = [(passages[p].regulation, passages[p].pasal) for p in candidates.positions.tolist()]
        section_of = [(passages[p].regulation, passages[p].hierarchy) for p in candidates.positions.tolist()]
        pasal_best: dict = {}
        section_best: dict = {}
        pasal_count: dict = {}
        for key, section, value in zip(pasal_of, section_of, rrf.tolist()):
            pasal_best[key] = max(pasal_best.get(key, 0.0), value)
            section_best[section] = max(section_best.get(section, 0.0), value)
            pasal_count[key] = pasal_count.get(key, 0) + 1
        return cls(
            candidates,
            query.weights.weight(query.terms) or 1.0,
            candidates.lexical_top or 1.0,
            candidates.dense_top,
            candidates.dense_score if candidates.raw_dense_score is None else candidates.raw_dense_score,
            rrf,
            rrf_rank,
            pasal_of,
            section_of,
            pasal_best,
            section_best,
            pasal_count,
        )


def candidate_features(index: FeatureSource, query: QueryContext, batch: Batch, row: int, position: int) -> tuple:
    """The FEATURES of one candidate, in their order."""
    candidates, terms, total = batch.candidates, query.terms, batch.total
    passage = index.passages[position]
    status = index.status[position]
    matched = terms & index.terms.passage_terms(position)
    in_named = bool(query.named) and query.named in (passage.regulation, passage.amends.partition(" Pasal")[0])
    return (
        candidates.lexical_score[row],
        candidates.lexical_score[row] / batch.lexical_top,
        math.log(float(candidates.lexical_rank[row])),
        candidates.dense_score[row],
        batch.dense_top - candidates.dense_score[row],
        math.log(float(candidates.dense_rank[row])),
        batch.rrf[row],
        index.terms.unit_coverage(position, terms, query.weights) if terms else 0.0,
        query.weights.weight(matched) / total,
        query.weights.weight(terms & index.terms.context_terms(position)) / total,
        len(matched) / max(len(terms), 1),
        *(float(passage.kind == kind) for kind in KINDS),
        float(status == "diubah"),
        float(status == "dicabut"),
        float(bool(passage.amends)),
        float(bool(query.named)),
        float(in_named),
        float(bool(query.defined_terms)),
        float(any(defines(passage.text, term) for term in query.defined_terms)),
        float(passage.kind == "pasal" and passage.pasal == "1"),
        float(query.wants is not None),
        float(query.wants is not None and bool(query.wants.search(passage.text))),
        math.log1p(len(passage.text.split())),
        float(len(terms)),
        len(query.bigrams & index.terms.passage_bigrams(position)) / max(len(query.bigrams), 1),
        float(batch.pasal_count[batch.pasal_of[row]]),
        batch.pasal_best[batch.pasal_of[row]],
        batch.section_best[batch.section_of[row]],
        math.log(batch.rrf_rank[row]),
        batch.raw_dense[row],
        float(passage.ayat_start in ("", "1")),  # opens its pasal, or has no ayat to split at
    )
