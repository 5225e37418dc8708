"""What a question asks: the questions it holds, and the kind of answer an interrogative wants."""

from __future__ import annotations

import re

# Words that ask: a clause holding one is a question of its own ("..., dan apakah ...").
INTERROGATIVE = re.compile(
    r"\b(?:apa|apakah|siapa|berapa|bagaimana|kapan|mana|mengapa|kenapa|bolehkah|bisakah|dapatkah)\b", re.IGNORECASE
)


def question_parts(question: str) -> list[str]:
    """The questions one question asks, when it asks several ("zonanya apa dan ditetapkan lewat
    dokumen apa?"): its interrogative sentences (with a question word or a question mark), each split
    at a "dan" that joins two interrogative clauses. Statements around them ("Kabupaten kami ...")
    are no part."""
    parts = []
    for sentence in re.split(r"(?<=[?.!])\s+", question.strip()):
        if not INTERROGATIVE.search(sentence) and not sentence.endswith("?"):
            continue
        pieces = re.split(r",?\s+dan\s+", sentence)
        current = pieces[0]
        for piece in pieces[1:]:
            if INTERROGATIVE.search(current) and INTERROGATIVE.search(piece):
                parts.append(current)
                current = piece
            else:
                current = f"{current} dan {piece}"
        parts.append(current)
    return parts


# What an answer to an interrogative looks like in a provision.
ANSWER_TYPES = {
    "berapa": re.compile(r"\bpaling (?:banyak|sedikit|lama|singkat|rendah|tinggi)\b|\d+\s*\([a-z ]+\)|\b\d+(?:[.,]\d+)?\s*(?:%|persen|hektar|tahun|hari|bulan|kali)", re.I),
    # The agent of a passive verb names who acts: "dilaksanakan oleh Pemerintah Daerah".
    "siapa": re.compile(
        r"\b(?:dilakukan|dilaksanakan|diselenggarakan|diberikan|ditetapkan|disusun|diterbitkan|dikelola) oleh\b", re.I
    ),
    "kapan": re.compile(r"\b(?:paling lama|paling lambat|sejak|sebelum|setelah|sampai dengan|jangka waktu)\b", re.I),
}


def wanted_answer(question: str) -> re.Pattern | None:
    words = set(question.lower().split())
    return next((pattern for word, pattern in ANSWER_TYPES.items() if word in words), None)
