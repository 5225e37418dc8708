"""`python -m assistant train`: fit the query adapter, the learned ranker and the decline classifier
on train.jsonl.

Labels come from the eval's own evidence rule: a candidate passage is relevant when it holds
≥ 80% of an evidence span's word 3-grams. Every figure on train is 5-fold cross-validated, and the
stages are stacked the same way: the ranker learns from features computed with query adapters
that did not see the question, and the decline classifier from searches by rankers that did not
see it, so each stage learns what the next one meets on new questions. Dev is only for choosing
between settings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..answering.chain import QUOTE_POOL, Assistant, conversation_search, standalone_question
from ..answering.decline import DECLINE_FILE, DeclineInput, DeclineModel, decline_input, standardised
from ..answering.units import UNIT_FEATURES, UNITS_FILE
from ..ingest.pull import sha256_of
from ..retrieval.features import FEATURE_VERSION, FEATURES
from ..retrieval.index import LoadedIndex
from ..retrieval.lookups import Filters
from ..retrieval.query_adapter import ADAPTER_FILE, QueryAdapter, fit_adapter
from ..retrieval.rankers import MANIFEST_FILE, RANKER_FILE, FusionRanker, LearnedRanker
from ..retrieval.retriever import HybridRetriever
from ..text.analysis import ANALYSIS_VERSION
from ..text.pleasantries import without_pleasantries
from .metrics import FOLDS, SEED, Metrics, covers, first_hit_rank, folds, load_items, trigrams
from .unit_training import UNIT_PARAMS, UNIT_ROUNDS, train_units

POOL = 10  # passages a search returns for the metrics and the decline classifier

# LightGBM lambdarank. Few leaves and large leaves: ~360 questions of ~90 candidates each is little
# data, and the model must carry over to questions written otherwise. 150 rounds: 5-fold CV on
# train gave MRR@10 0.681 against 0.676 at 300 and 0.671 with 7 leaves (dev agreed in direction).
RANKER_PARAMS = {
    "objective": "lambdarank",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "lambdarank_truncation_level": 20,
    "num_threads": 2,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
ROUNDS = 150

# The decline threshold keeps answering this share of answerable train questions (out of fold):
# the floor is 0.95, and a point of margin covers questions written otherwise.
ANSWER_RATE = 0.96


@dataclass
class Question:
    """One eval item as the retriever sees it."""

    id: str
    text: str  # the standalone question (follow-ups carry their history's subject)
    answerable: bool
    style: str
    spans: list[set] = field(default_factory=list)
    bare: str = ""  # the question on its own, less its pleasantries
    history: list[dict] = field(default_factory=list)


def questions_of(items: Iterable[dict]) -> list[Question]:
    return [
        Question(
            id=item["id"],
            text=standalone_question(item["question"], item.get("history") or []),
            answerable=bool(item.get("answerable")),
            style=item.get("style", ""),
            spans=[trigrams(e["text"]) for e in item.get("evidence", [])],
            bare=without_pleasantries(item["question"]),
            history=item.get("history") or [],
        )
        for item in items
    ]


@dataclass
class Group:
    """The candidates of one question: their positions, features and relevance labels."""

    question: Question
    positions: np.ndarray
    features: np.ndarray
    labels: np.ndarray

    def dense_hit(self, k: int) -> bool:
        """Whether the dense ranker alone put a relevant passage in its top k."""
        return bool((self.labels.astype(bool) & (self.features[:, FEATURES.index("dense_rank_log")] <= np.log(k))).any())


def candidate_group(retriever: HybridRetriever, question: Question) -> Group:
    prepared = retriever.prepare(question.text, Filters())
    candidates = retriever.candidates(prepared, Filters())
    passages = retriever.index.passages
    labels = [any(covers(span, passages[p].text) for span in question.spans) for p in candidates.positions.tolist()]
    return Group(question, candidates.positions, retriever.features(prepared, candidates), np.array(labels, dtype=np.int32))


def fit_ranker(groups: list[Group], rounds: int = ROUNDS) -> LearnedRanker:
    import lightgbm

    useful = [g for g in groups if g.labels.any()]  # a group without a relevant candidate teaches nothing
    data = lightgbm.Dataset(
        np.vstack([g.features for g in useful]),
        label=np.concatenate([g.labels for g in useful]),
        group=[len(g.labels) for g in useful],
        feature_name=list(FEATURES),
        free_raw_data=False,
    )
    return LearnedRanker(lightgbm.train(RANKER_PARAMS, data, num_boost_round=rounds))


def fit_query_adapter(index: LoadedIndex, groups: list[Group], passage_vectors: np.ndarray) -> QueryAdapter:
    queries = np.stack([index.raw_query_vector(g.question.text) for g in groups])
    return fit_adapter(queries, [g.positions[g.labels.astype(bool)] for g in groups], passage_vectors)


def dense_only(groups: list[Group]) -> dict:
    answerable = [g for g in groups if g.question.answerable] or groups
    return {f"hit@{k}": round(float(np.mean([g.dense_hit(k) for g in answerable])), 4) for k in (5, 10, 50)}


@dataclass
class Fitted:
    """One pass over a train file: its cross-validated report and the models fit on all of it."""

    report: dict
    adapter: QueryAdapter
    ranker: LearnedRanker
    decline: DeclineModel


def fit_all(index: LoadedIndex, items: list[dict], progress: bool = True, log: Callable[[str], None] = print) -> Fitted:
    questions = questions_of(items)
    fold = folds(len(questions))
    bar = lambda items, desc: tqdm(items, desc=desc, disable=not progress)  # noqa: E731
    identity = HybridRetriever(index=index, ranker=FusionRanker(), adapter=QueryAdapter())
    plain = [candidate_group(identity, q) for q in bar(questions, "Kandidat (e5 asli)")]
    answerable = [g for g in plain if g.question.answerable]
    recall = float(np.mean([g.labels.any() for g in answerable])) if answerable else 0.0
    log(f"Bukti ada di antara kandidat (BM25 top-N ∪ dense top-N): {recall:.3f} dari {len(answerable)} pertanyaan")

    vectors = index.vectors if index.vectors is not None else index.passage_vectors()
    adapters = [fit_query_adapter(index, [g for g, n in zip(plain, fold) if n != f], vectors) for f in bar(range(FOLDS), "Adapter kueri")]
    groups = [
        candidate_group(HybridRetriever(index=index, ranker=FusionRanker(), adapter=adapters[n]), q)
        for q, n in bar(list(zip(questions, fold)), "Kandidat (adapter lintas-lipatan)")
    ]
    metrics, styles, follow_ups = Metrics(), {}, Metrics()
    inputs: list[DeclineInput] = [None] * len(questions)
    for f in bar(range(FOLDS), "Validasi silang"):
        retriever = HybridRetriever(index=index, k=POOL, ranker=fit_ranker([g for g, n in zip(groups, fold) if n != f]), adapter=adapters[f])
        for i in np.flatnonzero(fold == f).tolist():
            question = questions[i]
            result = retriever.search(question.text, k=POOL)
            inputs[i] = decline_input(index, question.text, result)
            if question.answerable:
                rank = first_hit_rank(question.spans, [r.passage.text for r in result.passages[:10]])
                metrics.add(rank)
                styles.setdefault(question.style, Metrics()).add(rank)
            if question.answerable and question.history:  # as the chain searches it, with its conversation
                _, found = conversation_search(retriever, question.bare, question.text, question.history, QUOTE_POOL, Filters())
                follow_ups.add(first_hit_rank(question.spans, [r.passage.text for r in found]))
    unanswerable = np.array([not q.answerable for q in questions], dtype=np.int32)
    decline, decline_report = fit_decline(inputs, unanswerable)
    report = {
        "questions": len(questions),
        "candidate_recall": round(recall, 4),
        "dense_only": {"e5": dense_only(plain), "e5 + adapter": dense_only(groups)},
        "retrieval": metrics.to_dict(),
        "styles": {style: m.to_dict() for style, m in sorted(styles.items())},
        "follow_ups": follow_ups.to_dict(),  # hit@5: evidence among the passages an answer shows
        "decline": decline_report,
    }
    return Fitted(report, fit_query_adapter(index, plain, vectors), fit_ranker(groups), decline)


# A missing term joins the classifier's vocabulary when at least this many train questions miss it;
# rarer ones would be fit to single questions. C: the inverse L2 strength (5-fold CV on train
# declined 0.50 at 3 and 0.5, 0.46 without terms, 0.44 with 5).
MIN_TERM_QUESTIONS = 3
DECLINE_C = 0.5


def fit_decline(inputs: list[DeclineInput], unanswerable: np.ndarray) -> tuple[DeclineModel, dict]:
    """Logistic regression on out-of-fold decline inputs; the threshold chosen on its own
    cross-validated probabilities so that ANSWER_RATE of answerable questions are answered."""
    from collections import Counter

    from sklearn.linear_model import LogisticRegression

    values = np.stack([i.values for i in inputs]).astype(np.float64)
    counts = Counter(term for i in inputs for term in i.missing)
    vocabulary = tuple(sorted(t for t, n in counts.items() if n >= MIN_TERM_QUESTIONS))
    column = {term: n for n, term in enumerate(vocabulary)}
    mean, scale = values.mean(axis=0), values.std(axis=0)
    scale[scale == 0] = 1.0
    missing = np.zeros((len(inputs), len(vocabulary)))
    for row, i in enumerate(inputs):
        for term in i.missing & set(column):
            missing[row, column[term]] = 1.0
    design = np.hstack([standardised(values, mean, scale), missing])

    def fit(rows: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=DECLINE_C, class_weight="balanced", max_iter=5000).fit(design[rows], unanswerable[rows])

    fold = folds(len(inputs))
    probability = np.zeros(len(inputs))
    for f in range(FOLDS):
        probability[fold == f] = fit(np.flatnonzero(fold != f)).predict_proba(design[fold == f])[:, 1]
    threshold = float(np.quantile(probability[unanswerable == 0], ANSWER_RATE))
    final = fit(np.arange(len(inputs)))
    coef = final.coef_[0].astype(np.float64)
    width = values.shape[1]
    model = DeclineModel(mean, scale, coef[:width], vocabulary, coef[width:], float(final.intercept_[0]), threshold)
    declined = probability >= threshold
    return model, {
        "threshold": round(threshold, 4),
        "answered_answerable": round(float(1 - declined[unanswerable == 0].mean()), 4),
        "declined_unanswerable": round(float(declined[unanswerable == 1].mean()), 4),
    }


def cross_validated_report(index: LoadedIndex, train_path: Path, progress: bool = True) -> dict:
    return fit_all(index, load_items(train_path), progress, log=lambda message: None).report


def train(
    index: LoadedIndex,
    train_path: Path,
    out_dir: Path,
    progress: bool = True,
    log: Callable[[str], None] = print,
    extra_paths: Sequence[Path] = (),
) -> dict:
    """Fit every learned artifact from `train_path` (and `extra_paths`, e.g. the help desk's exported
    corrections) into `out_dir`; returns the cross-validated report."""
    extra = {path: load_items(path) for path in extra_paths}
    items = load_items(train_path) + [item for loaded in extra.values() for item in loaded]
    fitted = fit_all(index, items, progress, log)
    out_dir.mkdir(parents=True, exist_ok=True)
    fitted.adapter.save(out_dir / ADAPTER_FILE)
    fitted.ranker.booster.save_model(str(out_dir / RANKER_FILE))
    (out_dir / DECLINE_FILE).write_text(json.dumps(fitted.decline.to_dict(), indent=1), encoding="utf-8")
    manifest = {
        "feature_version": FEATURE_VERSION,
        "features": list(FEATURES),
        "analysis_version": ANALYSIS_VERSION,
        "embedding_model": index.embedder.name,
        "train_file": train_path.name,
        "train_sha256": sha256_of(train_path),
        "extra_files": [
            {"file": path.name, "sha256": sha256_of(path), "items": len(loaded)}
            for path, loaded in extra.items()
        ],
        "ranker": {"params": RANKER_PARAMS, "rounds": ROUNDS},
        "cross_validated": fitted.report,
    }
    write_manifest(out_dir, manifest)
    # Quotes are chosen from what the new ranker retrieves: the unit model is fit on its results.
    with_new_artifacts = LoadedIndex.open(index.settings.model_copy(update={"artifacts_dir": out_dir}))
    units, fitted.report["units"] = train_units(Assistant(with_new_artifacts.settings, index=with_new_artifacts),
                                               items, progress, log)
    units.booster.save_model(str(out_dir / UNITS_FILE))
    write_manifest(out_dir, manifest | {"unit_features": list(UNIT_FEATURES),
                                       "units": {"params": UNIT_PARAMS, "rounds": UNIT_ROUNDS},
                                       "cross_validated": fitted.report})
    return fitted.report


def write_manifest(out_dir: Path, manifest: dict) -> None:
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
