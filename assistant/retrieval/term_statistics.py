"""Term statistics of an index: document frequencies, and each passage's analysed terms, cached."""

from __future__ import annotations

from functools import cached_property, lru_cache

import bm25s

from ..parse.units import unit_texts
from ..records import Passage
from ..text.analysis import analyze
from ..text.term_weights import TermWeights

# Analysed passages kept per index (terms of the passage, of its units, of its headings): the core
# corpus's 3,909 passages fit, so after `warm()` no search analyses a passage.
ANALYSIS_CACHE = 20_000


class TermStatistics:
    """What the features read of passages' words, by passage position."""

    def __init__(self, passages: list[Passage], lexical: bm25s.BM25):
        self.passages = passages
        self.lexical = lexical
        # The analysed units of the passages re-ranked lately: the same few recur across questions.
        self.unit_terms = lru_cache(maxsize=ANALYSIS_CACHE)(self._analysed_units)
        self.analysed_text = lru_cache(maxsize=ANALYSIS_CACHE)(self._analysed_text)
        self.passage_terms = lru_cache(maxsize=ANALYSIS_CACHE)(lambda position: frozenset(self.analysed_text(position)))
        self.passage_bigrams = lru_cache(maxsize=ANALYSIS_CACHE)(self._analysed_bigrams)
        self.context_terms = lru_cache(maxsize=ANALYSIS_CACHE)(self._analysed_context)

    def warm(self) -> None:
        """Analyse every passage now, when the index fits the caches: a cold search analyses the
        units of ~90 candidates it has not seen (tens of ms); the core corpus takes ~2 s once."""
        if len(self.passages) > ANALYSIS_CACHE:
            return
        for position in range(len(self.passages)):
            self.unit_terms(position)
            self.passage_bigrams(position)
            self.passage_terms(position)
            self.context_terms(position)

    def _analysed_units(self, position: int) -> list[frozenset[str]]:
        return [frozenset(analyze(unit)) for unit in unit_texts(self.passages[position].text)]

    def _analysed_text(self, position: int) -> tuple[str, ...]:
        return tuple(analyze(self.passages[position].text))

    def _analysed_bigrams(self, position: int) -> frozenset[tuple[str, str]]:
        terms = self.analysed_text(position)
        return frozenset(zip(terms, terms[1:]))

    def _analysed_context(self, position: int) -> frozenset[str]:
        passage = self.passages[position]
        return frozenset(analyze(" ".join((passage.heading, *passage.hierarchy))))

    def unit_coverage(self, position: int, terms: set[str], weights: TermWeights) -> float:
        """The share of the weighted `terms` that the best two consecutive units of a passage hold."""
        units = self.unit_terms(position)
        pairs = [a | b for a, b in zip(units, units[1:])] or units
        return max((weights.weight(terms & pair) for pair in pairs), default=0.0) / weights.weight(terms)

    @cached_property
    def weights(self) -> TermWeights:
        """Document frequencies of analysed terms, read off the BM25 matrix (one column per term)."""
        indptr = self.lexical.scores["indptr"]
        # bm25s appends an empty-string token to the vocabulary that has no column of its own.
        frequency = {
            term: int(indptr[i + 1] - indptr[i]) for term, i in self.lexical.vocab_dict.items() if i + 1 < len(indptr)
        }
        return TermWeights(frequency, int(self.lexical.scores["num_docs"]))
