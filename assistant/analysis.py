"""Indonesian text analysis for lexical (BM25) search: tokens, abbreviations, stopwords, stems."""

from __future__ import annotations

import re
from functools import lru_cache

TOKEN = re.compile(r"[a-z0-9]+")
# Bump when analysis changes: the next `index` rebuilds BM25 (embeddings are reused).
ANALYSIS_VERSION = "5"

# Multi-word terms of the texts contracted to the abbreviation officials type, on both sides, so
# "IKM" and "industri kecil dan industri menengah" become one term (expanding the other way
# would add common words like "industri" to every query and dilute it).
PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{pattern}\b"), abbreviation)
    for pattern, abbreviation in [
        (r"industri kecil (?:dan(?: atau)? )?industri menengah", "ikm"),
        (r"industri kecil (?:dan )?menengah", "ikm"),
        (r"unit pelayanan teknis", "upt"),
        (r"tenaga penyuluh lapangan", "tpl"),
        (r"rencana induk pembangunan industri nasional", "ripin"),
        (r"wilayah pusat pertumbuhan industri", "wppi"),
        (r"standar nasional indonesia", "sni"),
        (r"anggaran pendapatan (?:dan )?belanja negara", "apbn"),
        (r"anggaran pendapatan (?:dan )?belanja daerah", "apbd"),
        (r"kementerian perindustrian", "kemenperin"),
        (r"pemerintah daerah", "pemda"),
        # "pemerintah kabupaten/kota" is a Pemda too: it becomes "pemda kabupaten kota", as "pemkab" does.
        (r"pemerintah(?= (?:kabupaten|kota|provinsi)\b)", "pemda"),
        (r"undang undang", "uu"),
        (r"peraturan pemerintah", "pp"),
        # Permits, abbreviated in UU 23/2014's Lampiran and PP 142/2015 and spelled out in UU 3/2014.
        (r"izin usaha kawasan industri", "iuki"),
        (r"izin perluasan kawasan industri", "ipki"),
        (r"izin perluasan usaha industri", "ipui"),
        (r"izin usaha industri", "iui"),
        (r"kawasan industri", "ki"),
        (r"wali kota", "walikota"),  # UU 23/2014 spells it apart, UU 3/2014 and PP 142/2015 together
    ]
]

# Abbreviations that stand for a contracted term plus a word.
ABBREVIATIONS: dict[str, str] = {
    "pemkab": "pemda kabupaten",
    "pemkot": "pemda kota",
    "pemprov": "pemda provinsi",
    "menperin": "menteri",
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
    # Words of plain speech for which the texts use a synonym.
    "selaras": "sejalan",
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
    """Tokens for BM25: contracted terms, normalised colloquialisms, no stopwords, stemmed."""
    joined = " ".join(raw_tokens(text))
    for pattern, abbreviation in PHRASES:
        joined = pattern.sub(abbreviation, joined)
    stopwords = _stopwords()
    terms: list[str] = []
    for token in joined.split():
        token = COLLOQUIAL.get(token, token)
        for word in ABBREVIATIONS.get(token, token).split():
            if word not in stopwords:
                terms.append(stem(word))
    return terms
