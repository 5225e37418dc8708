"""Structure parsing: synthetic regulation texts and the seven real corpus files."""

import re

import pytest
from conftest import REGULATIONS, SEED, require_shared

from assistant.config import PROJECT_ROOT
from assistant.ingest.catalog import Catalog
from assistant.parse.pasal_chain import best_chain, find_candidates, number_readings
from assistant.parse.structure import amended_law, caps_heading, parse_document
from assistant.records import SourceDocument

EXPECTED_PASAL = {
    "uu-3-2014.md": 125,
    "uu-23-2014.md": 411,
    "pp-14-2015.md": 9,
    "pp-29-2018.md": 113,
    "pp-142-2015.md": 74,
    "pp-28-2021.md": 175,
    "uu-11-2020.md": 186,
}

SAMPLE = """PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 7 TAHUN 2020 TENTANG CONTOH INDUSTRI
DENGAN RAHMAT TUHAN YANG MAHA ESA
Menimbang : bahwa untuk melaksanakan ketentuan Pasal 9 ayat (5) Undang-Undang Nomor 3 Tahun 2014;
Mengingat : Pasal 5 ayat (2) Undang-Undang Dasar Negara Republik Indonesia Tahun 1945;
MEMUTUSKAN: Menetapkan : PERATURAN PEMERINTAH TENTANG CONTOH INDUSTRI.
BAB I KETENTUAN UMUM
Pasal 1
Dalam Peraturan Pemerintah ini yang dimaksud dengan Industri adalah kegiatan ekonomi.
BAB II SENTRA IKM
Bagian Kesatu Umum
Pasal 2
(1) Sentra IKM sebagaimana dimaksud dalam Pasal 1 dibangun oleh Pemerintah.
(2) Pembangunan sebagaimana dimaksud pada ayat (1) dilakukan sesuai Pasal 13 huruf a. Pasal 3 (1) Pemerintah Daerah membina Sentra IKM.
(2) Pembinaan sebagaimana dimaksud pada ayat (1) diatur dalam Pasal 2 ayat (2).
Pasal 4
Pasal 4
Peraturan Pemerintah ini mulai berlaku pada tanggal diundangkan.
Agar setiap orang mengetahuinya, memerintahkan pengundangan Peraturan Pemerintah ini.
PENJELASAN ATAS PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 7 TAHUN 2020 TENTANG CONTOH INDUSTRI
I. UMUM Industri merupakan pilar ekonomi.
II. PASAL DEMI PASAL
Pasal 1 Cukup jelas.
Pasal 2 Ayat (1) Yang dimaksud dengan "Pemerintah" adalah Pemerintah Pusat. Ayat (2) Cukup jelas.
Pasal 3 Cukup jelas.
Pasal 4 Cukup jelas.
"""


def parse(text: str, name: str = "contoh.md", **kwargs):
    return parse_document(SourceDocument(name, name, text), **kwargs)


def test_sample_pasal_headings_ignore_references():
    parsed = parse(SAMPLE)
    assert parsed.pasal == ["1", "2", "3", "4"]
    assert parsed.identity.regulation == "PP 7/2020"


def test_sample_hierarchy_and_ayat():
    parsed = parse(SAMPLE)
    pasal2 = [p for p in parsed.passages if p.kind == "pasal" and p.pasal == "2"]
    assert pasal2[0].hierarchy == ("BAB II SENTRA IKM", "Bagian Kesatu Umum")
    assert (pasal2[0].ayat_start, pasal2[-1].ayat_end) == ("1", "2")
    assert pasal2[0].heading == "PP 7/2020 Pasal 2"
    assert pasal2[0].text.startswith("(1) Sentra IKM")
    pasal3 = next(p for p in parsed.passages if p.kind == "pasal" and p.pasal == "3")
    assert pasal3.text.startswith("(1) Pemerintah Daerah")


def test_sample_duplicate_heading_is_one_pasal():
    parsed = parse(SAMPLE)
    pasal4 = [p for p in parsed.passages if p.kind == "pasal" and p.pasal == "4"]
    assert [p.text for p in pasal4] == ["Peraturan Pemerintah ini mulai berlaku pada tanggal diundangkan."]


def test_sample_penjelasan_is_attached():
    parsed = parse(SAMPLE)
    penjelasan = {p.pasal: p.text for p in parsed.passages if p.kind == "penjelasan"}
    assert penjelasan[""].startswith("PENJELASAN ATAS")
    assert "Pemerintah Pusat" in penjelasan["2"]
    assert penjelasan["3"] == "Cukup jelas."


def test_sample_spans_match_cleaned_text():
    parsed = parse(SAMPLE)
    for passage in parsed.passages:
        assert parsed.cleaned_text[passage.char_start : passage.char_end] == passage.text


def test_long_pasal_is_split_within_budget_with_ayat_ranges():
    ayat = " ".join(f"({n}) " + "Pemerintah Pusat melakukan pembinaan Sentra IKM secara berkelanjutan. " * 8 for n in range(1, 9))
    text = f"Pasal 1\n{ayat}\nPasal 2\nSelesai."
    parsed = parse(text, max_tokens=120)
    splits = [p for p in parsed.passages if p.pasal == "1"]
    assert len(splits) > 1
    assert all(p.heading == "Dokumen Pasal 1" or p.heading.endswith("Pasal 1") for p in splits)
    assert all(len(p.text.split()) * 1.5 <= 120 for p in splits)
    assert splits[0].ayat_start == "1" and splits[-1].ayat_end == "8"


def test_a_split_list_of_definitions_keeps_each_number_with_its_definition():
    entries = " ".join(f"{n}. Istilah Ke{n} adalah pengertian nomor {n} dalam peraturan contoh ini untuk IKM." for n in range(1, 13))
    parsed = parse(f"Pasal 1\nDalam Peraturan Pemerintah ini yang dimaksud dengan: {entries}\nPasal 2\nSelesai.", max_tokens=60)
    splits = [p for p in parsed.passages if p.pasal == "1"]
    assert len(splits) > 2
    assert not any(re.search(r"\s\d{1,3}\.$", p.text.rstrip()) for p in splits)  # no number left behind
    assert all(re.match(r"\d{1,3}\. Istilah", p.text) for p in splits[1:])


def test_custom_token_counter():
    text = "Pasal 1\n(1) satu dua tiga.\n(2) empat lima enam.\nPasal 2\nSelesai."
    parsed = parse(text, count_tokens=lambda s: len(s), max_tokens=25)
    assert [(p.ayat_start, p.ayat_end) for p in parsed.passages if p.pasal == "1"] == [("1", "1"), ("2", "2")]


def test_ids_are_stable_and_unique():
    first, second = parse(SAMPLE), parse(SAMPLE)
    assert [p.id for p in first.passages] == [p.id for p in second.passages]
    assert len({p.id for p in first.passages}) == len(first.passages)


def test_split_number_readings():
    assert number_readings("2 1") == [2, 21]
    assert number_readings("1 I 1") == [1, 11, 111]


def test_chain_resolves_split_numbers_by_sequence():
    text = "\n".join(f"Pasal {n}\nIsi pasal." for n in range(1, 11)) + "\nPasal 1 1\nIsi pasal.\nPasal 12\nIsi."
    assert [c.label for c in best_chain(find_candidates(text))] == [str(n) for n in range(1, 13)]


def test_amended_law_id():
    assert amended_law("beberapa ketentuan dalam Undang-Undang 3 Tahun 2014 tentang Perindustrian") == "UU 3/2014"


def test_amending_articles_are_recorded():
    text = (
        "UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 9 TAHUN 2021 TENTANG CONTOH\n"
        "Pasal 1\nDalam Undang-Undang ini yang dimaksud dengan Industri adalah kegiatan ekonomi.\n"
        "Pasal 2\nBeberapa ketentuan dalam Undang-Undang Nomor 3 Tahun 2014 tentang Perindustrian diubah sebagai berikut:\n"
        "1. Ketentuan Pasal 15 diubah sehingga berbunyi sebagai berikut:\nPasal 15\nPembangunan sumber daya Industri.\n"
        "2. Di antara Pasal 48 dan Pasal 49 disisipkan 1 (satu) pasal, yakni Pasal 48A sehingga berbunyi sebagai berikut: "
        "Pasal 48A (1) Pemerintah Pusat memberikan kemudahan.\n"
        "3. Pasal 102 dihapus.\n"
        "Pasal 3\nUndang-Undang ini mulai berlaku pada tanggal diundangkan.\n"
    )
    parsed = parse(text)
    assert parsed.pasal == ["1", "2", "3"]
    amends = {p.amends: p for p in parsed.passages if p.amends}
    assert set(amends) == {"UU 3/2014 Pasal 15", "UU 3/2014 Pasal 48A", "UU 3/2014 Pasal 102"}
    assert all(p.pasal == "2" and p.regulation == "UU 9/2021" for p in amends.values())
    assert "Pasal 48A" in amends["UU 3/2014 Pasal 48A"].heading


def test_plain_document_sections():
    text = "PANDUAN SENTRA IKM\nLANDASAN HUKUM PEMBANGUNAN SENTRA IKM UU No. 3 tahun 2014.\nPRINSIP PEMBANGUNAN Ramah lingkungan.\n"
    parsed = parse(text, "panduan.txt")
    assert [p.kind for p in parsed.passages] == ["section", "section"]
    assert all(p.pasal == "-" for p in parsed.passages)
    assert parsed.passages[0].heading.endswith("LANDASAN HUKUM PEMBANGUNAN SENTRA IKM")


def test_caps_heading():
    assert caps_heading("UU NO. 23 TAHUN 2014 TENTANG PEMERINTAHAN DAERAH Berkaitan dengan") == (
        "UU NO. 23 TAHUN 2014 TENTANG PEMERINTAHAN DAERAH"
    )
    assert caps_heading("Sentra IKM adalah sekelompok") == ""


# -- real corpus ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    require_shared()
    catalog = Catalog.load(PROJECT_ROOT / "corpus" / "catalog.toml")
    parsed = {
        name: parse_document(SourceDocument(str(REGULATIONS / name), name, (REGULATIONS / name).read_text("utf-8")), catalog)
        for name in EXPECTED_PASAL
    }
    return parsed  # parse speed is measured by bench/parse_speed.py, not asserted


@pytest.mark.parametrize("name", sorted(EXPECTED_PASAL))
def test_real_top_level_pasal_exact(real, name):
    parsed = real
    assert parsed[name].pasal == [str(n) for n in range(1, EXPECTED_PASAL[name] + 1)]


@pytest.mark.parametrize(
    "name,regulation,title",
    [
        ("uu-3-2014.md", "UU 3/2014", "Perindustrian"),
        ("uu-23-2014.md", "UU 23/2014", "Pemerintahan Daerah"),
        ("pp-14-2015.md", "PP 14/2015", "Rencana Induk Pembangunan Industri Nasional Tahun 2015-2035"),
        ("pp-29-2018.md", "PP 29/2018", "Pemberdayaan Industri"),
        ("pp-142-2015.md", "PP 142/2015", "Kawasan Industri"),
        ("pp-28-2021.md", "PP 28/2021", "Penyelenggaraan Bidang Perindustrian"),
        ("uu-11-2020.md", "UU 11/2020", "Cipta Kerja"),
    ],
)
def test_real_identity(real, name, regulation, title):
    parsed = real
    identity = parsed[name].identity
    assert (identity.regulation, identity.title) == (regulation, title)
    assert {p.regulation for p in parsed[name].passages} == {regulation}


def test_real_seed_sections():
    require_shared()
    catalog = Catalog.load(PROJECT_ROOT / "corpus" / "catalog.toml")
    parsed = parse_document(SourceDocument(str(SEED), SEED.name, SEED.read_text("utf-8")), catalog)
    assert parsed.identity.regulation == "Paparan Pembangunan Sentra IKM (seed)"
    assert parsed.identity.title == "Pembangunan Sentra IKM dalam Rangka Pemberdayaan Industri"
    assert parsed.pasal == []
    headings = [p.heading for p in parsed.passages]
    assert {p.kind for p in parsed.passages} == {"section"} and len(headings) >= 4
    assert any(h.endswith("PRINSIP-PRINSIP PEMBANGUNAN SENTRA IKM") for h in headings)


@pytest.mark.parametrize(
    "name,pasal,phrase",
    [
        ("pp-28-2021.md", "3", "Fly Ash, Bottom Ash"),
        ("pp-29-2018.md", "5", "Sentra IKM meliputi pula sentra Industri kreatif"),
        ("uu-3-2014.md", "62", "memprioritaskan program penyediaan infrastruktur"),
        ("pp-142-2015.md", "40", "Kegiatan Logistik Barang"),
    ],
)
def test_real_penjelasan_attached_to_pasal(real, name, pasal, phrase):
    parsed = real
    texts = [p.text for p in parsed[name].passages if p.kind == "penjelasan" and p.pasal == pasal]
    assert any(phrase in text for text in texts)
    body = [p.text for p in parsed[name].passages if p.kind == "pasal" and p.pasal == pasal]
    assert body and not any(phrase in text for text in body)


def test_real_cipta_kerja_amends_perindustrian(real):
    parsed = real
    amending = [p for p in parsed["uu-11-2020.md"].passages if p.amends.startswith("UU 3/2014 ")]
    targets = {p.amends for p in amending}
    assert {"UU 3/2014 Pasal 15", "UU 3/2014 Pasal 48A", "UU 3/2014 Pasal 102", "UU 3/2014 Pasal 117"} <= targets
    assert {p.pasal for p in amending} == {"44"}
    assert all(p.regulation == "UU 11/2020" for p in amending)
    pasal15 = next(p for p in amending if p.amends == "UU 3/2014 Pasal 15")
    assert "Pasal 15" in pasal15.heading and "Pembangunan sumber daya Industri" in pasal15.text


def test_real_hierarchy(real):
    parsed = real
    pasal32 = next(p for p in parsed["pp-29-2018.md"].passages if p.kind == "pasal" and p.pasal == "32")
    assert pasal32.hierarchy[0] == "BAB III INDUSTRI HIJAU"


def test_real_passages_fit_budget_and_ids_unique(real):
    parsed = real
    for doc in parsed.values():
        assert len({p.id for p in doc.passages}) == len(doc.passages)
        assert all(len(p.text.split()) * 1.5 <= 351 for p in doc.passages)
        assert all(doc.cleaned_text[p.char_start : p.char_end] == p.text for p in doc.passages)
