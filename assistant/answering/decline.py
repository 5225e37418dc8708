"""When to say "tidak ditemukan": attempts to steer the assistant, and questions the corpus does not answer.

Steering is caught by kind (overriding instructions, role play, fake system or developer modes,
requests to invent provisions), after look-alike letters are read as the Latin ones they imitate.
Whether the corpus answers is a calibrated classifier over what the search found (how well the
best passages score and agree, how much of the question one place in them holds, whether they state
the kind of datum the question asks for, words of the question the corpus never uses, kinds of
instrument it names that the index holds none of), fit on
train.jsonl by `python -m assistant train`.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..retrieval.features import FEATURES
from ..retrieval.references import mentioned_instruments
from ..text.analysis import analyze
from ..text.questions import asked_data, states_datum

# --- steering ------------------------------------------------------------------------------------

_OVERRIDE_VERB = r"(?:abaikan|lupakan|hiraukan|langgar|lewati|tinggalkan|ignore|disregard|forget|override|bypass)"
_RULES = r"(?:aturan|instruksi|perintah|ketentuan|arahan|batasan|pedoman|prompt|rules?|instructions?|guidelines?|restrictions?)"
STEERING = [
    # Overriding the assistant's instructions, in either language, with anything in between.
    re.compile(rf"\b{_OVERRIDE_VERB}\b(?:\W+\w+){{0,5}}?\W+{_RULES}\b", re.I),
    re.compile(rf"\bjangan\s+(?:ikuti|patuhi|taati)\b(?:\W+\w+){{0,4}}?\W+{_RULES}\b", re.I),
    # Role play: the assistant told to be, or act as, someone else.
    re.compile(
        r"\b(?:kamu|anda|engkau|kau)\s+(?:sekarang\s+|kini\s+)?(?:adalah|menjadi|berperan(?:\s+sebagai)?)\s+(?!benar\b)"
        r"|\b(?:berperanlah|bertindaklah|anggaplah|anggap)\s+(?:dirimu|diri\s+anda|kamu|anda|sebagai)\b"
        r"|\b(?:pura-pura|berpura-pura|roleplay|role-play|act\s+as|pretend\s+(?:to\s+be|you))\b",
        re.I,
    ),
    # Pretended system messages and privileged modes.
    re.compile(
        r"\[\s*(?:system|sistem|admin|developer)\b|<\s*/?\s*(?:system|sistem)\s*>|^\s*#{2,}\s*(?:system|instruction)"
        r"|\b(?:system\s+prompt|prompt\s+sistem|system\s+override|jailbreak|do\s+anything\s+now)\b"
        r"|\b(?:mode|modus)\s+(?:pengembang|developer|admin|debug|dewa|tanpa\s+(?:batas|filter|sensor))\b"
        r"|\bdeveloper\s+mode\b",
        re.I | re.M,
    ),
    # Requests to invent provisions.
    re.compile(
        r"\b(?:karang|karangkan|buat|buatkan|ciptakan|tulis|tuliskan|rekayasa)(?:lah)?\s+(?:saja\s+)?(?:sebuah\s+|satu\s+)?pasal\b"
        r"|\bpasal\s+(?:fiktif|palsu|karangan|rekaan|bohongan)\b",
        re.I,
    ),
]


@lru_cache(maxsize=4096)
def latin_skeleton(text: str) -> str:
    """The text with look-alike letters of other scripts ("Аbаikаn" in Cyrillic) read as the Latin
    letters they imitate, and accents, full-width forms and ligatures folded (NFKD)."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    if folded.isascii():
        return folded
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(folded, preferred_aliases=["latin"], greedy=True) or []
    mapping = {}
    for entry in found:
        latin = [h["c"] for h in entry["homoglyphs"] if h["n"].startswith("LATIN") and len(h["c"]) == 1]
        if latin:
            mapping[entry["character"]] = latin[0]
    return "".join(mapping.get(ch, ch) for ch in folded)


def is_steering(text: str) -> bool:
    """Whether a text tries to change what the assistant is or what rules it follows."""
    skeleton = latin_skeleton(text)
    return any(pattern.search(skeleton) for pattern in STEERING)


def steers(question: str, history: list[dict] | None = None) -> bool:
    """The question, or a user turn of the conversation it continues, tries to steer the assistant:
    an instruction hidden earlier in a conversation is as binding as one in the question."""
    turns = [question] + [t.get("content", "") for t in history or [] if t.get("role") == "user"]
    return any(is_steering(turn) for turn in turns if isinstance(turn, str))


# --- answerability -------------------------------------------------------------------------------

# Words that ask for the present state of things (a count, an office holder, this year's budget):
# regulations set rules, they do not report the present.
CURRENT = re.compile(r"\b(?:saat ini|sekarang|skrg|terkini|terbaru|tahun ini|hari ini|update)\b", re.I)
DECLINE_FILE = "decline.json"
YEAR = re.compile(r"\b(?:19|20)\d\d\b")

DECLINE_FEATURES: tuple[str, ...] = (
    "top_score",
    "margin",
    "top_minus_mean5",
    "dense_top",
    "lexical_top_log",
    "top_unit_coverage",
    "top_passage_coverage",
    "best3_unit_coverage",
    "top3_coverage",
    "unknown_share",
    "unknown_terms",
    "asks_datum",
    "datum_in_top",
    "datum_in_best3",
    "asks_current",
    "year_unmatched",
    "unindexed_instrument",
    "question_terms",
    "top_lexical_rank_log",
    "top_dense_rank_log",
)
_COLUMN = {name: FEATURES.index(name) for name in FEATURES}


@dataclass(frozen=True)
class DeclineInput:
    """What the classifier reads of one search: DECLINE_FEATURES, and the question's analysed terms
    that none of the best three passages holds (what it asks for that they do not speak of)."""

    values: np.ndarray
    missing: frozenset[str]


def decline_input(index, question: str, result) -> DeclineInput:
    """The classifier's input for one search (`result`: a SearchResult with its ranked features)."""
    passages = result.passages
    rows = result.features if result.features is not None and len(result.features) else np.zeros((1, len(FEATURES)))
    scores = np.array([p.score for p in passages] or [0.0])
    weights = index.terms.weights
    terms = set(analyze(question))
    total = weights.weight(terms) or 1.0
    unknown = {t for t in terms if weights.df.get(t, 0) == 0}
    found: set[str] = set()
    for item in passages[:3]:
        position = index.position[item.passage.id]
        found |= index.terms.passage_terms(position) | index.terms.context_terms(position)
    top_text = " ".join(item.passage.text for item in passages[:3])
    years = set(YEAR.findall(question))
    asked = asked_data(question)
    stated = [states_datum(asked, item.passage.text) for item in passages[:3]] if asked else []
    values = {
        "top_score": scores[0],
        "margin": scores[0] - scores[1] if len(scores) > 1 else 0.0,
        "top_minus_mean5": scores[0] - scores[:5].mean(),
        "dense_top": result.dense_top,
        "lexical_top_log": math.log1p(max(rows[:, _COLUMN["lexical_score"]].max(), 0.0)),
        "top_unit_coverage": rows[0, _COLUMN["unit_coverage"]],
        "top_passage_coverage": rows[0, _COLUMN["passage_coverage"]],
        "best3_unit_coverage": rows[:3, _COLUMN["unit_coverage"]].max(),
        "top3_coverage": weights.weight(terms & found) / total,
        "unknown_share": weights.weight(unknown) / total,
        "unknown_terms": len(unknown),
        "asks_datum": float(bool(asked)),
        "datum_in_top": float(bool(stated) and stated[0]),
        "datum_in_best3": float(any(stated)),
        "asks_current": float(bool(CURRENT.search(question))),
        "year_unmatched": float(bool(years - set(YEAR.findall(top_text)))),
        # A kind of instrument the index holds none of (a Perpres, a Perda): the question may ask
        # for its content, or its number, which the indexed laws only delegate to.
        "unindexed_instrument": float(bool(mentioned_instruments(question) - index.types)),
        "question_terms": len(terms),
        "top_lexical_rank_log": rows[0, _COLUMN["lexical_rank_log"]],
        "top_dense_rank_log": rows[0, _COLUMN["dense_rank_log"]],
    }
    return DeclineInput(np.array([values[name] for name in DECLINE_FEATURES], dtype=np.float32), frozenset(terms - found))


# Standardised features are clipped to this many deviations: a linear model must not extrapolate
# from inputs unlike any in train (a question repeated thirty times scores BM25 thirty times higher).
CLIP = 3.0


def standardised(values: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return np.clip((values - mean) / scale, -CLIP, CLIP)


def shares_no_term(features: DeclineInput) -> bool:
    """No passage holds any word of the question: nothing in the corpus speaks of what it asks.
    (Train's unanswerable questions are near misses; such a question is like none of them.)"""
    return features.values[DECLINE_FEATURES.index("lexical_top_log")] <= 0.0


@dataclass(frozen=True)
class DeclineModel:
    """Logistic regression: the probability that the corpus does not answer. Numeric features are
    standardised; each term of `vocabulary` adds its weight when the question asks for it and the
    best passages lack it (train learns that a missing "tarif" or "nomor" tells more than a missing
    "cara")."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    vocabulary: tuple[str, ...]
    term_coef: np.ndarray
    intercept: float
    threshold: float  # decline at or above this probability

    def probability(self, features: DeclineInput) -> float:
        z = float(standardised(features.values, self.mean, self.scale) @ self.coef + self.intercept)
        z += float(sum(w for term, w in zip(self.vocabulary, self.term_coef) if term in features.missing))
        return 1.0 / (1.0 + math.exp(-z))

    def declines(self, features: DeclineInput) -> bool:
        return self.probability(features) >= self.threshold

    def to_dict(self) -> dict:
        return {
            "features": list(DECLINE_FEATURES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "vocabulary": list(self.vocabulary),
            "term_coef": self.term_coef.tolist(),
            "intercept": self.intercept,
            "threshold": self.threshold,
        }

    @classmethod
    def from_dict(cls, data: dict) -> DeclineModel:
        if data.get("features") != list(DECLINE_FEATURES):
            raise ValueError("model penolakan dilatih dengan fitur lain")
        return cls(
            np.array(data["mean"], dtype=np.float64),
            np.array(data["scale"], dtype=np.float64),
            np.array(data["coef"], dtype=np.float64),
            tuple(data["vocabulary"]),
            np.array(data["term_coef"], dtype=np.float64),
            float(data["intercept"]),
            float(data["threshold"]),
        )

    @classmethod
    def load(cls, path: Path) -> DeclineModel | None:
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (FileNotFoundError, ValueError, KeyError):
            return None
