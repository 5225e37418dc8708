from assistant.text.analysis import analyze, raw_tokens


def test_raw_tokens_drop_ocr_carets_and_punctuation():
    assert raw_tokens("^Pemberian ^fasilitas (1) Sentra-IKM") == ["pemberian", "fasilitas", "1", "sentra", "ikm"]


def test_terms_of_the_texts_and_their_abbreviations_analyse_alike():
    assert analyze("kewajiban Pemda untuk IKM") == analyze("kewajiban pemerintah daerah untuk industri kecil dan industri menengah")
    assert analyze("Pemkab") == analyze("pemerintah daerah kabupaten")
    assert analyze("UPT dan TPL") == analyze("Unit Pelayanan Teknis dan Tenaga Penyuluh Lapangan")
    assert analyze("bupati/wali kota") == analyze("bupati/walikota")  # both spellings occur in the laws
    assert analyze("Pemkab") == analyze("pemerintah kabupaten")  # a Pemda, however the text names it
    # Permits: UU 23/2014's Lampiran abbreviates what UU 3/2014 spells out.
    assert analyze("Penerbitan IUI kecil") == analyze("penerbitan izin usaha industri kecil")
    assert analyze("IUKI dan IPKI") == analyze("Izin Usaha Kawasan Industri dan Izin Perluasan Kawasan Industri")
    assert analyze("IPUI") == analyze("izin perluasan usaha industri")


def test_stopwords_removed_and_words_stemmed():
    terms = analyze("yang dimaksud dengan pembangunan sentra")
    assert "yang" not in terms and "dengan" not in terms
    assert "bangun" in terms


def test_colloquial_words_map_to_the_register_of_the_texts():
    assert analyze("gimana bikin sentra") == analyze("bagaimana membuat sentra")
    # From the general lexicon (indo-normalizer's), not from a list of this project's.
    assert analyze("siapa yang ngurus izinnya") == analyze("siapa yang mengurus izinnya")
    assert analyze("udah terdaftar") == analyze("sudah terdaftar")
    # The domain's own words win where the general lexicon differs ("gak" -> "enggak").
    assert analyze("gak wajib lapor") == analyze("tidak wajib lapor")
    assert analyze("brp lama izinnya skrg") == analyze("berapa lama izinnya sekarang")
    assert analyze("duit buat perajin") == analyze("dana buat pelaku usaha")


def test_every_domain_entry_analyses_alike_on_a_made_up_sentence():
    sentences = [
        ("kelompok industri kecil dan industri menengah di desa", "kelompok ikm di desa"),
        ("pelatihan oleh unit pelayanan teknis daerah", "pelatihan oleh upt daerah"),
        ("penugasan tenaga penyuluh lapangan", "penugasan tpl"),
        ("arah rencana induk pembangunan industri nasional", "arah ripin"),
        ("daftar wilayah pusat pertumbuhan industri", "daftar wppi"),
        ("produk wajib standar nasional indonesia", "produk wajib sni"),
        ("dibiayai anggaran pendapatan dan belanja negara", "dibiayai apbn"),
        ("dibiayai anggaran pendapatan dan belanja daerah", "dibiayai apbd"),
        ("surat dari kementerian perindustrian", "surat dari kemenperin"),
        ("izin perluasan usaha industri pabrik", "ipui pabrik"),
        ("penerbitan izin usaha kawasan industri baru", "penerbitan iuki baru"),
        ("izin perluasan kawasan industri tahap dua", "ipki tahap dua"),
        ("lahan di kawasan industri", "lahan di ki"),
        ("undang undang dan peraturan pemerintah", "uu dan pp"),
        ("surat pemkot untuk penenun", "surat pemerintah kota untuk penenun"),
        ("program pemprov", "program pemerintah daerah provinsi"),
        ("usulan menperin", "usulan menteri"),
        ("ditetapkan dengan perda", "ditetapkan dengan peraturan daerah"),
    ]
    for spelled_out, abbreviated in sentences:
        assert analyze(spelled_out) == analyze(abbreviated), spelled_out
