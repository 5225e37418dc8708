"""The lead of an extractive answer: one or two sentences, before the quotes, made only of clauses
quoted from the cited provisions and fixed connectives ("Pada dasarnya …, kecuali …"), so the rule
and its exceptions are read before the wall of quotes that proves them."""

from __future__ import annotations

import re

from ..parse.units import is_list_item, unit_texts
from ..records import Citation
from ..text.analysis import analyze
from ..text.questions import wanted_answer
from ..text.term_weights import TermWeights
from .citations import provision_part, render_citation, same_pasal

# A clause of about three lines; the whole provision is quoted below it. Chosen on train (in-sample
# answers, key facts in the first 400 characters): 30 words 0.388, 40 0.424, 50 0.463, 70 0.465, no lead 0.446.
LEAD_WORDS = 50
MAX_LEAD_EXCEPTIONS = 2  # as many as an answer quotes per rule (extractive.MAX_EXCEPTIONS)
MARKER = re.compile(r"^(?:…\s*|\(\d+\)\s+|(?:\d{1,3}|[a-z])\.\s+)+")
# The last item of a list follows "; dan" / "; atau" on the same line once a quote is joined: its
# marker goes too, as the lead reads the items as one sentence.
LAST_ITEM_MARKER = re.compile(r"(;\s+(?:dan|atau|dan/atau))\s+(?:\d{1,3}|[a-z])\.\s+")


def _window(words: list[str], terms: set[str], weights: TermWeights) -> tuple[int, int]:
    """The LEAD_WORDS words of a long clause that hold most of the question's weighted terms."""
    if len(words) <= LEAD_WORDS:
        return 0, len(words)
    scored = [
        (weights.weight(set(analyze(" ".join(words[start : start + LEAD_WORDS]))) & terms), -start)
        for start in range(0, len(words) - LEAD_WORDS + 1, 2)
    ]
    start = -max(scored)[1]
    return start, start + LEAD_WORDS


def lead_clause(quote: str, question: str, weights: TermWeights) -> str:
    """The clause of a quote that answers the question: the sentence, list item or ayat holding most
    of its weighted terms (a list item with the words that introduce it), preferring one that states
    the datum asked for (an amount for "berapa"); cut to LEAD_WORDS around those terms."""
    pieces = [p for p in unit_texts(quote.strip(" …")) if MARKER.sub("", p)]
    if not pieces:
        return ""
    terms, wants = set(analyze(question)), wanted_answer(question)

    def score(index: int) -> tuple[bool, float, int]:
        piece = pieces[index]
        return (wants is not None and bool(wants.search(piece)), weights.weight(terms & set(analyze(piece))), -index)

    best = max(range(len(pieces)), key=score)
    text = MARKER.sub("", pieces[best])
    if text.endswith(":"):  # a list's intro reads with its items, those that hold the question's terms first
        items = [MARKER.sub("", p).rstrip(" ;") for p in pieces[best + 1 :] if is_list_item(p)]
        text += " " + "; ".join(sorted(items, key=lambda item: -weights.weight(terms & set(analyze(item)))))
    elif is_list_item(pieces[best]):  # an item reads with the words that introduce it
        intro = next((p for p in reversed(pieces[:best]) if not is_list_item(p)), "")
        if intro.endswith(":"):
            text = f"{MARKER.sub('', intro)} {text}"
    words = LAST_ITEM_MARKER.sub(r"\1 ", text).split()
    start, end = _window(words, terms, weights)
    clause = " ".join(words[start:end]).rstrip(" ;,.:")
    return ("… " if start else "") + clause + (" …" if end < len(words) else "")


def lead_label(citation: Citation, within: Citation | None = None) -> str:
    """Where a lead clause comes from, short: "Pasal 106 ayat (1) UU 3/2014"; a part of the pasal
    already named just before is named by its part ("ayat (2)"). A provision not simply in force says so."""
    part = provision_part(citation)
    if within is not None and citation.kind == within.kind == "pasal" and part and same_pasal(citation, within):
        return part  # its status was said with the pasal
    if citation.amends:
        target, _, pasal = citation.amends.partition(" Pasal ")
        label = f"Pasal {pasal}{' ' + part if part else ''} {target}, diubah {citation.regulation}"
    else:
        label = render_citation(citation, titled=False)
    return label if citation.status == "berlaku" else f"{label}; status: {citation.status}, lihat catatan di bawah"


def compose_lead(question: str, citations: list[Citation], weights: TermWeights) -> str:
    """The answer in a sentence or two: with exceptions, "Pada dasarnya, “rule” (Pasal …), kecuali
    “exception” (ayat …)."; without, the best quote's clause and that of the next provision quoted.
    Empty when the first quote is a Lampiran table (its rows are no clause)."""
    if not citations or citations[0].kind == "lampiran":
        return ""
    rule = citations[0]
    exceptions = []
    for citation in citations[1:]:
        if citation.role != "pengecualian" or len(exceptions) == MAX_LEAD_EXCEPTIONS:
            break
        exceptions.append(citation)

    def quoted(citation: Citation, within: Citation | None = None) -> str:
        clause = lead_clause(citation.quote, question, weights)
        return f"“{clause}” ({lead_label(citation, within)})" if clause else ""

    first = quoted(rule)
    if not first:
        return ""
    if exceptions:
        excepted = [q for q in (quoted(e, rule) for e in exceptions) if q]
        return f"Pada dasarnya, {first}, kecuali {' dan '.join(excepted)}." if excepted else f"{first}."
    following = next((c for c in citations[1:] if c.kind != "lampiran"), None)
    second = quoted(following, rule) if following is not None else ""
    return f"{first}." + (f" Juga: {second}." if second else "")
