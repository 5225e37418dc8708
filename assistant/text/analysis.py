"""Indonesian text analysis for lexical (BM25) search: tokens, abbreviations, stopwords, stems."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

TOKEN = re.compile(r"[a-z0-9]+")
# Bump when analysis changes: the next `index` rebuilds BM25 (embeddings are reused).
ANALYSIS_VERSION = "7"

LEXICON_FILE = Path(__file__).resolve().with_name("domain_terms.toml")


@dataclass(frozen=True)
class Lexicon:
    """What analysis maps before stemming: contracted phrases, abbreviations, colloquial words."""

    phrases: list[tuple[str, str]]  # (regular expression, term), tried in this order
    abbreviations: dict[str, str]
    colloquial: dict[str, str]

    @cached_property
    def phrase_pattern(self) -> re.Pattern[str]:
        """All phrases in one alternation (one pass over the text instead of one per phrase)."""
        return re.compile("|".join(rf"\b(?P<p{n}>{pattern})\b" for n, (pattern, _) in enumerate(self.phrases)))

    def contract(self, text: str) -> str:
        terms = [term for _, term in self.phrases]
        return self.phrase_pattern.sub(lambda match: terms[int(match.lastgroup[1:])], text)


def _general_colloquial() -> dict[str, str]:
    """indo-normalizer's slang-to-formal lexicon (single words only; phrases would need tokenising)."""
    import csv
    from importlib.util import find_spec

    # Located, not imported: the package's own import pulls in pandas for what is one CSV file.
    folder = Path(find_spec("indo_normalizer").submodule_search_locations[0])
    with open(folder / "corpus" / "slangs.csv", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return {
            row["slang"].strip().lower(): row["formal"].strip().lower()
            for row in rows
            if row["slang"] and row["formal"] and TOKEN.fullmatch(row["slang"].strip().lower())
        }


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = tomllib.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    colloquial = _general_colloquial() | data["chat"] | data["colloquial"]  # the domain's words win
    return Lexicon(
        phrases=[(entry["pattern"], entry["term"]) for entry in data["phrase"]],
        abbreviations=dict(data["abbreviations"]),
        colloquial=colloquial,
    )


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    words = set(StopWordRemoverFactory().get_stop_words())
    # Words that carry legal meaning in this domain stay searchable.
    words -= {"tidak", "wajib", "dapat", "harus", "paling", "sedikit", "banyak", "lama", "kecil", "besar"}
    words |= {"ayat", "huruf", "sebagaimana", "dimaksud", "ya", "sih", "dong", "kah", "pak", "bu", "nih"}
    return frozenset(words)


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


# Sastrawi takes ~0.6 ms a word: the stems of every word of the corpus are kept from indexing
# (the build's stems.json) so a search never stems the passages it scores. Bounded for the bulk
# dataset, whose vocabulary runs into millions of OCR variants.
_STEMS: dict[str, str] = {}
MAX_STEMS = 1_000_000


def stem(word: str) -> str:
    if word.isdigit() or len(word) <= 3:
        return word
    found = _STEMS.get(word)
    if found is None:
        found = _stemmer().stem(word) or word
        if len(_STEMS) < MAX_STEMS:
            _STEMS[word] = found
    return found


def known_stems() -> dict[str, str]:
    return dict(_STEMS)


def remember_stems(stems: dict[str, str]) -> None:
    """Stems computed elsewhere (by the indexer), so they need not be computed again."""
    _STEMS.update(list(stems.items())[: max(MAX_STEMS - len(_STEMS), 0)])


def raw_tokens(text: str) -> list[str]:
    """Lower-case alphanumeric tokens; OCR carets and punctuation are separators."""
    return TOKEN.findall(text.lower().replace("^", " "))


def analyze(text: str) -> list[str]:
    """Tokens for BM25: contracted terms, normalised colloquialisms, no stopwords, stemmed."""
    words = lexicon()
    joined = " ".join(words.colloquial.get(token, token) for token in raw_tokens(text))
    joined = words.contract(joined)
    stopwords = _stopwords()
    terms: list[str] = []
    for token in joined.split():
        for word in words.abbreviations.get(token, token).split():
            if word not in stopwords:
                terms.append(stem(word))
    return terms
