"""Identity read from the documents' own headings."""

import pytest
from conftest import REGULATIONS, SEED, require_shared

from assistant.ingest.identity import read_identity, title_case

EXPECTED = {
    "uu-3-2014.md": ("UU 3/2014", "UU", "3", "2014", "Perindustrian"),
    "uu-23-2014.md": ("UU 23/2014", "UU", "23", "2014", "Pemerintahan Daerah"),
    "pp-14-2015.md": ("PP 14/2015", "PP", "14", "2015", "Rencana Induk Pembangunan Industri Nasional Tahun 2015-2035"),
    "pp-29-2018.md": ("PP 29/2018", "PP", "29", "2018", "Pemberdayaan Industri"),
    "pp-142-2015.md": ("PP 142/2015", "PP", "142", "2015", "Kawasan Industri"),
    "pp-28-2021.md": ("PP 28/2021", "PP", "28", "2021", "Penyelenggaraan Bidang Perindustrian"),
    "uu-11-2020.md": ("UU 11/2020", "UU", "11", "2020", "Cipta Kerja"),
}


def _fields(identity):
    return identity.regulation, identity.type, identity.number, identity.year, identity.title


def test_heading_with_ocr_noise_in_year():
    text = "Menimbang Menimbang PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 28 TAHUN 2O2I TENTANG PENYELENGGARAAN BIDANG PERINDUSTRIAN\nDENGAN RAHMAT"
    assert _fields(read_identity(text, "x.md")) == ("PP 28/2021", "PP", "28", "2021", "Penyelenggaraan Bidang Perindustrian")


def test_punctuation_after_nomor():
    dotted = "UNDANG-UNDANG REPUBLIK INDONESIA NOMOR.7 TAHUN 2011 TENTANG MATA UANG\n"
    colon = "PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR : 5 TAHUN 2019 TENTANG CONTOH\n"
    assert read_identity(dotted, "a").regulation == "UU 7/2011"
    assert read_identity(colon, "b").regulation == "PP 5/2019"


def test_other_regulation_types():
    perppu = "PERATURAN PEMERINTAH PENGGANTI UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 2 TAHUN 2022 TENTANG CIPTA KERJA\n"
    perpres = "PERATURAN PRESIDEN REPUBLIK INDONESIA NOMOR 74 TAHUN 2022 TENTANG KEBIJAKAN INDUSTRI NASIONAL\n"
    permen = "PERATURAN MENTERI PERINDUSTRIAN REPUBLIK INDONESIA NOMOR 64 TAHUN 2016 TENTANG BESARAN JUMLAH TENAGA KERJA\n"
    assert read_identity(perppu, "a").regulation == "Perppu 2/2022"
    assert read_identity(perpres, "b").regulation == "Perpres 74/2022"
    assert read_identity(permen, "c").regulation == "Permen 64/2016"


def test_title_case_keeps_acronyms_and_function_words():
    assert title_case("PEMBANGUNAN SENTRA IKM DALAM RANGKA PEMBERDAYAAN INDUSTRI") == (
        "Pembangunan Sentra IKM dalam Rangka Pemberdayaan Industri"
    )


def test_document_without_regulation_heading():
    identity = read_identity("PANDUAN SENTRA IKM\nIsi dokumen.", "panduan.txt")
    assert (identity.type, identity.regulation, identity.title) == ("Dokumen", "Panduan Sentra IKM", "Panduan Sentra IKM")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_regulations(name):
    require_shared()
    identity = read_identity((REGULATIONS / name).read_text(encoding="utf-8"), name)
    assert _fields(identity) == EXPECTED[name]


def test_real_seed_document():
    require_shared()
    identity = read_identity(SEED.read_text(encoding="utf-8"), SEED.name)
    assert identity.type == "Dokumen"
    assert identity.regulation == identity.title == "Pembangunan Sentra IKM dalam Rangka Pemberdayaan Industri"
