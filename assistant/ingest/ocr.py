"""OCR repair for converted regulation texts.

Every rule is a small pure function (str -> str) so it can be tested on real snippets and
reasoned about on its own; `repair` composes them in an order where earlier rules make the
later ones simpler (e.g. carets go first so numbering rules see clean tokens).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

# OCR reads "0" as O/o, "1" as I/l/L/| and "7" as T; only applied to text known to be a number (a
# pasal, ayat or regulation number), never to words. The one map every parser reads numbers with.
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "L": "1", "|": "1", "T": "7"})


def _to_digits(token: str) -> str:
    return token.translate(DIGIT_LOOKALIKES)


def remove_caret_marks(text: str) -> str:
    """`^` is a converter artefact glued before words ("^yang ^dimaksud"); it carries no meaning."""
    return re.sub(r"\^+", "", text)


# Running page header: "PRESIDEN REPUBLIK INDONESIA" atop every page, usually with the page number
# ("-10-", "_t6_", "-258 -"), in whatever the OCR made of it ("PRES I DEN", "FRESIDEH", "FResrnEN",
# "REPUELIK", "REFUEUK"). It is found by its likeness to the two words before "INDONESIA", not by a list
# of spellings. The exact words without a page number are also the signature and the enacting formula
# ("PRESIDEN REPUBLIK INDONESIA,", "DAN PRESIDEN REPUBLIK INDONESIA MEMUTUSKAN") and stay; other
# capitalised phrases before REPUBLIK INDONESIA ("PERATURAN PEMERINTAH", "LEMBARAN NEGARA") are far
# from "PRESIDEN" (likeness under 0.45, where every OCR spelling seen is over 0.6).
_PAGE_NUMBER = r"[-_]\s?[0-9a-zA-Z]{1,4}\s?[-_]"
# "INDONESIA" with the letters the OCR confuses it with ("INOONESIA", "TNDONESIA", "INDONEBIA").
_INDONESIA = re.compile(rf"\b[IT1l|][NM][DO0][O0][NM][EF][SB5$][I1l|!][A4]\b(?P<page>\s+{_PAGE_NUMBER})?(?P<comma>\s*,)?[ \t]*")
# A page number left on its own ("... badan usaha. -136- Tarif ..."): its header was on another line.
_LONE_PAGE_NUMBER = re.compile(r"(?<=\s)[-_]\s?\d{1,3}\s?[-_](?=\s)[ \t]*")
_WORDS_BEFORE = re.compile(r"[\^'’]?[^\s]+(?:[ \t]+[^\s]+){0,4}[ \t]+$")
PRESIDENT_LIKENESS = 0.6
REPUBLIC_LIKENESS = 0.5


def likeness(word: str, target: str) -> float:
    """How alike an OCR'd word is to `target` (difflib's ratio over its capitals, "!" and "1")."""
    return SequenceMatcher(None, re.sub(r"[^A-Z!1]", "", word.upper()), target).ratio()


def _header_start(before: str) -> int | None:
    """Where a noisy "PRESIDEN REPUBLIK " ends `before` (the text up to "INDONESIA"), or None."""
    words = list(re.finditer(r"\S+", before[-60:]))
    if len(words) < 2 or likeness(words[-1].group(), "REPUBLIK") < REPUBLIC_LIKENESS:
        return None
    if sum(ch.isupper() for ch in words[-1].group()) < 0.6 * len(words[-1].group()):
        return None  # "Presiden Republik Indonesia" in running text
    offset = len(before) - len(before[-60:])
    # "PRES I DEN" and "PRE S IDEN": the first word may be split into up to four pieces; the most
    # alike joining wins ("I DEN" alone is alike enough, "PRES I DEN" more).
    best, start = 0.0, None
    for pieces in range(1, min(4, len(words) - 1) + 1):
        chosen = words[-1 - pieces : -1]
        if not re.search(r"[A-Za-z]", chosen[0].group()):
            break  # "(2)." or a number: the header does not reach back that far
        joined = "".join(w.group() for w in chosen)
        alike = likeness(joined, "PRESIDEN")
        if alike > best and alike >= PRESIDENT_LIKENESS and len(joined) <= 12:
            best, start = alike, offset + chosen[0].start()
    if start is None:
        return None
    stray = re.search(r"['’^]\s*$", before[:start])  # a quote mark or caret the OCR put before it
    return stray.start() if stray else start


def remove_page_headers(text: str) -> str:
    pieces, last = [], 0
    for match in _INDONESIA.finditer(text):
        if match.start() < last:
            continue
        start = _header_start(text[last : match.start()])
        if start is None or match["comma"]:
            continue
        header = text[last + start : match.start()]
        exact = " ".join(header.split()) == "PRESIDEN REPUBLIK"
        if exact and not match["page"]:
            continue  # the enacting formula or a signature, not a page header
        pieces.append(text[last : last + start])
        last = match.end()
    return _LONE_PAGE_NUMBER.sub("", "".join(pieces) + text[last:])


def remove_sheet_numbers(text: str) -> str:
    """Serial numbers of the printed sheets ("SK No 012345 A") interrupt sentences."""
    return re.sub(r"SK No\.? ?\d{5,7} ?A[ \t]*", "", text)


def fix_year_numbers(text: str) -> str:
    """Years like "2OI4", "2Ol4", "2O2O", "2O2I" -> digits; only 19xx/20xx shapes are touched."""
    return re.sub(r"\b(?:19|2[0O])[0-9OIlL]{2}\b", lambda m: _to_digits(m.group(0)), text)


def fix_ayat_numbers(text: str) -> str:
    """Ayat markers whose parenthesis was misread: "(21" -> "(2)", "(l)" -> "(1)", "l2l" -> "(2)"."""
    text = re.sub(r"\(([1-9]|1[0-9])1(?=[\sA-Za-z,.;])", r"(\1)", text)
    text = re.sub(r"\{([1-9])1(?=\s)", r"(\1)", text)
    text = re.sub(r"\(([lI])\)", "(1)", text)
    text = re.sub(r"(?<![\w(])l([1-9])l(?!\w)", r"(\1)", text)
    # Split two-digit ayat: "Ayat (1 1)" -> "Ayat (11)".
    return re.sub(r"\(([1-9]) ([0-9])\)", r"(\1\2)", text)


# "12) Pendidikan" where ayat (1) came before: the opening parenthesis of "(2)" read as "1". A "12)" is
# also item 12 of a list numbered "1)", "2)", so the repair needs the marker before it to be "(1)".
_PAREN_READ_AS_ONE = re.compile(r"(?:(?<=\n)|(?<=[.;:] ))1([2-9])\)(?= [A-Z])")
_LAST_MARKER = re.compile(r"(?<![\w(])(\()?(\d{1,2})\)(?=\s)")
MARKER_LOOKBACK = 1500  # characters: an ayat is rarely longer, and a pasal's markers are all within it


def fix_paren_read_as_one(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        wanted = int(match.group(1))
        markers = list(_LAST_MARKER.finditer(text, max(0, match.start() - MARKER_LOOKBACK), match.start()))
        previous = markers[-1] if markers else None
        if previous and previous.group(1) and int(previous.group(2)) == wanted - 1:
            return f"({wanted})"
        return match.group(0)

    return _PAREN_READ_AS_ONE.sub(fix, text)


_PASAL_WORD = r"\bPas(?:al|ai|a1|aI|il)"
_PASAL_NUMBER = re.compile(rf"{_PASAL_WORD}[ \t]+([0-9OIl]{{1,3}}(?:[ \t][0-9OIl]{{1,3}}){{0,2}})(?=[A-Z]?\b)")


def fix_pasal_numbering(text: str) -> str:
    """Inside "Pasal ..." numbering: "Pasal 3O" -> "Pasal 30", "Pasal lOl" -> "Pasal 101", "Pasai 4" -> "Pasal 4".

    Groups are fixed one by one and spacing is kept; joining split numbers is a separate rule.
    Numbers made only of I's are left alone: "Pasal I", "Pasal II" are roman article numbers of
    amending laws; the structure parser reads "Pasal I I I" leniently instead.
    """

    def fix(match: re.Match[str]) -> str:
        number = match.group(1)
        if not re.search(r"[0-9Ol]", number):
            return match.group(0)
        return "Pasal " + " ".join(_to_digits(group) for group in number.split())

    return _PASAL_NUMBER.sub(fix, text)


def join_split_pasal_numbers(text: str) -> str:
    """"Pasal 2 1 (1) ..." -> "Pasal 21 (1) ..."; conservative: only short groups making at most
    three digits and only when a heading-like start follows (ayat, capital word), never before
    "." / ")" / "ayat" so list items ("Pasal 1\\n1. Industri") and references stay untouched."""

    def join(match: re.Match[str]) -> str:
        digits = match.group(1).replace(" ", "")
        return f"Pasal {digits}" if len(digits) <= 3 else match.group(0)

    return re.sub(r"\bPasal ([1-9](?: [0-9]{1,2}){1,2})(?= (?:\(\d|[A-Z][a-z]|Cukup))", join, text)


def fix_broken_hyphenation(text: str) -> str:
    """"Undang- Undang" -> "Undang-Undang", "perindus- trian" -> "perindustrian".

    A hyphen followed by a space is either a compound/reduplication whose halves share a stem
    ("prinsip- prinsip", "perundang- undangan") -> keep the hyphen, or a word broken at a line end -> join.
    """

    def fix(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if right[:4].lower() in left.lower() or right[:1].isupper():
            return f"{left}-{right}"
        return left + right

    text = re.sub(r"\b(Undang) -(Undang)", r"\1-\2", text)
    return re.sub(r"\b([A-Za-z]{2,})- ([A-Za-z]{2,})", fix, text)


def drop_prefix_lines(text: str) -> str:
    """A line repeated as the start of the next one ("Pasal 57" then "Pasal 57 (1) ...",
    "10. Ketentuan" then "10. Ketentuan Pasal 104 ...") is a duplicated heading line."""
    lines = text.split("\n")
    kept = [
        line
        for line, nxt in zip(lines, lines[1:] + [""])
        if not (line.strip() and (nxt.strip() == line.strip() or nxt.lstrip().startswith(line.strip() + " ")))
    ]
    return "\n".join(kept)


# Immediate repetition of a phrase of 2-6 tokens starting like a heading, a title or a list item
# ("UNDANG-UNDANG REPUBLIK INDONESIA UNDANG-UNDANG REPUBLIK INDONESIA", "Paragraf 8 Paragraf 8",
# "3. Pemberdayaan 3. Pemberdayaan", "b. kerja sama b. kerja sama"): the converter doubled a line's start.
_REPEATED_PHRASE = re.compile(r"(?<!\S)((?:[A-Z0-9(][^\s]*|[a-z]\.)(?:[ \t]+[^\s]+){1,5}?)[ \t]+\1(?=\s)")


def collapse_repeated_phrases(text: str) -> str:
    def collapse(match: re.Match[str]) -> str:
        phrase = match.group(1)
        return phrase if re.search(r"[A-Za-z]{3}", phrase) else match.group(0)

    return _REPEATED_PHRASE.sub(collapse, text)


def tidy_whitespace(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


RULES = (
    remove_caret_marks,
    remove_page_headers,
    remove_sheet_numbers,
    fix_year_numbers,
    fix_ayat_numbers,
    fix_paren_read_as_one,
    fix_pasal_numbering,
    join_split_pasal_numbers,
    fix_broken_hyphenation,
    tidy_whitespace,
    drop_prefix_lines,
    collapse_repeated_phrases,
)


def repair(text: str) -> str:
    for rule in RULES:
        text = rule(text)
    return text


def repair_counts(text: str) -> dict[str, int]:
    """How many lines each rule changed, in order (rules that changed nothing are left out): what
    `inspect` reports. Lines are compared, not characters, so that a long text is counted quickly."""
    counts = {}
    for rule in RULES:
        repaired = rule(text)
        if repaired != text:
            matcher = SequenceMatcher(None, text.split("\n"), repaired.split("\n"), autojunk=False)
            changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")
            counts[rule.__name__] = changed
        text = repaired
    return counts


def normalize_for_match(text: str) -> str:
    """Lower-case, carets as spaces, whitespace collapsed: for comparing phrases across OCR noise."""
    return re.sub(r"\s+", " ", text.replace("^", " ").lower()).strip()
