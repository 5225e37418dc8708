"""Find the top-level "Pasal N" headings of a body as the best consecutive chain 1, 2, 3, ...

OCR text mixes real headings with references ("sebagaimana dimaksud dalam Pasal 13"), quoted
articles of amended laws and split numbers ("Pasal 2 1"). Each occurrence gets a heading-likeness
score from its surroundings; dynamic programming then picks, in document order, one occurrence per
number so that numbers run consecutively and the total score is maximal. The sequence constraint
resolves what local cues cannot (e.g. whether "Pasal 1 1" is Pasal 1 or Pasal 11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ingest.ocr import DIGIT_LOOKALIKES

# A trailing capital may be a misread last digit ("Pasal 2T" = 27) rather than an inserted-pasal letter.
_SUFFIX_DIGITS = {"T": "7", "S": "5", "B": "8", "Z": "2", "G": "6", "O": "0", "I": "1"}
LOOKALIKE_PENALTY = 1.0

# Lenient heading: OCR spellings of "Pasal" and up to three number groups ("Pasal 1 I 1" = 111,
# "Pasal T4" = 74, "Pasal, 147").
_CANDIDATE = re.compile(
    r"\bPas(?:al|ai|a1|aI|il)(?:[ \t]+|,[ \t]*)(?P<num>(?:T(?=\d))?[0-9OIl]{1,3}(?:[ \t][0-9OIl]{1,2}){0,2})(?P<suffix>[A-Z]?)\b"
)

GAP_PENALTY = 6.0  # cost per missing number: prefer a complete chain over skipping a weak heading
MAX_GAP = 6
SUFFIX_PENALTY = 3.0  # inserted pasal ("5A") are rare at top level; need strong heading cues

# Words that, right before "Pasal", make it a reference rather than a heading.
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:dalam|pada|dan|atau|dengan|dimaksud|ketentuan|yakni|antara|di|ke|oleh|terhadap|menjadi|"
    r"berdasarkan|sesuai|melaksanakan|dari|lihat|tentang|bahwa|Ketentuan|serta)|[,(/-])\s*$",
)
_QUOTE_BEFORE = re.compile(r"(?:berikut\s*:?|berbunyi|Angka\s+\d+[A-Z]?)\s*\d{0,3}\s*$", re.IGNORECASE)
_REFERENCE_AFTER = re.compile(
    r"^[ \t]*(?:ayat|huruf|angka|(?:Undang-Undang|UU|Peraturan \w+\b)(?![ .]*ini)|dan\b|atau\b|sampai|s\.d|diubah|dihapus|tentang|"
    r"yang\b|sebagaimana|[,;)]|hingga|menjadi|berlaku|dilaksanakan|dikenai|dipidana|diatur|ditetapkan|"
    r"dapat|dinyatakan|tidak)",
)


@dataclass(frozen=True)
class Candidate:
    start: int  # offset of "Pasal"
    end: int  # offset after the number (and suffix)
    number: int
    suffix: str
    score: float

    @property
    def label(self) -> str:
        return f"{self.number}{self.suffix}"


def number_readings(raw: str) -> list[int]:
    """All readings of a possibly split number: "2 1" -> [2, 21]; "1 I 1" -> [1, 11, 111]."""
    groups = raw.translate(DIGIT_LOOKALIKES).split()
    readings = []
    for size in range(1, len(groups) + 1):
        digits = "".join(groups[:size])
        if digits.isdigit() and len(digits) <= 3 and not digits.startswith("0"):
            readings.append(int(digits))
    return readings


def heading_score(text: str, start: int, end: int) -> float:
    """How much an occurrence looks like a heading rather than a reference or a quote."""
    before = text[max(0, start - 60) : start]
    after = text[end : end + 40]
    score = 0.0
    stripped = before.rstrip(" \t")
    if not stripped or stripped.endswith("\n"):
        score += 3.0
    elif re.search(r"[.;:]\s*\d{0,3}\s*$", stripped) or re.search(r"\b[A-Z][A-Z ]{3,}$", stripped):
        # after a sentence end, or after an all-caps BAB/section title
        score += 1.5
    elif re.search(r"\b(?:Paragraf \d+|Bagian \w+)\b[\w ]*$", stripped):
        score += 1.5
    if _REFERENCE_BEFORE.search(before):
        score -= 4.0
    if _QUOTE_BEFORE.search(before):
        score -= 5.0
    if re.match(r"[ \t]*\n", after):
        score += 2.0
    elif _REFERENCE_AFTER.match(after):
        score -= 4.0
    elif re.match(r"\s*\((?:1|l)\)", after) or re.match(r"\s*Cukup", after):
        score += 2.0
    elif re.match(r"\s*[A-Z\"“(]", after):
        score += 1.0
    return score


def find_candidates(text: str, start: int = 0, end: int | None = None) -> list[Candidate]:
    end = len(text) if end is None else end
    found = []
    for match in _CANDIDATE.finditer(text, start, end):
        raw = match.group("num")
        readings = number_readings(raw)
        for index, number in enumerate(readings):
            # Each reading ends after the groups it used, so the rest stays body text.
            groups = raw.split()[: index + 1]
            used = len(" ".join(groups))
            suffix = match.group("suffix") if index == len(raw.split()) - 1 else ""
            cand_end = match.start("num") + used + len(suffix)
            score = heading_score(text, match.start(), cand_end)
            if suffix:
                score -= SUFFIX_PENALTY
            found.append(Candidate(match.start(), cand_end, number, suffix, score))
            if suffix in _SUFFIX_DIGITS and number < 100:
                misread = int(f"{number}{_SUFFIX_DIGITS[suffix]}")
                found.append(Candidate(match.start(), cand_end, misread, "", score + SUFFIX_PENALTY - LOOKALIKE_PENALTY))
    return found


def _suffix_rank(suffix: str) -> int:
    return ord(suffix) - ord("A") + 1 if suffix else 0


def best_chain(candidates: list[Candidate]) -> list[Candidate]:
    """Highest-scoring document-order chain 1, 2, ..., N (inserted "NA" allowed after N).

    Candidates are visited by position, so a running maximum per number is exactly "the best chain
    ending at that number before here"; transitions are N -> N+1, N[X] -> N[X+1] and gaps with a penalty.
    """
    ordered = sorted(candidates, key=lambda c: (c.start, -c.score))
    best: list[float] = []
    back: list[int | None] = []
    # running best chain value (and its candidate index) per (number, suffix rank) and per number
    by_key: dict[tuple[int, int], tuple[float, int]] = {}
    by_number: dict[int, tuple[float, int]] = {}
    for index, cand in enumerate(ordered):
        rank = _suffix_rank(cand.suffix)
        options: list[tuple[float, int | None]] = []
        if rank == 0:
            options.append((-GAP_PENALTY * (cand.number - 1), None))
            for gap in range(1, MAX_GAP + 1):
                prev = by_number.get(cand.number - gap)
                if prev:
                    options.append((prev[0] - GAP_PENALTY * (gap - 1), prev[1]))
        else:
            prev = by_key.get((cand.number, rank - 1))
            if prev:
                options.append(prev)
        if not options:
            best.append(float("-inf"))
            back.append(None)
            continue
        value, pointer = max(options, key=lambda option: option[0])
        total = value + cand.score
        best.append(total)
        back.append(pointer)
        key = (cand.number, rank)
        if total > by_key.get(key, (float("-inf"), -1))[0]:
            by_key[key] = (total, index)
        if total > by_number.get(cand.number, (float("-inf"), -1))[0]:
            by_number[cand.number] = (total, index)
    if not ordered:
        return []
    tail: int | None = max(range(len(ordered)), key=lambda i: best[i])
    if best[tail] <= 0:
        return []
    chain = []
    while tail is not None:
        chain.append(ordered[tail])
        tail = back[tail]
    return chain[::-1]
