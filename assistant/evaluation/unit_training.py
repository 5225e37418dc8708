"""Fit the unit model (assistant/answering/units.py) on train.jsonl: every unit of the passages an
answer may quote, labelled by whether it holds a key fact or is part of the evidence span.

Cross-validated by question (the same folds as the ranker): each fold's answers are composed with
a unit model that never saw them, and scored as `eval --answers` scores answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from tqdm import tqdm

from ..answering.chain import Assistant
from ..answering.extractive import hand_scores
from ..answering.units import UNIT_FEATURES, UnitModel, UnitQuery, learned_scorer, unit_matrix
from ..parse.units import unit_candidates
from ..text.questions import wanted_answer
from .metrics import SEED, evaluate_answers, folds, normalized_text, trigrams

UNIT_PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    # Near-additive trees, few rounds: on train-CV key facts were 0.679 at 3 leaves x 80 rounds, 0.673
    # at 40 rounds, 0.632 at 300, 0.648 at 150, 0.573 at 15 leaves, 0.587 as lambdarank (dev agreed
    # in direction: 0.733 at 3 x 80, 0.633 at 15 leaves). Measured on the index before the running
    # header clean-up; the shipped model measures 0.637 on the current one.
    "num_leaves": 3,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "seed": SEED,
    "deterministic": True,
    "num_threads": 1,
    "verbose": -1,
}
UNIT_ROUNDS = 80
PART_OF_EVIDENCE = 0.8  # share of a unit's word 3-grams inside the evidence span


@dataclass
class UnitGroup:
    """The candidate units of one answerable question and their labels."""

    item: dict
    features: np.ndarray
    labels: np.ndarray


def unit_label(text: str, key_facts: list[str], evidence: list[set]) -> bool:
    text_form = normalized_text(text)
    if any(normalized_text(fact) in text_form for fact in key_facts):
        return True
    own = trigrams(text)
    return len(own) >= 3 and any(len(own & span) >= PART_OF_EVIDENCE * len(own) for span in evidence)


def unit_group(assistant: Assistant, item: dict) -> UnitGroup:
    question, pool, named = assistant.quote_candidates(item["question"], item.get("history"))
    candidates = unit_candidates(pool)
    query = UnitQuery.of(question, assistant.weights, wanted_answer(question), named)
    evidence = [trigrams(e["text"]) for e in item.get("evidence", [])]
    labels = [unit_label(unit.text, item.get("key_facts", []), evidence) for unit, _, _ in candidates]
    return UnitGroup(item, unit_matrix(query, candidates), np.array(labels, dtype=np.int32))


def fit_units(groups: list[UnitGroup]) -> UnitModel:
    import lightgbm

    useful = [g for g in groups if len(g.labels)]
    data = lightgbm.Dataset(
        np.vstack([g.features for g in useful]),
        label=np.concatenate([g.labels for g in useful]),
        feature_name=list(UNIT_FEATURES),
        free_raw_data=False,
    )
    return UnitModel(lightgbm.train(UNIT_PARAMS, data, num_boost_round=UNIT_ROUNDS))


# Report name -> the per-item field of `evaluate_answers` it averages.
ANSWER_FIGURES = {"gold_citation": "cites_gold", "key_facts": "key_facts", "key_facts_lead": "key_facts_lead"}


def answer_figures(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    return {name: round(float(np.mean([bool(r.get(field)) for r in answerable])), 4) for name, field in ANSWER_FIGURES.items()}


def train_units(assistant: Assistant, items: list[dict], progress: bool = True, log: Callable[[str], None] = print):
    """The unit model fit on all answerable `items`, and the cross-validated answer figures of the
    learned and the hand-weighted unit choice, side by side."""
    answerable = [item for item in items if item.get("answerable")]
    groups = [unit_group(assistant, item) for item in tqdm(answerable, desc="unit", disable=not progress)]
    fold = folds(len(answerable))
    learned_rows, hand_rows = [], []
    original = assistant.bound
    try:
        for k in range(int(fold.max()) + 1):
            held = [g.item for g, f in zip(groups, fold) if f == k]
            assistant.bound = replace(original, unit_scorer=learned_scorer(fit_units([g for g, f in zip(groups, fold) if f != k])))
            learned_rows += evaluate_answers(held, assistant.ask)["items"]
            assistant.bound = replace(original, unit_scorer=hand_scores)
            hand_rows += evaluate_answers(held, assistant.ask)["items"]
            log(f"unit fold {k + 1}: {answer_figures(learned_rows)}")
    finally:
        assistant.bound = original
    report = {"learned": answer_figures(learned_rows), "hand": answer_figures(hand_rows),
              "questions": len(answerable), "positive_units": int(sum(g.labels.sum() for g in groups))}
    return fit_units(groups), report
