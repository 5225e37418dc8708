"""Term weights: inverse document frequencies of analysed terms, raised for what a question asks."""

from __future__ import annotations

import math
from collections.abc import Iterable

from .analysis import analyze
from .questions import question_parts

# How much more a term of the asked sentence weighs than one of the sentences setting the scene
# (tuned on dev: 2 gives key facts 0.800 -> 0.817; 1.5 and 3 gain less).
FOCUS_WEIGHT = 2.0


class TermWeights:
    """Inverse document frequencies of analysed terms, taken from the BM25 index."""

    def __init__(self, document_frequency: dict[str, int], documents: int):
        self.df = document_frequency
        self.n = max(documents, 1)

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def weight(self, terms: Iterable[str]) -> float:
        """The summed idf of `terms`. Summed in sorted order: set order varies with the process's
        hash seed, and so would float rounding and ties."""
        return sum(self.idf(t) for t in sorted(terms))

    def focused(self, question: str) -> TermWeights:
        """These weights with the terms of what a question asks raised over those of the scene it
        sets ("Ada pembeli dari luar negeri di sentra kami. Bolehkah industri kecil dimiliki warga asing?")."""
        focus = set(analyze(" ".join(question_parts(question))))
        if not focus or focus >= set(analyze(question)):
            return self
        return FocusedWeights(self, focus)


class FocusedWeights(TermWeights):
    def __init__(self, weights: TermWeights, focus: set[str]):
        super().__init__(weights.df, weights.n)
        self.focus = focus

    def idf(self, term: str) -> float:
        return super().idf(term) * (FOCUS_WEIGHT if term in self.focus else 1.0)
