"""What the answer backends are given and compose: pure functions, on invented citations."""

from __future__ import annotations

from dataclasses import replace

from assistant.answering.backends import compose_extractive, llm_context
from assistant.records import Citation


def citation(pasal: str, quote: str, status: str = "berlaku", note: str = "", role: str = "") -> Citation:
    return Citation(regulation="PP 9/2099", type="PP", number="9", year="2099", title="Koperasi Industri", pasal=pasal,
                    ayat="", status=status, quote=quote, passage_id=pasal, status_note=note, role=role)


def test_the_llm_reads_each_quote_under_its_label_with_the_status_of_a_revoked_one():
    context = llm_context([citation("4", "Koperasi wajib melapor."),
                           citation("7", "Izin berlaku lima tahun.", "dicabut", "Dicabut oleh PP 1/2100.")])
    first, second = context.split("\n\n")
    assert first == "[Pasal 4 PP No. 9 Tahun 2099 tentang Koperasi Industri]\nKoperasi wajib melapor."
    assert second.startswith("[Pasal 7 PP No. 9 Tahun 2099 tentang Koperasi Industri; status: dicabut. Dicabut oleh")


def test_an_exception_follows_its_rule_in_the_lead():
    text = compose_extractive([citation("4", "Koperasi wajib melapor."),
                               citation("4", "Koperasi kecil dikecualikan.", role="pengecualian")])
    assert text.startswith("Pada dasarnya, menurut **Pasal 4")
    assert "kecuali, menurut **Pasal 4" in text


def test_a_flattened_lampiran_table_is_shown_a_row_per_line_under_its_table():
    from assistant.answering.citations import lampiran_part, table_rows

    text = ("Program tercantum pada Tabel 3.1 sampai dengan Tabel 3.2. Tabel 3.2 Program Koperasi Tahap I Tahap II "
            "1. Pemetaan potensi 2. Penyusunan rencana 3. Pembangunan gudang 1. Pengadaan lahan 2. Pembinaan "
            "B. Sasaran sebanyak 5. Dalam hal itu")
    quote = "… 2. Penyusunan rencana 3. Pembangunan gudang 1. Pengadaan lahan …"
    assert lampiran_part(text, quote) == "Tabel 3.2"  # the caption before the quote, not the reference
    assert lampiran_part(text, "Program tercantum pada Tabel 3.1") == ""
    # Each column's run of rows under its head: the second run does not read as the first repeated.
    assert table_rows(text)[1:] == ["Tabel 3.2 Program Koperasi", "Tahap I:", "1. Pemetaan potensi",
                                    "2. Penyusunan rencana", "3. Pembangunan gudang", "Tahap II:", "1. Pengadaan lahan",
                                    "2. Pembinaan B. Sasaran sebanyak 5. Dalam hal itu"]
    # Heads that do not match the runs (a page break repeats them, a column is empty) are left alone.
    uneven = "Tabel 3.3 Program Gudang Periode 2015-2019 Periode 2020-2035 1. Pemetaan gudang 2. Pembangunan gudang"
    assert table_rows(uneven) == ["Tabel 3.3 Program Gudang Periode 2015-2019 Periode 2020-2035",
                                  "1. Pemetaan gudang", "2. Pembangunan gudang"]
    shown = compose_extractive([replace(citation("", quote), pasal="Lampiran", kind="lampiran")])
    # Escaped numbers: Markdown would renumber the rows as one list; hard breaks keep a row per line.
    assert "> … 2\\. Penyusunan rencana  \n> 3\\. Pembangunan gudang  \n> 1\\. Pengadaan lahan …" in shown


def test_ayat_of_one_pasal_are_quoted_together_under_one_citation():
    def ayat(pasal, number, quote, role="", point=""):
        return replace(citation(pasal, quote, role=role), ayat=number, point=point)

    text = compose_extractive([ayat("8", "1", "(1) Koperasi dapat membeli mesin."),
                               ayat("12", "2", "(2) Mesin diasuransikan."),
                               ayat("8", "2", "(2) Pembelian dilakukan melalui lelang atau sewa beli."),
                               ayat("8", "3", "(3) Bantuan diberikan kepada Koperasi kecil.", point="huruf a")])
    lead, _, related = text.partition("Ketentuan terkait:")
    # The strongest ayat first, the others of its pasal after it in the order they were ranked.
    assert lead.startswith("**Pasal 8 ayat (1), ayat (2), dan ayat (3) huruf a PP 9/2099**:")
    assert lead.index("membeli mesin") < lead.index("lelang") < lead.index("Koperasi kecil")
    assert "Pasal 12 ayat (2)" in related and "Pasal 8" not in related
    # An exception still follows its rule at once; the rest of the pasal comes among the related.
    text = compose_extractive([ayat("8", "1", "(1) Koperasi wajib melapor."),
                               ayat("8", "3", "(3) Koperasi rumahan dikecualikan.", role="pengecualian"),
                               ayat("8", "2", "(2) Laporan memuat omzet.")])
    lead, _, related = text.partition("Ketentuan terkait:")
    assert lead.startswith("Pada dasarnya, menurut **Pasal 8 ayat (1) PP")
    assert lead.index("wajib melapor") < lead.index("kecuali, menurut **Pasal 8 ayat (3)")
    assert "Pasal 8 ayat (2)" in related
    # A whole pasal and one of its ayat, or parts of different regulations, stay apart.
    apart = compose_extractive([citation("8", "Koperasi wajib melapor."), ayat("8", "2", "(2) Laporan memuat omzet."),
                                replace(ayat("8", "1", "(1) Lain."), regulation="PP 3/2098", number="3", year="2098")])
    assert apart.count("**Pasal 8") == 3


def test_each_regulation_is_titled_once_below_the_quotes():
    other = replace(citation("2", "Bengkel wajib berizin."), regulation="UU 5/2098", type="UU", number="5", year="2098", title="Bengkel")
    text = compose_extractive([citation("4", "Koperasi wajib melapor."), citation("7", "Laporan tahunan."), other])
    assert text.startswith("**Pasal 4 PP 9/2099**:")  # the heading names in short, the title waits
    assert "- **Pasal 2 UU 5/2098**:" in text
    assert text.endswith("Peraturan yang dikutip: PP 9/2099 (PP No. 9 Tahun 2099 tentang Koperasi Industri); "
                         "UU 5/2098 (Undang-Undang No. 5 Tahun 2098 tentang Bengkel).")
    assert text.count("tentang Koperasi Industri") == 1

