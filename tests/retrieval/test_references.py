import pytest

from assistant.retrieval.references import (
    CitedSource,
    Reference,
    cited_instrument,
    defined_term_candidates,
    find_defined_term,
    find_reference,
    find_regulation,
    mentioned_instruments,
    without_regulation_mention,
)

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
    assert find_regulation("jumlah UPT yang dibangun dalam RIPIN 2035", ALIASES) == "PP 14/2015"
    assert find_regulation("kewajiban pemda membangun sentra", ALIASES) is None


def test_a_definition_question_names_its_term_before_a_comma():
    assert find_defined_term("Seperti apa pengertian Sentra IKM, dan siapa pembinanya?") == "sentra ikm"
    assert find_defined_term("Apa yang dimaksud dengan TPL?") == "tpl"


def test_a_qualification_question_asks_for_the_definition_of_its_term():
    # Where the term ends is a guess: shorter readings follow, down to two words.
    assert defined_term_candidates("Kelompok kami layak jadi sentra IKM belum, Bu?") == ["sentra ikm belum", "sentra ikm"]
    assert defined_term_candidates("Apakah bengkel las di gang kami dihitung sebagai Sentra IKM untuk bantuan?")[-1] == "sentra ikm"
    # A definition question's own term comes first; one generic word is never a candidate.
    assert defined_term_candidates("Apa yang dimaksud dengan TPL?") == ["tpl"]
    assert "industri" not in defined_term_candidates("Jadi industri apa yang boleh?")


def test_the_name_of_a_regulation_is_taken_out_of_the_question_it_points_to():
    assert without_regulation_mention("dasar hukum impor bahan baku menurut UU 3/2014?", ALIASES).split() == [
        "dasar", "hukum", "impor", "bahan", "baku", "menurut", "?"
    ]
    assert "ripin" not in without_regulation_mention("jumlah UPT yang dibangun dalam RIPIN 2035", ALIASES).lower()
    assert without_regulation_mention("kewajiban pemda", ALIASES) == "kewajiban pemda"


def test_an_instrument_named_as_the_source_is_recognised_but_not_a_mere_mention():
    assert cited_instrument("contoh surat usulan menurut Peraturan Menteri Perindustrian yang dipakai dinas?") == CitedSource(
        "Peraturan Menteri Perindustrian", "Permen"
    )
    assert cited_instrument("syarat sentra menurut Permenperin nomor 64 tahun 2016?") == CitedSource(
        "Permenperin nomor 64 tahun 2016", "Permen"
    )
    assert cited_instrument("menurut Perpres 3/2016, apakah") == CitedSource("Perpres 3/2016", "Perpres")
    assert cited_instrument("berdasarkan perpres tentang RPJMN") == CitedSource("perpres", "Perpres")
    assert cited_instrument("Apakah RPIK ditetapkan dengan Perda?") is None
    assert cited_instrument("sesuai dengan ketentuan peraturan perundang-undangan") is None


def test_every_kind_of_instrument_a_text_mentions_is_found_as_a_source_or_not():
    assert mentioned_instruments("Perpres nomor berapa yang mengatur insentif itu?") == {"Perpres"}
    assert mentioned_instruments("apakah cukup dengan Perda, atau perlu pergub juga?") == {"Perda", "Perkada"}
    assert mentioned_instruments("Peraturan Menteri Dalam Negeri dan surat edaran dirjen") == {"Permen", "SE"}
    assert mentioned_instruments("Pasal 14 UU 3/2014 dan PP 29/2018") == set()
    # A word that only begins like an abbreviation is not one.
    assert mentioned_instruments("perdamaian dan inpresi") == set()


def test_the_articles_around_a_pasal_are_its_own_its_rewrites_and_those_referring_to_it():
    from conftest import passage

    from assistant.ingest.catalog import Catalog
    from assistant.retrieval.lookups import PassageLookups

    passages = [
        passage("p4", "PP 1/2030", "4", "Setiap koperasi wajib melapor."),
        passage("p5", "PP 1/2030", "5", "Koperasi yang tidak melapor sebagaimana dimaksud dalam Pasal 4 dikenai teguran."),
        passage("p6", "PP 1/2030", "6", "Laporan memuat omzet sesuai Pasal 4 Undang-Undang Nomor 7 Tahun 2001."),  # another law
        passage("p7", "PP 1/2030", "7", "Ketentuan Pasal 40 berlaku mutatis mutandis."),  # a different number
        passage("p8", "PP 2/2031", "3", "Pasal 4 diubah sehingga berbunyi: ...", amends="PP 1/2030 Pasal 4"),
        passage("p9", "PP 2/2031", "9", "Sanksi sebagaimana dimaksud dalam Pasal 4 diberikan oleh menteri."),  # another regulation
    ]
    lookups = PassageLookups(passages, Catalog())
    assert [passages[i].id for i in lookups.around_pasal("PP 1/2030", "4")] == ["p4", "p8", "p5"]
    assert lookups.around_pasal("PP 2/2031", "4") == [5]  # its own reference, not PP 1/2030's article
    assert lookups.around_pasal("PP 1/2030", "99") == []
