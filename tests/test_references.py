import pytest

from assistant.references import Reference, find_defined_term, find_reference, find_regulation

ALIASES = {"uu perindustrian": "UU 3/2014", "ripin": "PP 14/2015"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apa isi Pasal 14 UU 3/2014?", Reference("UU 3/2014", "14")),
        ("pasal 5 ayat 1 pp 29 2018", Reference("PP 29/2018", "5", "1")),
        ("Pasal 5 ayat (2) Peraturan Pemerintah Nomor 29 Tahun 2018", Reference("PP 29/2018", "5", "2")),
        ("UU Perindustrian pasal 14", Reference("UU 3/2014", "14")),
        ("isi pasal 101A undang-undang nomor 3 tahun 2014", Reference("UU 3/2014", "101A")),
    ],
)
def test_explicit_references_are_resolved(text, expected):
    assert find_reference(text, ALIASES) == expected


def test_no_reference_without_both_pasal_and_regulation():
    assert find_reference("apa kewajiban pemda dalam pasal 5", ALIASES) is None
    assert find_reference("kewajiban pemda menurut UU 23/2014", ALIASES) is None


def test_a_regulation_named_without_a_pasal_is_found():
    assert find_regulation("kewajiban pemda menurut UU 23/2014", ALIASES) == "UU 23/2014"
    assert find_regulation("target sentra IKM baru RIPIN 2035", ALIASES) == "PP 14/2015"
    assert find_regulation("kewajiban pemda membangun sentra", ALIASES) is None


def test_a_definition_question_names_its_term_before_a_comma():
    assert find_defined_term("Bagaimana pengertian Sentra IKM, dan berapa jumlah minimalnya?") == "sentra ikm"
    assert find_defined_term("Apa yang dimaksud dengan TPL?") == "tpl"
