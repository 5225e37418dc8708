"""Which unit of a retrieved passage (ayat, list item, sentence) answers the question: a learned
scorer over general features of the unit, trained on train.jsonl (units that hold a key fact or the
evidence are positives), in place of hand-set weights.

`python -m assistant train` fits it; without its artifact the hand-weighted `score_unit` decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..parse.units import Unit, is_list_item
from ..records import RetrievedPassage
from ..text.analysis import analyze
from ..text.term_weights import TermWeights
from .extractive import DELEGATION, EXCEPTION

UNITS_FILE = "units.lgb.txt"

# What a question asks for, and what a unit that answers it says (general legal-drafting forms).
ASKS_DEFINITION = re.compile(r"\b(?:apa (?:itu|yang dimaksud)|pengertian|definisi|arti(?:nya)?|maksudnya)\b", re.I)
STATES_DEFINITION = re.compile(r"\b(?:adalah|yang dimaksud dengan)\b", re.I)
ASKS_OBLIGATION = re.compile(r"\b(?:kewajiban|wajib|harus|diwajibkan|tanggung jawab)\b", re.I)
STATES_OBLIGATION = re.compile(r"\b(?:wajib|harus|bertanggung jawab|berkewajiban|dilarang)\b", re.I)
ASKS_YES_NO = re.compile(r"^\s*(?:apakah|bolehkah|wajibkah|haruskah|bisakah|dapatkah|perlukah)\b|\bapakah\b", re.I)
KINDS = ("pasal", "penjelasan", "lampiran", "section", "preamble")

UNIT_FEATURES = (
    "focused_coverage",  # share of the question's idf weight (asked terms raised) the unit holds
    "coverage",  # the same with plain idf
    "term_share",  # share of the question's distinct terms, unweighted
    "matched_idf",  # summed idf of the shared terms
    "inverse_rank",  # 1 / the passage's retrieval rank
    "score_gap",  # the passage's retrieval score minus the best passage's
    *(f"kind_{kind}" for kind in KINDS),
    "named_regulation",  # the passage belongs to (or amends) the regulation the question names
    "wants_answer_type",  # the question asks berapa/siapa/kapan
    "has_answer_type",  # ... and the unit holds that kind of datum
    "delegation",  # "Ketentuan lebih lanjut ... diatur dalam ..."
    "log_chars",
    "relative_position",  # where in its passage the unit stands
    "list_intro",
    "list_item",
    "definition_match",  # the question asks what something means and the unit defines
    "unasked_definition",  # the unit defines a term the question does not ask the meaning of
    "obligation_match",  # the question asks about duties and the unit states one
    "yes_no_question",
    "states_exception",
)


@dataclass(frozen=True)
class UnitQuery:
    """What the features of a question's units share: its terms, weights and what it asks for."""

    terms: frozenset[str]
    weights: TermWeights  # idf with the asked terms raised (TermWeights.focused)
    plain: TermWeights
    wants: re.Pattern | None
    named: str | None
    asks_definition: bool
    asks_obligation: bool
    yes_no: bool

    @classmethod
    def of(cls, question: str, weights: TermWeights, wants: re.Pattern | None, named: str | None) -> UnitQuery:
        return cls(
            terms=frozenset(analyze(question)),
            weights=weights.focused(question),
            plain=weights,
            wants=wants,
            named=named,
            asks_definition=bool(ASKS_DEFINITION.search(question)),
            asks_obligation=bool(ASKS_OBLIGATION.search(question)),
            yes_no=bool(ASKS_YES_NO.search(question)),
        )


def unit_features(query: UnitQuery, unit: Unit, item: RetrievedPassage, units_in_passage: int, best_score: float) -> list[float]:
    passage = item.passage
    unit_terms = set(analyze(unit.text))
    shared = query.terms & unit_terms
    total, plain_total = query.weights.weight(query.terms), query.plain.weight(query.terms)
    named = bool(query.named) and query.named in (passage.regulation, passage.amends.partition(" Pasal")[0])
    has_type = query.wants is not None and bool(query.wants.search(unit.text))
    return [
        query.weights.weight(shared) / total if total else 0.0,
        query.plain.weight(shared) / plain_total if plain_total else 0.0,
        len(shared) / len(query.terms) if query.terms else 0.0,
        query.plain.weight(shared),
        1.0 / item.rank,
        item.score - best_score,
        *(float(passage.kind == kind) for kind in KINDS),
        float(named),
        float(query.wants is not None),
        float(has_type),
        float(bool(DELEGATION.match(unit.text))),
        float(np.log1p(len(unit.text))),
        unit.order / max(units_in_passage - 1, 1),
        float(unit.text.rstrip().endswith(":")),
        float(is_list_item(unit.text)),
        float(query.asks_definition and bool(STATES_DEFINITION.search(unit.text))),
        float(not query.asks_definition and bool(STATES_DEFINITION.search(unit.text))),
        float(query.asks_obligation and bool(STATES_OBLIGATION.search(unit.text))),
        float(query.yes_no),
        float(bool(EXCEPTION.search(unit.text))),
    ]


def unit_matrix(query: UnitQuery, candidates: list[tuple[Unit, RetrievedPassage, int]]) -> np.ndarray:
    """Features of (unit, its passage, how many units the passage has) candidates, one row each."""
    if not candidates:
        return np.zeros((0, len(UNIT_FEATURES)))
    best = max(item.score for _, item, _ in candidates)
    return np.array([unit_features(query, unit, item, count, best) for unit, item, count in candidates], dtype=np.float64)


class UnitModel:
    """A LightGBM binary model: the probability that a unit holds what the question asks."""

    def __init__(self, booster):
        if booster.feature_name() != list(UNIT_FEATURES):
            raise ValueError("fitur model unit tidak sama dengan UNIT_FEATURES")
        self.booster = booster

    @classmethod
    def load(cls, model_file: Path | None) -> UnitModel | None:
        if model_file is None or not Path(model_file).exists():
            return None
        import lightgbm

        return cls(lightgbm.Booster(model_file=str(model_file)))

    def score(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0)
        return self.booster.predict(features, num_threads=1)


def learned_scorer(model: UnitModel):
    """The model as `select_quotes` calls a scorer (extractive.UnitScorer)."""

    def score(question: str, weights: TermWeights, wants, named, candidates: list) -> list[float]:
        return model.score(unit_matrix(UnitQuery.of(question, weights, wants, named), candidates)).tolist()

    return score
