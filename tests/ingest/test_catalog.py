from assistant.config import get_settings
from assistant.ingest.catalog import Catalog, amended_pasal
from assistant.records import RegulationIdentity

catalog = Catalog.load(get_settings().catalog_path)


def test_required_relations_are_recorded():
    for pasal in ("49", "51", "52", "53"):
        status, note = catalog.pasal_status("PP 29/2018", pasal)
        assert status == "dicabut" and "PP 28/2021 Pasal 174" in note
    assert catalog.pasal_status("PP 29/2018", "5") == ("berlaku", "")
    status, note = catalog.pasal_status("PP 142/2015", "10")
    assert status == "dicabut" and "PP 20/2024" in note


def test_amendments_read_from_quoted_articles_mark_pasal_as_amended():
    amended = amended_pasal(["UU 3/2014 Pasal 15", "UU 3/2014 Pasal 101"])
    status, note = catalog.pasal_status("UU 3/2014", "101", amended["UU 3/2014"])
    assert status == "diubah" and "UU 11/2020 Pasal 44" in note
    assert catalog.pasal_status("UU 3/2014", "14", amended["UU 3/2014"])[0] == "berlaku"


def test_merge_prefers_catalog_facts_over_ocr_text():
    parsed = RegulationIdentity("PP 29/2018", "PP", "29", "2018", "PEMBERDAYAAN INDUSTRl")
    merged = catalog.merge(parsed, "pp-29-2018.md")
    assert merged.title == "Pemberdayaan Industri" and merged.status == "diubah"
    unknown = RegulationIdentity("PP 1/2020", "PP", "1", "2020", "Sesuatu")
    assert catalog.merge(unknown, "lain.md") == unknown


def test_a_regulation_is_also_named_by_type_and_title():
    aliases = Catalog.load(get_settings().catalog_path).aliases()
    assert aliases["pp tentang pemberdayaan industri"] == "PP 29/2018"
    assert aliases["uu cipta kerja"] == "UU 11/2020"


def test_revoked_law_names_the_instrument_in_force_and_whether_the_index_has_it():
    status, note = catalog.pasal_status("UU 11/2020", "44")
    assert status == "dicabut" and "Perppu 2/2022 Pasal 185" in note
    assert "UU 6/2023" in note and "tidak ada dalam indeks" in note
    _, known = catalog.pasal_status("UU 11/2020", "44", indexed=frozenset({"UU 11/2020", "UU 6/2023"}))
    assert "UU 6/2023" in known and "tidak ada dalam indeks" not in known
    amended = amended_pasal(["UU 3/2014 Pasal 106"])["UU 3/2014"]
    status, note = catalog.pasal_status("UU 3/2014", "106", amended)
    assert status == "diubah" and "UU 11/2020 Pasal 44" in note and "UU 6/2023" in note
    # Revoked outright by the instrument now in force: it is named once, as the revoking one.
    _, note = catalog.pasal_status("PP 142/2015", "36")
    assert note.count("PP 20/2024") == 2 and "Teks PP 20/2024 tidak ada dalam indeks" in note
