"""When to say "tidak ditemukan": manipulation attempts and questions the evidence does not cover."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis import analyze
from .extractive import TermWeights
from .records import RetrievedPassage

MANIPULATION = re.compile(
    r"abaikan\s+(?:semua\s+|seluruh\s+)?(?:aturan|instruksi|perintah|ketentuan)"
    r"|ignore\s+(?:all\s+|the\s+|previous\s+|your\s+)*(?:rules|instructions)"
    r"|(?:karang|buat|ciptakan|tulis)(?:kan)?\s+(?:saja\s+)?(?:sebuah\s+|satu\s+)?pasal"
    r"|pasal\s+(?:fiktif|palsu|karangan|rekaan)"
    r"|pura-pura|berpura-pura|jailbreak|system\s+prompt|developer\s+mode",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on dev (see README, `python -m assistant eval --answers`)."""

    min_coverage: float = 0.55  # weighted share of question terms found in the top passages
    min_dense: float = 0.80  # cosine of the best dense match
    strong_coverage: float = 0.80  # coverage that answers even when the dense match is weak


def is_manipulation(question: str) -> bool:
    return bool(MANIPULATION.search(question))


def evidence_coverage(question: str, passages: list[RetrievedPassage], weights: TermWeights, top: int = 3) -> float:
    """Share of the question's idf weight whose terms occur in the top passages."""
    terms = set(analyze(question))
    if not terms:
        return 0.0
    found: set[str] = set()
    for item in passages[:top]:
        found |= set(analyze(f"{item.passage.heading} {' '.join(item.passage.hierarchy)} {item.passage.text}"))
    total = sum(weights.idf(t) for t in terms)
    return sum(weights.idf(t) for t in terms & found) / total if total else 0.0


def should_decline(coverage: float, dense_top: float, thresholds: Thresholds = Thresholds()) -> bool:
    if coverage >= thresholds.strong_coverage:
        return False
    return coverage < thresholds.min_coverage or dense_top < thresholds.min_dense
