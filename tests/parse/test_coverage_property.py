"""Passages must account for (almost) every character of a document's cleaned text."""

import pytest
from conftest import REGULATIONS, SEED, require_shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.parse.structure import ParsedDocument, parse_document
from assistant.records import SourceDocument

MIN_COVERAGE = 0.99
MAX_MARKUP_CHARS = 400  # headings only; a longer "heading" would be hiding content


def coverage(parsed: ParsedDocument) -> float:
    """Share of non-whitespace characters inside a passage span or a short structural heading."""
    text = parsed.cleaned_text
    covered = bytearray(len(text))
    spans = [(p.char_start, p.char_end) for p in parsed.passages] + parsed.markup
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    counted = [i for i, ch in enumerate(text) if not ch.isspace()]
    return sum(covered[i] for i in counted) / max(1, len(counted))


WORDS = ["industri", "pemerintah", "sentra", "pembinaan", "daerah", "usaha", "kecil", "menengah", "fasilitas", "wajib"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]

sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=25).map(lambda ws: " ".join(ws).capitalize() + ".")
reference = st.integers(1, 40).map(lambda n: f"Sebagaimana dimaksud dalam Pasal {n} ayat (1) huruf a.")
clause = st.one_of(sentence, sentence, reference)
huruf = st.lists(sentence, min_size=2, max_size=4).map(
    lambda items: ":\n" + "\n".join(f"{chr(97 + i)}. {item}" for i, item in enumerate(items))
)
ayat_body = st.tuples(st.lists(clause, min_size=1, max_size=6), st.one_of(st.just(""), huruf)).map(
    lambda parts: " ".join(parts[0]) + parts[1]
)
pasal_body = st.one_of(
    ayat_body,
    st.lists(ayat_body, min_size=2, max_size=6).map(
        lambda ayat: "\n".join(f"({i}) {text}" for i, text in enumerate(ayat, start=1))
    ),
)
penjelasan_body = st.one_of(
    st.just("Cukup jelas."),
    st.lists(sentence, min_size=1, max_size=3).map(lambda s: "Ayat (1) " + " ".join(s) + " Ayat (2) Cukup jelas."),
)


@st.composite
def regulation_text(draw) -> tuple[str, int]:
    pasal = draw(st.lists(pasal_body, min_size=1, max_size=25))
    chapters = sorted(set(draw(st.lists(st.integers(0, len(pasal) - 1), max_size=5))) | {0})
    lines = [
        "PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 5 TAHUN 2019 TENTANG CONTOH PEMBINAAN INDUSTRI",
        "DENGAN RAHMAT TUHAN YANG MAHA ESA",
        "Menimbang : bahwa " + draw(sentence),
        "Mengingat : Pasal 5 ayat (2) Undang-Undang Dasar Negara Republik Indonesia Tahun 1945;",
        "MEMUTUSKAN: Menetapkan : PERATURAN PEMERINTAH TENTANG CONTOH PEMBINAAN INDUSTRI.",
    ]
    for index, body in enumerate(pasal):
        if index in chapters:
            lines.append(f"BAB {ROMAN[chapters.index(index)]} " + draw(sentence).rstrip(".").upper())
        lines += [f"Pasal {index + 1}", body]
    lines.append("Agar setiap orang mengetahuinya, memerintahkan pengundangan Peraturan Pemerintah ini.")
    if draw(st.booleans()):
        lines += ["PENJELASAN ATAS PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 5 TAHUN 2019", "I. UMUM " + draw(sentence)]
        lines.append("II. PASAL DEMI PASAL")
        lines += [f"Pasal {n} {draw(penjelasan_body)}" for n in range(1, len(pasal) + 1)]
    return "\n".join(lines) + "\n", len(pasal)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regulation_text(), st.sampled_from([40, 120, 350]))
def test_generated_text_is_covered(generated, budget):
    text, pasal_count = generated
    parsed = parse_document(SourceDocument("gen.md", "gen.md", text), max_tokens=budget)
    assert parsed.pasal == [str(n) for n in range(1, pasal_count + 1)]
    assert all(end - start <= MAX_MARKUP_CHARS for start, end in parsed.markup)
    assert all(parsed.cleaned_text[p.char_start : p.char_end] == p.text for p in parsed.passages)
    assert coverage(parsed) >= MIN_COVERAGE


@pytest.mark.parametrize("path", [f"regulations/{name}" for name in (
    "uu-3-2014.md", "uu-23-2014.md", "pp-14-2015.md", "pp-29-2018.md", "pp-142-2015.md", "pp-28-2021.md", "uu-11-2020.md"
)] + ["seed"])
def test_real_files_are_covered(path):
    require_shared()
    file = SEED if path == "seed" else REGULATIONS.parent / path
    parsed = parse_document(SourceDocument(str(file), file.name, file.read_text(encoding="utf-8")))
    assert all(end - start <= MAX_MARKUP_CHARS for start, end in parsed.markup)
    assert coverage(parsed) >= MIN_COVERAGE
