"""Quote selection of the extractive backend: pure functions over passages, no index needed."""

from dataclasses import replace

from conftest import passage

from assistant.answering.extractive import QUOTE_WORDS, TABLE_WORDS, WINDOW_WORDS, select_quotes, with_current_wording
from assistant.parse.units import UNIT_BOUNDARY, split_units
from assistant.records import RetrievedPassage
from assistant.text.questions import question_parts
from assistant.text.term_weights import TermWeights

WEIGHTS = TermWeights({}, 100)  # every term equally rare


def test_an_item_number_at_a_line_end_stays_with_its_item():
    pieces = [p.strip() for p in UNIT_BOUNDARY.split("wawasan. 14.\nPemagangan adalah belajar. 15. Magang adalah x.") if p.strip()]
    assert pieces == ["wawasan.", "14.\nPemagangan adalah belajar.", "15. Magang adalah x."]


def test_a_definition_quote_does_not_run_into_the_next_definition():
    old = passage("p1", "PP 29/2018", "1", "8. Sentra IKM adalah sekelompok IKM dalam satu lokasi. 9. Kemitraan adalah kerja sama usaha.")
    quotes = select_quotes("apa itu sentra IKM", [RetrievedPassage(1, 1.0, old)], WEIGHTS)
    assert quotes[0].quote == "8. Sentra IKM adalah sekelompok IKM dalam satu lokasi."


def test_an_elucidation_quote_stops_at_the_heading_of_the_next_piece_it_explains():
    text = (
        "Ayat (1) Yang dimaksud dengan “balai mutu” adalah unit pengujian milik daerah. Balai itu melayani IKM. "
        "Ayat (2) Cukup jelas. Huruf a Yang dimaksud dengan “uji petik” adalah pengambilan contoh acak."
    )
    elucidation = replace(passage("e1", "PP 7/2030", "12", text), kind="penjelasan")
    quotes = select_quotes("apa yang dimaksud balai mutu", [RetrievedPassage(1, 1.0, elucidation)], WEIGHTS)
    assert quotes[0].quote == "Ayat (1) Yang dimaksud dengan “balai mutu” adalah unit pengujian milik daerah. Balai itu melayani IKM."


def test_an_amended_pasal_is_quoted_with_its_current_wording_first():
    old = passage("old", "UU 3/2014", "101", "(1) Setiap kegiatan usaha Industri wajib memiliki izin usaha Industri.")
    new = passage(
        "new",
        "UU 11/2020",
        "44",
        "Ketentuan Pasal 101 diubah sehingga berbunyi sebagai berikut: Pasal 101 (1) Setiap kegiatan usaha Industri "
        "wajib memenuhi Perizinan Berusaha dari Pemerintah Pusat.",
        amends="UU 3/2014 Pasal 101",
    )
    rewrites = {("UU 3/2014", "101"): [new]}
    relevant = lambda items: select_quotes("izin usaha industri", items, WEIGHTS)
    selections = select_quotes("izin usaha industri", [RetrievedPassage(2, 0.5, old)], WEIGHTS)
    current = with_current_wording(selections, lambda p: rewrites.get((p.regulation, p.pasal), []), relevant)
    assert [s.item.passage.id for s in current] == ["new", "old"]
    assert "Perizinan Berusaha dari Pemerintah Pusat" in current[0].quote
    assert current[0].item.rank == 2  # listed at the rank of the passage it supersedes
    # A rewrite already among the quotes is not added twice.
    both = select_quotes("izin usaha industri", [RetrievedPassage(1, 1.0, new), RetrievedPassage(2, 0.5, old)], WEIGHTS)
    again = with_current_wording(both, lambda p: rewrites.get((p.regulation, p.pasal), []), relevant)
    assert sorted(s.item.passage.id for s in again) == ["new", "old"]


def test_a_delegation_clause_is_not_quoted_before_the_provision_it_repeats():
    delegation = "Ketentuan lebih lanjut mengenai kemudahan impor bahan baku bagi IKM diatur dalam Peraturan Pemerintah."
    provision = "Pemerintah Pusat memberikan kemudahan impor bahan baku bagi IKM."
    items = [
        RetrievedPassage(1, 1.0, passage("later", "UU 11/2020", "95", delegation)),
        RetrievedPassage(2, 0.9, passage("rule", "UU 11/2020", "94", provision)),
    ]
    assert select_quotes("kemudahan impor bahan baku bagi IKM", items, WEIGHTS)[0].item.passage.id == "rule"


def test_the_regulation_a_question_names_leads_the_answer():
    items = [
        RetrievedPassage(1, 1.0, passage("pp", "PP 29/2018", "20", "Fasilitas bahan baku bagi IKM diberikan melalui kerja sama.")),
        RetrievedPassage(2, 0.9, passage("uu", "UU 11/2020", "94", "Pemerintah Pusat mempermudah impor bahan baku bagi IKM.")),
    ]
    question = "bahan baku IKM menurut UU Cipta Kerja"
    assert select_quotes(question, items, WEIGHTS)[0].item.passage.id == "pp"
    assert select_quotes(question, items, WEIGHTS, named="UU 11/2020")[0].item.passage.id == "uu"


def test_a_who_question_prefers_the_provision_that_names_the_agent():
    text = (
        "(1) Relokasi IKM yang mencemari lingkungan dapat diberikan fasilitas kawasan industri. "
        "(2) Fasilitas relokasi IKM sebagaimana dimaksud pada ayat (1) dilaksanakan oleh Pemerintah Daerah kabupaten/kota."
    )
    item = RetrievedPassage(1, 1.0, passage("p", "PP 29/2018", "30", text))
    assert select_quotes("relokasi IKM fasilitas", [item], WEIGHTS)[0].ayat == "1"
    assert select_quotes("siapa yang memberi fasilitas relokasi IKM", [item], WEIGHTS)[0].ayat == "2"


def test_a_short_flattened_table_is_quoted_whole_from_its_caption():
    filler = " ".join(f"{n}. Revitalisasi kawasan industri yang sudah beroperasi di luar Pulau Jawa" for n in range(1, 12))
    table = ("Tabel 4.2 Program Pengembangan Koperasi Tahap I Tahap II 1. Survey potensi 2. Pengadaan gudang oleh "
             "pemerintah provinsi untuk koperasi 3. Pembinaan koperasi 1. Pengadaan gudang 2. Pembinaan")
    text = f"{filler} {table} B. Sasaran Pengembangan Koperasi ditetapkan sebagai berikut"
    assert len(text.split()) > QUOTE_WORDS
    item = RetrievedPassage(1, 1.0, passage("lampiran", "PP 9/2099", "", text))
    quote = select_quotes("pengadaan gudang koperasi oleh pemprov", [item], WEIGHTS)[0].quote
    assert quote == f"… {table} …"  # from the caption to the next part's heading, not from a row


def test_a_long_flattened_table_is_quoted_where_it_answers_not_from_its_start():
    rows = " ".join(f"{n}. Revitalisasi kawasan industri yang sudah beroperasi di luar Pulau Jawa" for n in range(1, 20))
    table = f"Tabel 7.6 Program Pengembangan Sentra IKM {rows} 20. Pengadaan tanah oleh pemerintah kabupaten/kota untuk pembangunan sentra IKM 21. Pembinaan sentra IKM"
    assert len(table.split()) > TABLE_WORDS
    item = RetrievedPassage(1, 1.0, passage("lampiran", "PP 14/2015", "", table))
    quote = select_quotes("pengadaan tanah sentra IKM oleh pemkab", [item], WEIGHTS)[0].quote
    assert "20. Pengadaan tanah oleh pemerintah kabupaten/kota" in quote
    assert quote.startswith("… ") and quote.split()[1].endswith(".")  # starts at an item number
    assert len(quote.split()) <= WINDOW_WORDS + 2


def test_units_keep_their_ayat():
    item = RetrievedPassage(1, 1.0, passage("p", "PP 29/2018", "5", "(1) Satu: a. huruf a; b. huruf b. (2) Dua."))
    assert [(u.ayat, u.text) for u in split_units(item)] == [
        ("1", "(1) Satu:"),
        ("1", "a. huruf a;"),
        ("1", "b. huruf b."),
        ("2", "(2) Dua."),
    ]


def test_a_question_that_asks_two_things_is_split_into_its_parts():
    assert question_parts(
        "Desa kami belum punya gudang bahan baku. Gudangnya boleh dibangun di mana dan izinnya diterbitkan oleh siapa?"
    ) == ["Gudangnya boleh dibangun di mana", "izinnya diterbitkan oleh siapa?"]
    assert question_parts("Lembaga apa saja yang diperkuat, dan siapa yang melaksanakannya?") == [
        "Lembaga apa saja yang diperkuat",
        "siapa yang melaksanakannya?",
    ]
    # "dan" inside one question joins words, not questions.
    assert question_parts("Apa saja tugas dan wewenang camat?") == ["Apa saja tugas dan wewenang camat?"]
    assert question_parts("Mutu dan daya saing penenun bisa ditingkatkan dengan cara apa saja?") == [
        "Mutu dan daya saing penenun bisa ditingkatkan dengan cara apa saja?"
    ]


def test_each_part_of_a_two_part_question_gets_a_quote():
    text = (
        "(1) Lokasi klaster ditentukan dengan memperhatikan pemetaan potensi klaster daerah. "
        "(2) Lokasi klaster ditentukan dalam program klaster Pemerintah Pusat. "
        "(3) Lokasi klaster ditetapkan dengan memperhatikan strategi lokasi klaster. "
        "(4) Pemerintah Pusat wajib menyediakan lahan."
    )
    item = RetrievedPassage(1, 1.0, passage("p", "UU 11/2020", "89", text))
    other = RetrievedPassage(2, 0.9, passage("q", "UU 11/2020", "90", "Lokasi klaster ditentukan oleh Pemerintah Pusat."))
    question = "Lokasi klaster ditentukan bagaimana, dan bantuan apa yang wajib disediakan?"
    quotes = [s.quote for s in select_quotes(question, [item, other], WEIGHTS)]
    assert "(4) Pemerintah Pusat wajib menyediakan lahan." in quotes
    # Asked as one question, the provisions that match most of it are quoted instead.
    assert "(4) Pemerintah Pusat wajib menyediakan lahan." not in [
        s.quote for s in select_quotes("Bagaimana lokasi klaster ditentukan?", [item, other], WEIGHTS)
    ]


def test_the_asked_sentence_weighs_more_than_the_scene_it_is_set_in():
    scene = RetrievedPassage(1, 1.0, passage("scene", "UU 3/2014", "27", "Pembeli dari luar negeri dapat membeli bengkel tenun di sentra."))
    asked = RetrievedPassage(2, 0.9, passage("asked", "UU 3/2014", "103", "Industri kecil hanya dapat dimiliki warga negara Indonesia, tidak oleh warga asing."))
    question = "Seorang pembeli dari luar negeri ingin membeli bengkel tenun di sentra kami. Bolehkah usaha industri kecil dimiliki warga asing?"
    assert question_parts(question) == ["Bolehkah usaha industri kecil dimiliki warga asing?"]
    assert select_quotes(question, [scene, asked], WEIGHTS)[0].item.passage.id == "asked"
    # Without a scene, every word of the question counts alike.
    assert WEIGHTS.focused("Bolehkah usaha industri kecil dimiliki warga asing?") is WEIGHTS


def test_an_obligation_is_quoted_with_the_exceptions_its_pasal_makes():
    from assistant.answering.extractive import with_exceptions

    text = (
        "(1) Setiap pengrajin wajib mendaftarkan bengkelnya di kecamatan. "
        "(2) Pendaftaran sebagaimana dimaksud pada ayat (1) dilakukan secara daring. "
        "(3) Kewajiban sebagaimana dimaksud pada ayat (1) dikecualikan bagi pengrajin yang: "
        "a. bekerja di rumah sendiri; atau b. mempekerjakan kurang dari 3 orang. "
        "(4) Ketentuan sebagaimana dimaksud pada ayat (2) tidak berlaku bagi desa tanpa jaringan internet."
    )
    item = RetrievedPassage(1, 1.0, passage("bengkel", "PP 1/2030", "7", text))
    rule = select_quotes("apakah pengrajin wajib mendaftarkan bengkel", [item], WEIGHTS)[:1]
    assert rule[0].ayat == "1"
    quoted = with_exceptions(rule)
    # The exception to ayat (1), with its list; not the one that qualifies ayat (2).
    assert [(s.ayat, s.role) for s in quoted] == [("1", ""), ("3", "pengecualian")]
    assert "b. mempekerjakan kurang dari 3 orang" in quoted[1].quote


def test_an_exception_already_quoted_moves_up_beside_its_rule():
    from assistant.answering.extractive import Selection, with_exceptions

    text = "(1) Setiap toko wajib tutup pukul 22.00. (2) Kewajiban sebagaimana dimaksud pada ayat (1) dikecualikan bagi apotek."
    item = RetrievedPassage(1, 1.0, passage("toko", "PP 2/2030", "3", text))
    other = RetrievedPassage(2, 0.5, passage("lain", "PP 2/2030", "9", "(1) Toko membayar retribusi."))
    chosen = [Selection(item, "1", "(1) ...", 0.9), Selection(other, "1", "(1) Toko ...", 0.5), Selection(item, "2", "(2) ...", 0.4)]
    ordered = with_exceptions(chosen)
    assert [(s.item.passage.id, s.ayat, s.role) for s in ordered] == [
        ("toko", "1", ""),
        ("toko", "2", "pengecualian"),
        ("lain", "1", ""),
    ]


def test_the_answer_leads_with_the_rule_and_its_exception_and_says_status_at_the_quote():
    from assistant.answering.backends import compose_extractive
    from assistant.records import Citation

    def cite(ayat, quote, role="", status="berlaku", note=""):
        return Citation("PP 1/2030", "PP", "1", "2030", "Bengkel", "7", ayat, status, quote, "x", status_note=note, role=role)

    note = "PP 1/2030 telah dicabut oleh PP 9/2031."
    text = compose_extractive(
        [
            cite("1", "(1) Setiap pengrajin wajib mendaftar.", status="dicabut", note=note),
            cite("3", "(3) ... dikecualikan bagi pengrajin rumahan.", role="pengecualian", status="dicabut", note=note),
            cite("5", "(5) Pendaftaran gratis.", status="dicabut", note=note),
        ]
    )
    lead, _, rest = text.partition("Ketentuan terkait:")
    assert lead.startswith("Pada dasarnya, menurut **Pasal 7 ayat (1)")
    assert lead.index("wajib mendaftar") < lead.index("kecuali, menurut **Pasal 7 ayat (3)") < lead.index("rumahan")
    assert lead.index(note) < lead.index("kecuali")  # the status is said at the first quote
    assert text.count(note) == 1 and "lihat catatan di atas" in rest


def test_a_quoted_definition_is_cited_by_its_number():
    from assistant.answering.citations import make_citation, render_citation

    text = "Dalam Peraturan ini yang dimaksud dengan: 1. Bengkel adalah tempat kerja. 2. Lumbung adalah gudang desa."
    item = RetrievedPassage(1, 1.0, passage("definisi", "PP 1/2030", "1", text))
    chosen = select_quotes("apa itu lumbung", [item], WEIGHTS)[0]
    assert chosen.point == "angka 2" and chosen.quote.endswith("2. Lumbung adalah gudang desa.")
    citation = make_citation(item.passage, chosen.quote, ("berlaku", ""), chosen.ayat, point=chosen.point)
    assert render_citation(citation).startswith("Pasal 1 angka 2 ")


def test_a_pasal_restated_by_an_amending_law_keeps_its_first_ayat():
    text = (
        "Ketentuan Pasal 12 diubah sehingga berbunyi sebagai berikut: Pasal 12 (1) Setiap penggilingan wajib "
        "memiliki izin. (2) Kewajiban sebagaimana dimaksud pada ayat (1) dikecualikan bagi penggilingan rumah tangga."
    )
    item = RetrievedPassage(1, 1.0, passage("ubah", "UU 2/2031", "4", text))
    assert [(u.ayat, u.text) for u in split_units(item)] == [
        ("", "Ketentuan Pasal 12 diubah sehingga berbunyi sebagai berikut: Pasal 12"),
        ("1", "(1) Setiap penggilingan wajib memiliki izin."),
        ("2", "(2) Kewajiban sebagaimana dimaksud pada ayat (1) dikecualikan bagi penggilingan rumah tangga."),
    ]
    # So the rule is quoted by its ayat, with the exception that refers to it, and the frame never.
    from assistant.answering.extractive import with_exceptions

    quoted = with_exceptions(select_quotes("apakah penggilingan wajib punya izin", [item], WEIGHTS)[:1])
    assert [(s.ayat, s.role) for s in quoted] == [("1", ""), ("2", "pengecualian")]
    # A pasal the text merely mentions is no heading.
    assert len(split_units(RetrievedPassage(1, 1.0, passage("x", "UU 2/2031", "5", "Lihat Pasal 12 (1) huruf a.")))) == 1


def test_what_only_frames_an_amendment_is_never_quoted():
    from assistant.parse.units import is_amendment_frame

    for frame in (
        "Ketentuan Pasal 9 diubah sehingga berbunyi sebagai berikut: Pasal 9",
        "Ketentuan Pasal 9 diubah sehingga berbunyi sebagai berikut: 14",  # an OCR page number after the colon
        "Di antara Pasal 9 dan Pasal 10 disisipkan 1 (satu) pasal, yakni Pasal 9A yang berbunyi sebagai berikut:",
        "Pasal 9A",
    ):
        assert is_amendment_frame(frame), frame
    for clause in ("(1) Setiap bengkel wajib terdaftar.", "Pasal 9 huruf b dihapus.", "Bengkel adalah tempat kerja berikut:"):
        assert not is_amendment_frame(clause), clause
