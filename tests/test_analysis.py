from assistant.analysis import analyze, raw_tokens


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
    assert analyze("harus selaras dengan RPJMD") == analyze("harus sejalan dengan RPJMD")
