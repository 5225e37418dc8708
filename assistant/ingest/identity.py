"""Read who a document is (type, number, year, title) from its own opening text."""

from __future__ import annotations

import re

from ..records import RegulationIdentity
from .ocr import DIGIT_LOOKALIKES

# Longest names first so "PERATURAN PEMERINTAH PENGGANTI UNDANG-UNDANG" is not read as "PERATURAN PEMERINTAH".
_TYPES: tuple[tuple[str, str], ...] = (
    ("PERATURAN PEMERINTAH PENGGANTI UNDANG-UNDANG", "Perppu"),
    ("UNDANG-UNDANG", "UU"),
    ("PERATURAN PEMERINTAH", "PP"),
    ("PERATURAN PRESIDEN", "Perpres"),
    ("KEPUTUSAN PRESIDEN", "Keppres"),
    ("INSTRUKSI PRESIDEN", "Inpres"),
    ("PERATURAN MENTERI", "Permen"),
    ("PERATURAN DAERAH", "Perda"),
)

_HEADING = re.compile(
    r"(?P<kind>" + "|".join(re.escape(name) for name, _ in _TYPES) + r")"
    r"(?P<issuer>[A-Z ,/]*?)\s+NOMOR\s*[.:]?\s*(?P<number>[0-9OIl](?:[0-9OIl ]{0,5}[0-9OIl])?)"
    r"\s+TAHUN\s+(?P<year>[0-9OIlL]{4})\s+TENTANG\s+(?P<title>[^\n]+?)\s*(?=\n|DENGAN RAHMAT|$)"
)

# Function words stay lower-case inside a title ("Pembangunan Sentra IKM dalam Rangka ...").
_SMALL_WORDS = {"dan", "atau", "di", "ke", "dari", "yang", "untuk", "dalam", "pada", "serta", "bagi", "dengan", "oleh"}

# How far into a document its regulation heading may start (after doubled title lines, "Menimbang"...).
_HEAD_WINDOW = 3000


def title_case(upper: str) -> str:
    """"PEMBERDAYAAN INDUSTRI" -> "Pemberdayaan Industri"; short non-function words are acronyms (IKM)."""
    words = []
    for index, word in enumerate(upper.split()):
        lower = word.lower()
        if index and lower in _SMALL_WORDS:
            words.append(lower)
        elif len(word) <= 3 and word.isalpha() and word.isupper() and lower not in _SMALL_WORDS:
            words.append(word)
        else:
            words.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(words)


def _clean_title(raw: str) -> str:
    title = re.sub(r"\s+", " ", raw).strip(" .,;")
    return title_case(title) if title.isupper() else title


def read_identity(text: str, source_file: str) -> RegulationIdentity:
    head = text[:_HEAD_WINDOW].replace("^", "")
    match = _HEADING.search(head)
    if match is None:
        return _document_identity(text, source_file)
    kind = dict(_TYPES)[match.group("kind")]
    number = match.group("number").translate(DIGIT_LOOKALIKES).replace(" ", "")
    year = match.group("year").translate(DIGIT_LOOKALIKES)
    return RegulationIdentity(
        regulation=f"{kind} {number}/{year}",
        type=kind,
        number=number,
        year=year,
        title=_clean_title(match.group("title")),
    )


def first_heading_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _document_identity(text: str, source_file: str) -> RegulationIdentity:
    """Plain documents (no regulation heading) are named by their first heading line."""
    title = _clean_title(first_heading_line(text)) or source_file
    return RegulationIdentity(regulation=title, type="Dokumen", number="", year="", title=title)
