"""When to say "tidak ditemukan": manipulation, questions off the corpus, and asks for data it lacks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis import analyze, raw_tokens
from .extractive import TermWeights, unit_texts
from .records import RetrievedPassage

MANIPULATION = re.compile(
    r"abaikan\s+(?:semua\s+|seluruh\s+)?(?:aturan|instruksi|perintah|ketentuan)"
    r"|ignore\s+(?:all\s+|the\s+|previous\s+|your\s+)*(?:rules|instructions)"
    r"|(?:karang|buat|ciptakan|tulis)(?:kan)?\s+(?:saja\s+)?(?:sebuah\s+|satu\s+)?pasal"
    r"|pasal\s+(?:fiktif|palsu|karangan|rekaan)"
    r"|pura-pura|berpura-pura|jailbreak|system\s+prompt|developer\s+mode",
    re.IGNORECASE,
)

# A question asking for a datum (an amount, a date, a person, a fee) is answerable only when the
# retrieved provisions speak of that datum; regulations hold no budgets, schedules or office holders.
INTERROGATIVES = {"berapa", "kapan", "siapa"}
QUANTITY_MARKERS = {"minimal", "maksimal", "minimum", "maksimum"}
DATUM_NOUNS = ("jadwal tarif biaya honor gaji plafon pagu jumlah luas besaran nominal harga iuran "
               "pajak pinjaman kuota")
CURRENT = re.compile(r"\b(?:saat ini|sekarang|terkini|terbaru)\b", re.IGNORECASE)
YEAR = re.compile(r"\b20[2-9]\d\b")


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on dev (`python -m assistant eval ../shared/eval/dev.jsonl --answers`)."""

    min_coverage: float = 0.2  # weighted share of question terms found in the top passages
    min_dense: float = 0.83  # cosine of the best dense match
    top: int = 3  # passages whose words count as evidence


def is_manipulation(question: str) -> bool:
    return bool(MANIPULATION.search(question))


def _evidence_terms(passages: list[RetrievedPassage], top: int) -> set[str]:
    found: set[str] = set()
    for item in passages[:top]:
        found |= set(analyze(f"{item.passage.heading} {' '.join(item.passage.hierarchy)} {item.passage.text}"))
    return found


def evidence_coverage(question: str, passages: list[RetrievedPassage], weights: TermWeights, top: int = 3) -> float:
    """Share of the question's idf weight whose terms occur in the top passages."""
    terms = set(analyze(question))
    if not terms:
        return 0.0
    found = _evidence_terms(passages, top)
    total = weights.weight(terms)
    return weights.weight(terms & found) / total if total else 0.0


def datum_gap(question: str, passages: list[RetrievedPassage], weights: TermWeights, top: int = 3) -> bool:
    """The question asks for a datum, and the retrieved provisions do not mention what it asks about."""
    words = set(raw_tokens(question))
    terms = set(analyze(question))
    unknown = {t for t in terms if weights.df.get(t, 0) == 0}  # words the corpus never uses
    asks_datum = bool(words & INTERROGATIVES) or bool(words & QUANTITY_MARKERS)
    if not asks_datum and not (unknown and terms & set(analyze(DATUM_NOUNS))):
        return False
    if CURRENT.search(question) and words & INTERROGATIVES:
        return True  # "siapa yang saat ini menjabat", "berapa jumlah ... sekarang": not in any regulation
    nouns = terms & set(analyze(DATUM_NOUNS))
    focus = nouns | set(YEAR.findall(question)) | unknown
    if focus - _evidence_terms(passages, top):
        return True
    # The datum must be stated of what the question is about: "luas lahan minimal untuk sentra IKM"
    # is not answered by the minimum area of a Kawasan Industri. One unit of the top passages holds
    # the datum noun with the question's most specific other term.
    subject = sorted(terms - nouns - set(analyze(" ".join(QUANTITY_MARKERS))), key=lambda t: (-weights.idf(t), t))[:1]
    if asks_datum and nouns and subject:
        units = (set(analyze(unit)) for item in passages[:top] for unit in unit_texts(item.passage.text))
        return not any(nouns & unit and subject[0] in unit for unit in units)
    return False


def should_decline(
    question: str,
    passages: list[RetrievedPassage],
    dense_top: float | None,
    weights: TermWeights,
    thresholds: Thresholds = Thresholds(),
) -> bool:
    """`dense_top` None: the dense index is unavailable, judge by the lexical evidence alone."""
    if is_manipulation(question):
        return True
    coverage = evidence_coverage(question, passages, weights, thresholds.top)
    if coverage < thresholds.min_coverage or (dense_top is not None and dense_top < thresholds.min_dense):
        return True
    return datum_gap(question, passages, weights, thresholds.top)
