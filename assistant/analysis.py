"""Indonesian text analysis for lexical (BM25) search: tokens, abbreviations, stopwords, stems."""

from __future__ import annotations

import re
from functools import lru_cache

TOKEN = re.compile(r"[a-z0-9]+")

# Abbreviations used by officials and in the texts, expanded on both sides so "IKM" matches
# "industri kecil dan industri menengah" and the other way round.
ABBREVIATIONS: dict[str, str] = {
    "ikm": "industri kecil menengah",
    "upt": "unit pelayanan teknis",
    "tpl": "tenaga penyuluh lapangan",
    "ki": "kawasan industri",
    "pemda": "pemerintah daerah",
    "pemkab": "pemerintah daerah kabupaten",
    "pemkot": "pemerintah daerah kota",
    "pemprov": "pemerintah daerah provinsi",
    "ripin": "rencana induk pembangunan industri nasional",
    "wppi": "wilayah pusat pertumbuhan industri",
    "sni": "standar nasional indonesia",
    "apbn": "anggaran pendapatan belanja negara",
    "apbd": "anggaran pendapatan belanja daerah",
    "kemenperin": "kementerian perindustrian",
    "menperin": "menteri perindustrian",
    "dinas": "perangkat daerah",
    "uu": "undang undang",
    "pp": "peraturan pemerintah",
    "perda": "peraturan daerah",
}

# Everyday words in questions mapped to the register of the texts.
COLLOQUIAL: dict[str, str] = {
    "bikin": "membuat",
    "bangun": "membangun",
    "gimana": "bagaimana",
    "gak": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "ga": "tidak",
    "aja": "saja",
    "udah": "sudah",
    "sdh": "sudah",
    "yg": "yang",
    "dgn": "dengan",
    "utk": "untuk",
    "tdk": "tidak",
    "kab": "kabupaten",
    "kabkota": "kabupaten kota",
    "ngurus": "mengurus",
    "duit": "dana",
    "perajin": "pelaku usaha",
    "pengrajin": "pelaku usaha",
}


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


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if word.isdigit() or len(word) <= 3:
        return word
    return _stemmer().stem(word) or word


def raw_tokens(text: str) -> list[str]:
    """Lower-case alphanumeric tokens; OCR carets and punctuation are separators."""
    return TOKEN.findall(text.lower().replace("^", " "))


def analyze(text: str) -> list[str]:
    """Tokens for BM25: expanded abbreviations and colloquialisms, no stopwords, stemmed."""
    stopwords = _stopwords()
    terms: list[str] = []
    for token in raw_tokens(text):
        token = COLLOQUIAL.get(token, token)
        expansion = ABBREVIATIONS.get(token)
        words = [token] + (expansion.split() if expansion else [])
        for word in words:
            for part in word.split():
                if part in stopwords:
                    continue
                terms.append(stem(part))
    return terms
