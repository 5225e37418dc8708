"""The default answer backend: quotes the ayat, huruf and sentences that answer the question."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..parse.units import AYAT_START, Unit, is_amendment_frame, is_list_item, passage_units, split_units
from ..records import Passage, RetrievedPassage
from ..text.analysis import analyze
from ..text.questions import question_parts, wanted_answer
from ..text.term_weights import TermWeights
from .citations import TABLE_CAPTION

# Retrieval rank only nudges: the unit that matches the question wins (tuned on dev: 0.15 cost
# two gold citations out of 60).
RANK_PRIOR = 0.05
# Provisions answer questions; elucidation and overview text support them.
KIND_PRIOR = {"pasal": 0.1, "section": 0.05, "lampiran": 0.0, "penjelasan": -0.05, "preamble": -0.1}
# A regulation the question names ("menurut UU Cipta Kerja") is where the asker expects the answer.
NAMED_PRIOR = 0.1
# "Ketentuan lebih lanjut mengenai ... diatur dalam Peraturan Pemerintah" repeats the words of the
# provision it delegates from and says nothing of substance.
DELEGATION = re.compile(r"^(?:\(\d+\)\s*)?ketentuan lebih lanjut\b", re.IGNORECASE)
DELEGATION_PRIOR = -0.2
MAX_UNITS = 4
MAX_PER_PASSAGE = 2  # room for a second ayat of the same pasal, and for other provisions
MAX_LIST_ITEMS = 12
QUOTE_WORDS = 100  # a quote grows with the sentences that follow it up to this many words
WINDOW_WORDS = 60  # what is quoted of a unit longer than QUOTE_WORDS
WINDOW_STEP = 4
WINDOW_SNAP = 8  # how far back a window may move to start at an item number ("3.")
ITEM_NUMBER = re.compile(r"(?:\d{1,2}|[a-z])\.")


def score_unit(
    question_terms: set[str], unit: Unit, passage: Passage, weights: TermWeights, wants: re.Pattern | None, named: str | None
) -> float:
    """Share of the question's weighted terms the unit contains, nudged by retrieval rank, kind and
    the regulation the question names, and by holding the kind of answer the question asks for
    (an amount for "berapa")."""
    if not question_terms:
        return 0.0
    unit_terms = set(analyze(unit.text))
    total = weights.weight(question_terms)
    matched = weights.weight(question_terms & unit_terms)
    too_short = len(unit.text) < 40
    answer_type = 0.2 if wants is not None and wants.search(unit.text) else 0.0
    return (
        matched / total
        + RANK_PRIOR / unit.passage_rank
        + KIND_PRIOR.get(passage.kind, 0.0)
        + (NAMED_PRIOR if named and named in (passage.regulation, passage.amends.partition(" Pasal")[0]) else 0.0)
        + answer_type
        + (DELEGATION_PRIOR if DELEGATION.match(unit.text) else 0.0)
        - (0.2 if too_short else 0.0)
    )


@dataclass(frozen=True)
class Selection:
    item: RetrievedPassage
    ayat: str
    quote: str
    score: float
    role: str = ""  # "pengecualian": an exception to the quote before it
    point: str = ""  # the numbered or lettered item quoted: "angka 5", "huruf b"


ITEM_MARKER = re.compile(r"(\d{1,3}|[a-z])\.\s")


def point_of(text: str) -> str:
    """"angka 5" for a unit that is item 5 of a list ("5. Kawasan Industri adalah ..."), "huruf b"
    for item b; "" for any other unit."""
    marker = ITEM_MARKER.match(text)
    if not marker:
        return ""
    label = marker.group(1)
    return f"angka {label}" if label.isdigit() else f"huruf {label}"


# Scores for (unit, its passage, units in that passage) candidates of one question (or one part of
# it): the learned unit model (assistant/answering/units.py), given the question, the plain term
# weights, the answer type it wants and the regulation it names.
UnitScorer = Callable[[str, TermWeights, "re.Pattern | None", "str | None", list], list[float]]


def hand_scores(question: str, weights: TermWeights, wants, named, candidates: list) -> list[float]:
    """The hand-weighted score of each candidate: what answers when no unit model is trained."""
    terms, focused = set(analyze(question)), weights.focused(question)
    return [score_unit(terms, unit, item.passage, focused, wants, named) for unit, item, _ in candidates]


def select_quotes(
    question: str,
    items: list[RetrievedPassage],
    weights: TermWeights,
    named: str | None = None,
    scorer: UnitScorer = hand_scores,
) -> list[Selection]:
    """Best units across the retrieved passages, each expanded with the list it introduces.
    A question that asks several things gets the best unit for each of them before the rest.
    `named` is the regulation the question names, if any."""
    question_terms = set(analyze(question))
    parts = question_parts(question)
    candidates = [
        (item, units, index)
        for item, units in passage_units(items)
        for index in range(len(units))
        if not is_amendment_frame(units[index].text)
    ]
    triples = [(units[index], item, len(units)) for item, units, index in candidates]
    base = list(scorer(question, weights, wanted_answer(question), named, triples))

    def best_first(scores: list[float]) -> list[int]:  # ties: retrieval rank, text order
        return sorted(range(len(candidates)), key=lambda i: (-round(scores[i], 9), candidates[i][0].rank, candidates[i][2]))

    order = best_first(base)
    part_leads = []
    for part in parts if len(parts) > 1 else []:
        # What the part asks, within what the whole question is about.
        extra = scorer(part, weights, wanted_answer(part), named, triples)
        part_leads += best_first([b + e for b, e in zip(base, extra)])[:1]
    selections: list[Selection] = []
    used: set[tuple[str, int]] = set()
    focused = weights.focused(question)
    for candidate in order[:1] + part_leads + order[1:]:
        item, units, index = candidates[candidate]
        # Up to MAX_UNITS units, however weak the last: cutting at half the best unit's score lost
        # key facts in train-CV (0.629 with no cut, 0.607 at 0.2 of the best, 0.582 at 0.35).
        if len(selections) >= MAX_UNITS:
            break
        span = _expand(units, index)
        keys = {(item.passage.id, i) for i in span}
        if keys & used or sum(s.item.passage.id == item.passage.id for s in selections) >= MAX_PER_PASSAGE:
            continue
        used |= keys
        if span == [index]:
            quote = best_window(units[index].text, question_terms, focused)
        else:
            quote = " ".join(units[i].text for i in span)
        selections.append(Selection(item, units[index].ayat, quote, base[candidate], point=point_of(units[index].text)))
    return selections


def with_current_wording(
    selections: list[Selection],
    amending: Callable[[Passage], list[Passage]],
    quote: Callable[[list[RetrievedPassage]], list[Selection]],
) -> list[Selection]:
    """Before each quote of a pasal that an amending law in the index rewrote, the rewritten
    (current) wording, quoted by `quote`, so an answer never rests on superseded text alone."""
    chosen = {s.item.passage.id for s in selections}
    result: list[Selection] = []
    for selection in selections:
        rewrites = [p for p in amending(selection.item.passage) if p.id not in chosen]
        if rewrites:
            # Listed at the rank of the passage it supersedes: it was found through that passage.
            current = quote([replace(selection.item, passage=p) for p in rewrites])[:1]
            chosen.update(s.item.passage.id for s in current)
            result += current
        result.append(selection)
    return result[:MAX_UNITS]


def best_window(text: str, question_terms: set[str], weights: TermWeights) -> str:
    """A unit longer than QUOTE_WORDS (a Lampiran table flattened to one run of text) is quoted by
    its WINDOW_WORDS words that hold most of the question's weighted terms, starting at an item
    number when one is close before."""
    words = text.split()
    if len(words) <= QUOTE_WORDS:
        return text
    best_start, best_score = 0, (-1.0, -1)
    for start in range(0, len(words) - WINDOW_WORDS + WINDOW_STEP, WINDOW_STEP):
        terms = [t for t in analyze(" ".join(words[start : start + WINDOW_WORDS])) if t in question_terms]
        # Most weighted question terms first; of equals, the window that repeats them most.
        score = (round(weights.weight(set(terms)), 9), len(terms))
        if score > best_score:
            best_start, best_score = start, score
    matched = (i for i in range(best_start, min(best_start + WINDOW_WORDS, len(words))) if set(analyze(words[i])) & question_terms)
    table = table_around(words, next(matched, best_start))
    if table is not None:
        item_start, end = table
    else:
        item_start = next(
            (i for i in range(best_start, max(best_start - WINDOW_SNAP, -1), -1) if ITEM_NUMBER.fullmatch(words[i])), best_start
        )
        end = min(item_start + WINDOW_WORDS, len(words))
    return ("… " if item_start else "") + " ".join(words[item_start:end]) + (" …" if end < len(words) else "")


# A table is read from its caption: its rows only make sense under the caption and column heads,
# and a table of up to this many words (the RIPIN's programme tables are 60-150) fits one quote.
TABLE_WORDS = 160
# What ends a flattened table inside a Lampiran's running text: the next part's heading
# ("VIII. KEBIJAKAN ...", "B. Kebijakan ...").
PART_HEADING = re.compile(r"(?:[IVX]+|[A-H])\.")


def table_around(words: list[str], anchor: int) -> tuple[int, int] | None:
    """(first, past-last) word of the short table that word `anchor` is in (from its caption to the
    next caption or part heading); None when it is in none."""
    captions = [i for i in range(len(words) - 2) if words[i] == "Tabel" and TABLE_CAPTION.match(" ".join(words[i : i + 3]))]
    opening = [i for i in captions if i <= anchor]
    if not opening:
        return None
    first = opening[-1]
    last = next((i for i in range(first + 3, len(words)) if i in captions or PART_HEADING.fullmatch(words[i])), len(words))
    if anchor >= last or last - first > TABLE_WORDS:
        return None
    return first, last


# A Penjelasan elucidates its pasal piece by piece, each piece under the heading of what it explains
# ("Ayat (2)", "Huruf c", "Angka 5"; "Pasal 7" in an amending law's): a sentence under the next
# heading explains something else, most often "Cukup jelas.".
ELUCIDATION_HEADING = re.compile(r"(?:Ayat\s+\(\d+\)|Huruf\s+[a-z]|Angka\s+\d{1,3}|Pasal\s+\d+[A-Z]?)\s")


def _expand(units: list[Unit], index: int) -> list[int]:
    """A list intro brings its items; a list item brings its intro, so a quote reads whole;
    a short sentence brings the sentences after it, up to QUOTE_WORDS, for its context, within
    the ayat, list item or elucidated piece it belongs to."""
    span = _expand_list(units, index)
    following = span[-1] + 1
    while (
        following < len(units)
        and sum(len(units[i].text.split()) for i in span) + len(units[following].text.split()) <= QUOTE_WORDS
        and not AYAT_START.match(units[following].text)
        and not is_list_item(units[following].text)  # the next item of a list (a definition) is not context
        and not ELUCIDATION_HEADING.match(units[following].text)
    ):
        span.append(following)
        following += 1
    return span


def _expand_list(units: list[Unit], index: int) -> list[int]:
    span = [index]
    if units[index].text.rstrip().endswith(":"):
        following = index + 1
        while following < len(units) and is_list_item(units[following].text) and len(span) <= MAX_LIST_ITEMS:
            span.append(following)
            following += 1
    elif is_list_item(units[index].text):
        intro = index - 1
        while intro >= 0 and is_list_item(units[intro].text):
            intro -= 1
        if intro >= 0 and units[intro].text.rstrip().endswith(":"):
            span.insert(0, intro)
    return span


# How legal drafting states an exception or a limit to a rule (a general form, not a word list of
# one regulation): "... dikecualikan bagi ...", "Pengecualian terhadap kewajiban ...", "kecuali ...",
# "tidak berlaku bagi ...", "dibebaskan dari ...".
EXCEPTION = re.compile(
    r"\b(?:dikecualikan|pengecualian|kecuali|tidak berlaku (?:bagi|untuk|terhadap)|dibebaskan dari|tidak wajib)\b",
    re.IGNORECASE,
)
AYAT_REFERENCE = re.compile(r"\bayat\s+\((\d+)\)", re.IGNORECASE)
MAX_EXCEPTIONS = 2  # per quoted rule


def exceptions_to(selection: Selection, quoted: set[tuple[str, str]]) -> list[Selection]:
    """The ayat of the same pasal that make exceptions to the quoted one: they state an exception
    and either refer to the quoted ayat ("sebagaimana dimaksud pada ayat (1)") or to no ayat at all.
    `quoted` holds (passage id, ayat) already placed in the answer before this one."""
    if selection.item.passage.kind != "pasal" or not selection.ayat:
        return []
    units = split_units(selection.item)
    found, taken = [], set()
    for index, unit in enumerate(units):
        if not AYAT_START.match(unit.text) or unit.ayat == selection.ayat or unit.ayat in taken:
            continue
        if (selection.item.passage.id, unit.ayat) in quoted or not EXCEPTION.search(unit.text):
            continue
        referred = set(AYAT_REFERENCE.findall(unit.text))
        if referred and selection.ayat not in referred:
            continue
        span = _expand_list(units, index)
        quote = " ".join(units[i].text for i in span)
        found.append(Selection(selection.item, unit.ayat, quote, selection.score, role="pengecualian"))
        taken.add(unit.ayat)
        if len(found) == MAX_EXCEPTIONS:
            break
    return found


def with_exceptions(selections: list[Selection]) -> list[Selection]:
    """Each quoted rule followed by the exceptions its pasal makes to it: an answer that quotes a
    "wajib" without its "dikecualikan" misleads. An exception already chosen as a quote of its own
    moves up beside its rule."""
    placed: set[tuple[str, str]] = set()
    result = []
    for selection in selections:
        key = (selection.item.passage.id, selection.ayat)
        if key in placed:
            continue
        result.append(selection)
        placed.add(key)
        if selection.role:
            continue
        extra = exceptions_to(selection, placed)
        placed |= {(s.item.passage.id, s.ayat) for s in extra}
        result += extra
    return result


REFERENCE_QUOTE_WORDS = 160  # a pasal asked for by number is quoted at length, not by relevance


def quote_named_pasal(items: list[RetrievedPassage], regulation: str, pasal: str, ayat: str) -> list[Selection]:
    """Quotes of the pasal a question names ("Pasal 18 ayat (1) PP 29/2018"), in document order."""
    named = [item for item in items if (item.passage.regulation, item.passage.pasal, item.passage.kind) == (regulation, pasal, "pasal")]
    return quote_at_length(named, ayat)[:MAX_PER_PASSAGE]


def quote_at_length(items: list[RetrievedPassage], ayat: str = "") -> list[Selection]:
    """Each passage quoted from its start (only the given ayat, if any), not by relevance."""
    selections = []
    for item in items:
        units = [u for u in split_units(item) if not ayat or u.ayat == ayat]
        words, texts = 0, []
        for unit in units:
            if words >= REFERENCE_QUOTE_WORDS:
                texts.append("…")
                break
            texts.append(unit.text)
            words += len(unit.text.split())
        if texts:
            selections.append(Selection(item, ayat, " ".join(texts), 1.0))
    return selections
