"""OCR repair for converted regulation texts.

Every rule is a small pure function (str -> str) so it can be tested on real snippets and
reasoned about on its own; `repair` composes them in an order where earlier rules make the
later ones simpler (e.g. carets go first so numbering rules see clean tokens).
"""

from __future__ import annotations

import re

# OCR reads "0" as O and "1" as I/l/L; only applied inside tokens known to be numbers.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "L": "1", "|": "1"})


def _to_digits(token: str) -> str:
    return token.translate(_DIGIT_LOOKALIKES)


def remove_caret_marks(text: str) -> str:
    """`^` is a converter artefact glued before words ("^yang ^dimaksud"); it carries no meaning."""
    return re.sub(r"\^+", "", text)


# Running page header: "PRESIDEN REPUBLIK INDONESIA" (often as "PRES I DEN REPUELIK INDONESIA")
# followed by a page number such as "-10-", "_t6_", "-258 -". The spaced "PRES I DEN" spelling only
# ever occurs as a header; the unspaced one is also the signature block, so it needs the page number.
_PAGE_NUMBER = r"[-_]\s?[0-9a-zA-Z]{1,4}\s?[-_]"
_SPACED_HEADER = re.compile(rf"PRES I DEN REPU\S+ I\S+(?:\s+{_PAGE_NUMBER})?[ \t]*")
_PLAIN_HEADER = re.compile(rf"PRESIDEN REPU\S+ I\S+\s+{_PAGE_NUMBER}[ \t]*")


def remove_page_headers(text: str) -> str:
    text = _SPACED_HEADER.sub("", text)
    return _PLAIN_HEADER.sub("", text)


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


# Immediate repetition of a phrase of 2-6 tokens starting like a heading or title
# ("UNDANG-UNDANG REPUBLIK INDONESIA UNDANG-UNDANG REPUBLIK INDONESIA", "Paragraf 8 Paragraf 8",
# "3. Pemberdayaan 3. Pemberdayaan"): the converter doubled a title line.
_REPEATED_PHRASE = re.compile(r"(?<!\S)([A-Z0-9(][^\s]*(?:[ \t]+[^\s]+){1,5}?)[ \t]+\1(?=\s)")


def collapse_repeated_phrases(text: str) -> str:
    def collapse(match: re.Match[str]) -> str:
        phrase = match.group(1)
        return phrase if re.search(r"[A-Za-z]{3}", phrase) else match.group(0)

    return _REPEATED_PHRASE.sub(collapse, text)


def tidy_whitespace(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def repair(text: str) -> str:
    for rule in (
        remove_caret_marks,
        remove_page_headers,
        remove_sheet_numbers,
        fix_year_numbers,
        fix_ayat_numbers,
        fix_pasal_numbering,
        join_split_pasal_numbers,
        fix_broken_hyphenation,
        tidy_whitespace,
        drop_prefix_lines,
        collapse_repeated_phrases,
    ):
        text = rule(text)
    return text


def normalize_for_match(text: str) -> str:
    """Lower-case, carets as spaces, whitespace collapsed: for comparing phrases across OCR noise."""
    return re.sub(r"\s+", " ", text.replace("^", " ").lower()).strip()
