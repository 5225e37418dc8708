import pytest

from assistant.references import Reference, find_reference

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
