"""Each OCR rule on short snippets taken from the corpus."""

from assistant.ingest import ocr


def test_caret_marks_are_removed():
    assert ocr.remove_caret_marks("Dalam Peraturan Pemerintah ini ^yang ^dimaksud ^dengan:") == (
        "Dalam Peraturan Pemerintah ini yang dimaksud dengan:"
    )


def test_page_headers_with_page_numbers_are_removed():
    text = "ayat (2).\nPRES I DEN REPUELIK INDONESIA _16_ Pasal 86 Cukup jelas"
    assert ocr.remove_page_headers(text) == "ayat (2).\nPasal 86 Cukup jelas"
    assert ocr.remove_page_headers("Yang PRESIDEN REPUBUK INDONESIA -280 - Ayat (1)") == "Yang Ayat (1)"
    assert ocr.remove_page_headers("PRES I DEN REPUBLIK INDONESIA -10- Bagian") == "Bagian"


def test_signature_block_is_not_a_page_header():
    text = "Ditetapkan di Jakarta PRESIDEN REPUBLIK INDONESIA, ttd JOKO WIDODO"
    assert ocr.remove_page_headers(text) == text


def test_sheet_numbers_are_removed():
    assert ocr.remove_sheet_numbers("lain. SK No 050688 A (5) Ketentuan") == "lain. (5) Ketentuan"


def test_years_with_letter_lookalikes():
    assert ocr.fix_year_numbers("Nomor 3 Tahun 2OI4 tentang") == "Nomor 3 Tahun 2014 tentang"
    assert ocr.fix_year_numbers("Tahun 2Ol4 Nomor 4") == "Tahun 2014 Nomor 4"
    assert ocr.fix_year_numbers("NOMOR 28 TAHUN 2O2I TENTANG") == "NOMOR 28 TAHUN 2021 TENTANG"


def test_ayat_markers_with_misread_parenthesis():
    assert ocr.fix_ayat_numbers("(21 Pengawasan dan pengendalian") == "(2) Pengawasan dan pengendalian"
    assert ocr.fix_ayat_numbers("pada ayat (41 dilakukan") == "pada ayat (4) dilakukan"
    assert ocr.fix_ayat_numbers("ayat (21tercantum dalam Lampiran") == "ayat (2)tercantum dalam Lampiran"
    assert ocr.fix_ayat_numbers("Pasal 48 (l) Menteri") == "Pasal 48 (1) Menteri"
    assert ocr.fix_ayat_numbers("l2l Dalam hal") == "(2) Dalam hal"
    assert ocr.fix_ayat_numbers("Ayat (1 1) Cukup jelas.") == "Ayat (11) Cukup jelas."


def test_an_opening_parenthesis_read_as_one_after_the_previous_ayat():
    text = "(1) Bantuan diberikan kepada koperasi.\n12) Bantuan sebagaimana dimaksud pada ayat (1) berupa modal."
    assert ocr.fix_paren_read_as_one(text).splitlines()[1].startswith("(2) Bantuan sebagaimana")
    inline = "(2) Izin diberikan oleh bupati; (3) Izin berlaku lima tahun. 14) Izin dapat diperpanjang."
    assert ocr.fix_paren_read_as_one(inline).endswith("(4) Izin dapat diperpanjang.")


def test_list_items_numbered_with_a_parenthesis_stay():
    listed = "a. jenis usaha:\n11) kerajinan;\n12) Makanan olahan."
    assert ocr.fix_paren_read_as_one(listed) == listed
    unrelated = "(1) Bantuan diberikan.\n13) Menteri menetapkan."  # not the ayat after (1)
    assert ocr.fix_paren_read_as_one(unrelated) == unrelated


def test_repairs_are_counted_per_rule():
    counts = ocr.repair_counts("Pasal 3O\n(1) ^Setiap ^orang wajib.\n12) Setiap orang dilarang.\n")
    assert counts["remove_caret_marks"] == 1 and counts["fix_paren_read_as_one"] == 1
    assert counts["fix_pasal_numbering"] == 1 and "remove_page_headers" not in counts


def test_real_ayat_numbers_are_kept():
    assert ocr.fix_ayat_numbers("(11) Ketentuan lebih lanjut") == "(11) Ketentuan lebih lanjut"
    assert ocr.fix_ayat_numbers("paling sedikit 5 (lima) unit") == "paling sedikit 5 (lima) unit"


def test_pasal_numbering_lookalikes():
    assert ocr.fix_pasal_numbering("Pasal 3O Cukup jelas.") == "Pasal 30 Cukup jelas."
    assert ocr.fix_pasal_numbering("Pasal lOl Cukup jelas.") == "Pasal 101 Cukup jelas."
    assert ocr.fix_pasal_numbering("Pasai 4 1 (1) Setiap orang") == "Pasal 4 1 (1) Setiap orang"
    assert ocr.fix_pasal_numbering("Pasal I 13 Peraturan") == "Pasal 1 13 Peraturan"
    assert ocr.fix_pasal_numbering("Pasa1 106 Cukup jelas.") == "Pasal 106 Cukup jelas."


def test_lookalikes_outside_pasal_numbering_are_untouched():
    assert ocr.fix_pasal_numbering("Ketentuan Lembaran Negara Nomor 5a9") == "Ketentuan Lembaran Negara Nomor 5a9"


def test_split_pasal_numbers_are_joined_conservatively():
    assert ocr.join_split_pasal_numbers("Pasal 2 1 (1) Pemerintah") == "Pasal 21 (1) Pemerintah"
    assert ocr.join_split_pasal_numbers("Pasal 1 1 Ayat (1) Yang dimaksud") == "Pasal 11 Ayat (1) Yang dimaksud"
    assert ocr.join_split_pasal_numbers("Pasal 1 17 (1) Pemerintah Pusat") == "Pasal 117 (1) Pemerintah Pusat"
    # a list item after the heading, and a reference, stay as they are
    assert ocr.join_split_pasal_numbers("Pasal 1 1. Industri adalah") == "Pasal 1 1. Industri adalah"
    assert ocr.join_split_pasal_numbers("Pasal 5 ayat (2)") == "Pasal 5 ayat (2)"


def test_broken_hyphenation():
    assert ocr.fix_broken_hyphenation("satu Undang- Undang secara") == "satu Undang-Undang secara"
    assert ocr.fix_broken_hyphenation("Pasal 14 Undang -Undang Nomor 3") == "Pasal 14 Undang-Undang Nomor 3"
    assert ocr.fix_broken_hyphenation("sektor perindus- trian") == "sektor perindustrian"
    assert ocr.fix_broken_hyphenation("prinsip- prinsip pembangunan") == "prinsip-prinsip pembangunan"
    assert ocr.fix_broken_hyphenation("peraturan perundang- undangan.") == "peraturan perundang-undangan."


def test_duplicated_heading_lines_are_dropped():
    assert ocr.drop_prefix_lines("Pasal 57\nPasal 57 (1) Penerapan SNI") == "Pasal 57 (1) Penerapan SNI"
    assert ocr.drop_prefix_lines("10. Ketentuan\n10. Ketentuan Pasal 104") == "10. Ketentuan Pasal 104"
    # "Pasal 1" is not a duplicate of "Pasal 10"
    assert ocr.drop_prefix_lines("Pasal 1\nPasal 10 Cukup") == "Pasal 1\nPasal 10 Cukup"


def test_duplicated_title_phrases_are_collapsed():
    assert ocr.collapse_repeated_phrases(
        "UNDANG-UNDANG REPUBLIK INDONESIA UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 3 TAHUN 2014\n"
    ) == "UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 3 TAHUN 2014\n"
    assert ocr.collapse_repeated_phrases("Paragraf 8 Paragraf 8 Perdagangan\n") == "Paragraf 8 Perdagangan\n"
    assert ocr.collapse_repeated_phrases("3. Pemberdayaan 3. Pemberdayaan Industri adalah\n") == (
        "3. Pemberdayaan Industri adalah\n"
    )
    assert ocr.collapse_repeated_phrases("1 2 3 4 5 1 2 3 4 5\n") == "1 2 3 4 5 1 2 3 4 5\n"
    assert ocr.collapse_repeated_phrases("a. koperasi;\nb. pelatihan b. pelatihan tenaga kerja; dan\n") == (
        "a. koperasi;\nb. pelatihan tenaga kerja; dan\n"
    )
    assert ocr.collapse_repeated_phrases("b. a. b. a. c\n") == "b. a. b. a. c\n"  # markers only: not text


def test_repair_composes_rules():
    raw = "PRES I DEN REPUELIK INDONESIA -12- Pasal 2O\nPasal 20\n(l) Setiap ^orang (21 wajib"
    assert ocr.repair(raw) == "Pasal 20\n(1) Setiap orang (2) wajib\n"


def test_normalize_for_match():
    assert ocr.normalize_for_match("Dalam ^Peraturan\n  Pemerintah") == "dalam peraturan pemerintah"


def test_running_headers_in_any_ocr_spelling_are_removed_and_legal_phrases_kept():
    for noisy in ("FRESIDEH REFUEUK INDONESIA -557-", "PRE S IDEN REPUBLIK INDONESIA", "FRES!DEN REPUBUK INDONESIA",
                  "' ^pREsroEN REPUBLIK INDONESIA", "PRESIDEN REPUELIK INDONESIA _t4l_", "PRESIDEN REPUBLIK INDONESIA -7-"):
        assert ocr.remove_page_headers(f"sanksi teguran; {noisy} (5) Sanksi denda") == "sanksi teguran; (5) Sanksi denda"
    for legal in ("DAN PRESIDEN REPUBLIK INDONESIA MEMUTUSKAN:", "PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 7",
                  "LEMBARAN NEGARA REPUBLIK INDONESIA TAHUN 2030", "oleh Presiden Republik Indonesia yang memegang",
                  "MAHA ESA PRESIDEN REPUBLIK INDONESIA, Menimbang"):
        assert ocr.remove_page_headers(legal) == legal
