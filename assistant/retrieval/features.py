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

    def unit_coverage(self, position: int, terms: set[str], weights: TermWeights) -> float: ...

    def passage_terms(self, position: int) -> frozenset[str]: ...

    def context_terms(self, position: int) -> frozenset[str]: ...

    def passage_bigrams(self, position: int) -> frozenset[tuple[str, str]]: ...


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
    terms = set(query.terms)
    total = query.weights.weight(terms) or 1.0
    lexical_top = candidates.lexical_top or 1.0
    dense_top = candidates.dense_top
    raw_dense = candidates.dense_score if candidates.raw_dense_score is None else candidates.raw_dense_score
    rrf = 1.0 / (RRF_K + candidates.lexical_rank) + 1.0 / (RRF_K + candidates.dense_rank)
    rrf_rank = np.empty(len(rrf))
    rrf_rank[np.argsort(-rrf, kind="stable")] = np.arange(1, len(rrf) + 1)
    # How the rest of a candidate's pasal and section fared: an article found through several of its
    # splits, or in a section where much matches, is likelier the one asked about.
    pasal_of = [(index.passages[p].regulation, index.passages[p].pasal) for p in candidates.positions.tolist()]
    section_of = [(index.passages[p].regulation, index.passages[p].hierarchy) for p in candidates.positions.tolist()]
    pasal_best: dict = {}
    section_best: dict = {}
    pasal_count: dict = {}
    for key, section, value in zip(pasal_of, section_of, rrf.tolist()):
        pasal_best[key] = max(pasal_best.get(key, 0.0), value)
        section_best[section] = max(section_best.get(section, 0.0), value)
        pasal_count[key] = pasal_count.get(key, 0) + 1
    for row, position in enumerate(candidates.positions.tolist()):
        passage = index.passages[position]
        status = index.status[position]
        passage_terms = index.passage_terms(position)
        matched = terms & passage_terms
        lexical_rank = float(candidates.lexical_rank[row])
        dense_rank = float(candidates.dense_rank[row])
        in_named = bool(query.named) and query.named in (passage.regulation, passage.amends.partition(" Pasal")[0])
        rows[row] = (
            candidates.lexical_score[row],
            candidates.lexical_score[row] / lexical_top,
            math.log(lexical_rank),
            candidates.dense_score[row],
            dense_top - candidates.dense_score[row],
            math.log(dense_rank),
            rrf[row],
            index.unit_coverage(position, terms, query.weights) if terms else 0.0,
            query.weights.weight(matched) / total,
            query.weights.weight(terms & index.context_terms(position)) / total,
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
            len(query.bigrams & index.passage_bigrams(position)) / max(len(query.bigrams), 1),
            float(pasal_count[pasal_of[row]]),
            pasal_best[pasal_of[row]],
            section_best[section_of[row]],
            math.log(rrf_rank[row]),
            raw_dense[row],
            float(passage.ayat_start in ("", "1")),  # opens its pasal, or has no ayat to split at
        )
    return rows
