"""What a question asks for, and whether a provision states it: invented sentences only."""

import pytest

from assistant.text.questions import asked_data, question_parts, states_datum


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Berapa persen bagi hasil yang diterima koperasi pengrajin?", {"rate"}),
        ("porsi saham daerah minimal brp %?", {"rate"}),
        ("Berapa biaya pendaftaran pameran produk kerajinan?", {"money"}),
        ("tarif sewa ruang pamer dinas itu ada gak?", {"money"}),
        ("dendanya brp rupiah kalau laporan tahunan terlambat?", {"money"}),
        ("Berapa lama surat keterangan itu berlaku?", {"period"}),
        ("izin gudangnya masa berlakunya sampai kapan?", {"period", "date"}),
        ("Kapan laporan kegiatan harus disampaikan?", {"date"}),
        ("paling telat tanggal berapa rekap penjualan dikirim?", {"date"}),
        ("Peraturan Menteri nomor berapa yang mengatur tata cara pelatihan?", {"number"}),
        ("Ada berapa jenis bantuan mesin untuk perajin?", {"amount"}),
    ],
)
def test_the_kind_of_datum_a_question_asks_for(question, kinds):
    assert asked_data(question) == kinds


@pytest.mark.parametrize(
    "question",
    [
        "Apa kewajiban pemerintah kabupaten dalam membina perajin rotan?",
        "Siapa yang menyusun rencana pengembangan klaster kerajinan?",
        "Ketentuan pelatihan perajin termuat dalam pasal berapa?",  # the number of an article is a reference
        "Bagaimana tata cara mengajukan bantuan peralatan?",
    ],
)
def test_questions_that_ask_for_no_datum(question):
    assert asked_data(question) == frozenset()


@pytest.mark.parametrize(
    ("kind", "provision"),
    [
        ("rate", "Bagian daerah paling sedikit 40% (empat puluh persen) dari modal disetor."),
        ("money", "dikenakan denda paling banyak Rp25.000.000,00 (dua puluh lima juta rupiah)."),
        ("period", "Surat keterangan berlaku untuk jangka waktu 3 (tiga) tahun."),
        ("period", "Evaluasi dilakukan paling sedikit 2 (dua) kali dalam 1 (satu) tahun."),
        ("date", "Laporan disampaikan paling lambat akhir bulan Maret tahun berikutnya."),
        ("number", "sebagaimana diatur dalam Peraturan Menteri Nomor 12 Tahun 2020"),
        ("amount", "Tim beranggotakan paling banyak 9 (sembilan) orang."),
    ],
)
def test_a_provision_that_states_the_datum(kind, provision):
    assert states_datum(frozenset({kind}), provision)


@pytest.mark.parametrize(
    ("kind", "provision"),
    [
        ("rate", "Bagian daerah ditetapkan dengan Peraturan Daerah."),
        ("money", "Besaran tarif diatur dengan Peraturan Menteri."),
        ("period", "Surat keterangan berlaku sepanjang kegiatan usaha masih berjalan."),
        ("number", "Ketentuan lebih lanjut diatur dengan Peraturan Presiden."),
        ("amount", "Keanggotaan tim terdiri atas unsur pemerintah dan pelaku usaha."),
    ],
)
def test_a_provision_that_only_speaks_of_the_topic(kind, provision):
    assert not states_datum(frozenset({kind}), provision)


def test_no_datum_asked_is_never_stated():
    assert not states_datum(frozenset(), "paling lama 30 (tiga puluh) hari")


def test_question_parts_split_two_questions_joined_by_dan():
    assert question_parts("Siapa yang menetapkan rencana itu, dan berapa lama berlakunya?") == [
        "Siapa yang menetapkan rencana itu",
        "berapa lama berlakunya?",
    ]
