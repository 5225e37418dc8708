"""Structured citations built only from retrieved passages, and their Indonesian rendering."""

from __future__ import annotations

import re
from itertools import pairwise, takewhile

from ..parse.structure import caps_heading
from ..records import Citation, Passage

TYPE_LONG = {
    "UU": "Undang-Undang",
    "Perppu": "Peraturan Pemerintah Pengganti Undang-Undang",
    "PP": "PP",
    "Perpres": "Perpres",
}


# A Lampiran has no pasal: it is cited as "Lampiran" (the spelling of the eval data and of the help
# desk's corrections), in citations and passages alike, and by the table its quote is from.
LAMPIRAN = "Lampiran"
CAPTION = r"Tabel (\d{1,2}(?:\.\d{1,2})?)(?= [A-Z])"  # "Tabel 7.6 Program ...", not "Tabel 7.3 sampai dengan"
TABLE_CAPTION = re.compile(rf"\b{CAPTION}")


def cited_pasal(passage: Passage) -> str:
    return LAMPIRAN if passage.kind == "lampiran" else passage.pasal


def lampiran_part(text: str, quote: str) -> str:
    """The table a Lampiran quote comes from ("Tabel 7.6"): the caption it quotes, else the last one
    in the passage `text` before it, else ""."""
    caption = TABLE_CAPTION.search(quote)
    if caption is None:
        words = quote.replace("…", " ").split()[:8]
        found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
        captions = list(TABLE_CAPTION.finditer(text, 0, found.start())) if found else []
        caption = captions[-1] if captions else None
    return f"Tabel {caption.group(1)}" if caption else ""


# A Lampiran table the converter flattened runs its rows into one line ("... sentra IKM 2. Penyusunan
# rencana ... 3. Pembentukan ..."). Shown, the rows go back on their own lines where their numbers count
# on (a restart at 1 opens the next column's list), and so does a caption.
ROW_NUMBER = re.compile(r"[ \t]+(?=(\d{1,2})\. [A-Z])")
ROW_GAP = 400  # characters: rows of one list are closer than this; farther, "3." is a number in prose
CAPTION_START = re.compile(rf"[ \t]+(?={CAPTION})")


def table_rows(text: str) -> list[str]:
    """`text` cut into lines at the rows and captions of a flattened table."""
    markers = list(ROW_NUMBER.finditer(text))
    numbers = [int(m.group(1)) for m in markers]
    cuts = [m.start() for m in CAPTION_START.finditer(text)]
    row = [False] * len(markers)
    for i, marker in enumerate(markers):
        near_before = i > 0 and marker.start() - markers[i - 1].end() < ROW_GAP
        counts_on = near_before and numbers[i - 1] == numbers[i] - 1
        restarts = near_before and numbers[i] == 1 and row[i - 1]  # the next column's first row
        opens = i + 1 < len(markers) and numbers[i + 1] == numbers[i] + 1 and markers[i + 1].start() - marker.end() < ROW_GAP
        row[i] = counts_on or restarts or opens
        if row[i]:
            cuts.append(marker.start())
    bounds = [0, *sorted(set(cuts)), len(text)]
    return labelled_columns([line for a, b in pairwise(bounds) if (line := text[a:b].strip())])


# Column heads of a plan's table name its periods: "Periode 2015-2019", "Jangka Menengah (2015-2019)",
# "Tahap II". A flattened table lists each column's rows in turn, numbered from 1 again.
COLUMN_HEAD = re.compile(
    r"\b(?:Periode|Jangka\s+[A-Z][a-z]+|Tahap|Fase)\s+(?:\(?\d{4}\s*[-–]\s*\d{4}\)?|[IVX]+\b|\d\b)"
)


def labelled_columns(lines: list[str]) -> list[str]:
    """Under a caption that names as many column heads as its rows have runs (each run numbered
    from 1), each run opens with its head ("Jangka Panjang (2020-2035):"), so a second run does not
    read as the first one repeated. Otherwise the lines stay as they are."""
    result: list[str] = []
    position = 0
    while position < len(lines):
        caption = lines[position]
        table = list(takewhile(lambda row: not TABLE_CAPTION.match(row), lines[position + 1 :]))
        heads = COLUMN_HEAD.findall(caption) if TABLE_CAPTION.match(caption) else []
        runs = [i for i, row in enumerate(table) if row.startswith("1. ")]
        if len(heads) >= 2 and len(runs) == len(heads) and runs[0] == 0:
            result.append(re.sub(r"\s{2,}", " ", COLUMN_HEAD.sub("", caption)).strip())
            for i, row in enumerate(table):
                result += [f"{heads[runs.index(i)]}:", row] if i in runs else [row]
            position += 1 + len(table)
        else:
            result.append(caption)
            position += 1
    return result


def section_heading(quote: str) -> tuple[str, str]:
    """An overview's section heading opening a quote ("PRINSIP-PRINSIP PEMBANGUNAN SENTRA IKM Ramah
    lingkungan ...") is where the quote sits, not what it says: (heading, the rest), or ("", quote)."""
    heading = caps_heading(quote)
    rest = quote[len(heading) :].lstrip(" :") if heading and quote.startswith(heading) else ""
    return (heading, rest) if rest else ("", quote)


def make_citation(
    passage: Passage, quote: str, status: tuple[str, str], ayat: str = "", role: str = "", point: str = ""
) -> Citation:
    ayat = ayat or (passage.ayat_start if passage.ayat_start == passage.ayat_end else "")
    if passage.kind == "section":
        point, quote = section_heading(quote)
    elif passage.kind == "lampiran":
        point = lampiran_part(passage.text, quote)
    elif passage.kind != "pasal":
        point = ""
    return Citation(
        regulation=passage.regulation,
        type=passage.type,
        number=passage.number,
        year=passage.year,
        title=passage.title,
        pasal=cited_pasal(passage),
        kind=passage.kind,
        ayat=ayat,
        status=status[0],
        status_note=status[1],
        quote=quote,
        passage_id=passage.id,
        amends=passage.amends,
        role=role,
        point=point,
    )


def provision_part(citation: Citation) -> str:
    """The part of its pasal a citation quotes: "ayat (1) huruf b", "angka 5", or "" for the whole."""
    return " ".join(filter(None, [f"ayat ({citation.ayat})" if citation.ayat else "", citation.point]))


def same_pasal(a: Citation, b: Citation) -> bool:
    """Quotes of one pasal of one regulation (in the same wording: an amended pasal's new text is another)."""
    return (a.regulation, a.pasal, a.amends) == (b.regulation, b.pasal, b.amends)


def same_provision(a: Citation, b: Citation) -> bool:
    """Two quotes from parts of one pasal (or of its Penjelasan), each naming its part: they read, and
    are cited, as one provision ("Pasal 38 ayat (1) dan ayat (2)")."""
    return (
        a.kind == b.kind in ("pasal", "penjelasan")
        and same_pasal(a, b)
        and a.pasal not in ("", "-")
        and bool(provision_part(a)) and bool(provision_part(b))
    )


def render_citations(citations: list[Citation], titled: bool = True) -> str:
    """One label for quotes of the same provision: "Pasal 38 ayat (1) dan ayat (2) UU No. 3 Tahun 2014 …"."""
    first = citations[0]
    if len(citations) == 1 or not all(same_provision(first, c) for c in citations[1:]):
        return render_citation(first, titled=titled)
    parts = [provision_part(c) for c in citations]
    joined = ", ".join(parts[:-1]) + (", dan " if len(parts) > 2 else " dan ") + parts[-1]
    return render_citation(first, part=joined, titled=titled)


def is_regulation(citation: Citation) -> bool:
    """A numbered regulation, not a plain document (the seed overview)."""
    return citation.number not in ("", "-")


def regulation_name(citation: Citation, titled: bool = True) -> str:
    """"PP No. 29 Tahun 2018 tentang Pemberdayaan Industri"; untitled, the short form of legal writing
    the regulation is known by, "PP 29/2018" (a heading is read before its quote: the long form pushes
    the quote, which is the answer, a line down; the answer spells each name out once, below its quotes)."""
    if not titled:
        return citation.regulation
    name = f"{TYPE_LONG.get(citation.type, citation.type)} No. {citation.number} Tahun {citation.year}"
    return f"{name} tentang {citation.title}" if citation.title else name


def render_citation(citation: Citation, part: str | None = None, titled: bool = True) -> str:
    """"Pasal 5 ayat (1) PP No. 29 Tahun 2018 tentang Pemberdayaan Industri". `part` replaces the
    ayat and point (a label for several parts of the pasal); untitled, the regulation is named by its
    type, number and year (an answer names each regulation's title once, below its quotes)."""
    if not is_regulation(citation):
        document = f"{citation.type} “{citation.title}”" if citation.title else citation.regulation
        return f"{document}, bagian “{citation.point}”" if citation.point else document
    document = regulation_name(citation, titled)
    if citation.kind == "lampiran":
        return f"Lampiran {document}" + (f", {citation.point}" if citation.point else "")
    if citation.pasal in ("", "-"):
        return f"Penjelasan Umum {document}" if citation.kind == "penjelasan" else document
    part = provision_part(citation) if part is None else part
    ayat = f" {part}" if part else ""
    if citation.amends:  # a rewritten pasal is named as amended: its ayat belong to the new wording
        target, _, pasal = citation.amends.partition(" Pasal ")
        return f"Pasal {pasal}{ayat} {target} sebagaimana diubah oleh Pasal {citation.pasal} {document}"
    where = f"Pasal {citation.pasal}{ayat}"
    if citation.kind == "penjelasan":
        where = f"Penjelasan {where}"
    return f"{where} {document}"


MENTIONED_PASAL = re.compile(
    r"\bPasal\s+(?P<pasal>\d+[A-Z]?)(?:\s+ayat\s+\((?P<ayat>\d+)\))?"
    r"(?:\s+(?P<type>UU|PP|Perppu|Perpres|Undang-Undang|Peraturan Pemerintah)\s*(?:No\.?|Nomor)?\s*(?P<number>\d+)"
    r"\s*(?:/|Tahun)\s*(?P<year>\d{4}))?",
    re.IGNORECASE,
)


def unsupported_mentions(text: str, passages: list[Passage]) -> list[str]:
    """Pasal an LLM mentioned that no retrieved passage holds: these are never shown as citations."""
    known = {(p.pasal, p.number, p.year) for p in passages} | {(p.pasal, "", "") for p in passages}
    unsupported = []
    for match in MENTIONED_PASAL.finditer(text):
        key = (match["pasal"].upper(), match["number"] or "", match["year"] or "")
        if key not in known:
            unsupported.append(match.group(0))
    return unsupported


def strip_unsupported(text: str, passages: list[Passage]) -> tuple[str, list[str]]:
    """Replace unsupported pasal mentions with a marker so readers are not misled."""
    removed = unsupported_mentions(text, passages)
    for mention in removed:
        text = text.replace(mention, "[rujukan pasal tidak terverifikasi dihapus]")
    return text, removed
