"""What a question asks: the questions it holds, and the kind of answer an interrogative wants."""

from __future__ import annotations

import re

from .analysis import lexicon, raw_tokens

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
    "berapa": re.compile(r"\bpaling (?:banyak|sedikit|lama|singkat|rendah|tinggi)\b|\d+\s*\([a-z ]+\)|\b\d+(?:[.,]\d+)?\s*(?:%|persen|hektar|tahun|hari|bulan|kali)", re.IGNORECASE),
    # The agent of a passive verb names who acts: "dilaksanakan oleh Pemerintah Daerah".
    "siapa": re.compile(
        r"\b(?:dilakukan|dilaksanakan|diselenggarakan|diberikan|ditetapkan|disusun|diterbitkan|dikelola) oleh\b", re.IGNORECASE
    ),
    "kapan": re.compile(r"\b(?:paling lama|paling lambat|sejak|sebelum|setelah|sampai dengan|jangka waktu)\b", re.IGNORECASE),
}


def wanted_answer(question: str) -> re.Pattern | None:
    words = set(question.lower().split())
    return next((pattern for word, pattern in ANSWER_TYPES.items() if word in words), None)


# --- the datum a question asks for -------------------------------------------------------------
# A question that asks for a rate, an amount of money, a period, a date or a regulation's number is
# answered only by a provision that states one; one that asks "berapa" otherwise wants some number.
# These are the general forms of Indonesian questions and of statutory drafting ("paling lama 30
# (tiga puluh) hari", "Rp50.000.000,00"), read on the question's words after colloquial spellings
# are normalised ("brp" → "berapa"). Whether the datum's absence means "not answered" is learned
# (the decline classifier); these only say what is asked and what a stated datum looks like.
_HOW_MUCH = r"(?:berapa|besaran|besarnya)"
_MONEY_NOUNS = (
    r"(?:rupiah|biaya|tarif|harga|iuran|retribusi|pajak|bea|denda|nilai|anggaran|pagu|plafon|honorarium|honor|"
    r"gaji|upah|sewa|modal|dana)(?:nya)?"
)
_PERIOD_NOUNS = r"(?:lama|detik|menit|jam|hari|minggu|pekan|bulan|tahun|kali)"
ASKED_DATA: dict[str, re.Pattern] = {
    "rate": re.compile(r"\b(?:persen|persentase|prosentase|rasio|suku bunga)\b"),
    "money": re.compile(rf"\b{_HOW_MUCH}\b(?:\s+\w+){{0,6}}?\s+{_MONEY_NOUNS}\b|\b{_MONEY_NOUNS}\b(?:\s+\w+){{0,6}}?\s+{_HOW_MUCH}\b|\btarif\w*\b"),
    "period": re.compile(rf"\bberapa\s+{_PERIOD_NOUNS}\b|\b(?:masa|jangka waktu) berlaku\w*\b|\bberlaku\w*\s+berapa\b"),
    "date": re.compile(r"\bkapan\b|\btanggal\b|\bbulan apa\b|\bpaling (?:lambat|telat|cepat)\b|\bbatas waktu\b|\btenggat\b"),
    "number": re.compile(r"\b(?:nomor|no)\s+(?:berapa|berapakah|\w+\s+berapa)\b|\bnomor (?:peraturan|undang|pp|perpres|permen|perda|keputusan|kepmen|surat)\w*\b|\b(?:peraturan|undang|pp|perpres|permen\w*|perda|keputusan|kep\w+)\s+(?:\w+\s+)?nomor\b"),
    # Not "pasal berapa": the number of an article is a reference, not a datum.
    "amount": re.compile(r"(?<!pasal )(?<!ayat )(?<!huruf )(?<!angka )\b(?:berapa|berapakah)\b(?!\s+(?:pasal|ayat|huruf|angka)\b)"),
}
_NUMBER_WORDS = r"(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu|setengah)"
_COUNT = rf"(?:\d+(?:[.,]\d+)*|{_NUMBER_WORDS})"
DATUM_FORMS: dict[str, re.Pattern] = {
    "rate": re.compile(r"\d\s*%|\bpersen\b", re.IGNORECASE),
    "money": re.compile(r"\bRp\.?\s*\d|\brupiah\b|\d\s*(?:ribu|juta|miliar|triliun)\b", re.IGNORECASE),
    "period": re.compile(
        rf"\b{_COUNT}\s*(?:\([a-z ]+\)\s*)?(?:detik|menit|jam|hari|minggu|pekan|bulan|tahun|kali)\b"
        r"|\bpaling (?:lama|singkat|cepat)\b|\bsetiap (?:hari|minggu|bulan|tahun|semester|triwulan)\b",
        re.IGNORECASE,
    ),
    "date": re.compile(
        r"\bpaling (?:lama|lambat|cepat)\b|\b(?:sejak|sebelum|setelah|sesudah|sampai dengan|selambat-lambatnya)\b|\btanggal\b"
        r"|\bjangka waktu\b|\b(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember)\b",
        re.IGNORECASE,
    ),
    "number": re.compile(r"\bnomor\s+\d+", re.IGNORECASE),
    "amount": re.compile(
        rf"\b\d+(?:[.,]\d+)*\s*(?:\([a-z ]+\)|%)|\b{_NUMBER_WORDS}\w*\s+(?:\w+\s+)?(?:persen|hari|bulan|tahun|kali|orang|unit)\b"
        r"|\bpaling (?:banyak|sedikit|lama|singkat|rendah|tinggi)\b|\bsekurang-kurangnya\b|\bsebanyak-banyaknya\b",
        re.IGNORECASE,
    ),
}


def asked_data(question: str) -> frozenset[str]:
    """The kinds of datum a question asks for (ASKED_DATA's keys); "amount" only when no more
    precise kind is asked."""
    colloquial = lexicon().colloquial
    words = " ".join(colloquial.get(token, token) for token in raw_tokens(question))
    kinds = {kind for kind, pattern in ASKED_DATA.items() if pattern.search(words)}
    if "%" in question:
        kinds.add("rate")
    return frozenset(kinds - {"amount"} if len(kinds) > 1 else kinds)


def states_datum(kinds: frozenset[str], text: str) -> bool:
    """Whether a provision's text states a datum of one of the asked kinds."""
    return any(DATUM_FORMS[kind].search(text) for kind in kinds)
