from assistant.analysis import analyze, raw_tokens


def test_raw_tokens_drop_ocr_carets_and_punctuation():
    assert raw_tokens("^Pemberian ^fasilitas (1) Sentra-IKM") == ["pemberian", "fasilitas", "1", "sentra", "ikm"]


def test_abbreviation_expands_to_the_words_of_the_texts():
    terms = set(analyze("kewajiban Pemda untuk IKM"))
    assert {"pemda", "ikm"} <= terms
    assert set(analyze("pemerintah daerah industri kecil menengah")) <= terms


def test_stopwords_removed_and_words_stemmed():
    terms = analyze("yang dimaksud dengan pembangunan sentra")
    assert "yang" not in terms and "dengan" not in terms
    assert "bangun" in terms


def test_colloquial_words_map_to_the_register_of_the_texts():
    assert analyze("gimana bikin sentra") == analyze("bagaimana membuat sentra")
