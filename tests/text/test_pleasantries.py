"""Greetings, asking to ask, thanks and sign-offs leave the question; what it asks stays."""

import pytest

from assistant.text.pleasantries import without_pleasantries


@pytest.mark.parametrize(
    "written, asked",
    [
        ("Selamat sore, Bu. Apakah koperasi wajib punya gudang? Terima kasih.", "Apakah koperasi wajib punya gudang?"),
        ("Assalamualaikum wr. wb. Berapa lama izin gudang berlaku? Wassalamualaikum wr. wb.", "Berapa lama izin gudang berlaku?"),
        ("Halo kak, mau nanya dong. Gudang bersama itu apa? Makasih ya kak.", "Gudang bersama itu apa?"),
        ("Permisi bapak/ibu, izin bertanya: siapa yang membina pengrajin?", "siapa yang membina pengrajin?"),
        ("Pak, numpang tanya, kapan rencana gudang ditetapkan? Mohon pencerahannya.", "kapan rencana gudang ditetapkan?"),
        ("Dengan hormat, bagaimana cara mendaftar gudang? Atas perhatiannya kami ucapkan terima kasih.",
         "bagaimana cara mendaftar gudang?"),
        ("Mohon maaf mengganggu waktunya. Siapa yang mengawasi gudang? Sebelumnya terima kasih, pak.",
         "Siapa yang mengawasi gudang?"),
        ("Apakah gudang harus punya paling sedikit 5 unit, pak?", "Apakah gudang harus punya paling sedikit 5 unit?"),
        ("Mau tanya, tim terpadu gudang itu apa?", "tim terpadu gudang itu apa?"),  # a team is no address
    ],
)
def test_the_framing_around_a_question_is_dropped(written, asked):
    assert without_pleasantries(written) == asked


@pytest.mark.parametrize(
    "question",
    [
        "Apa tugas tim terpadu gudang?",
        "Siapa yang wajib mengucapkan selamat datang kepada Menteri?",
        "Mohon penjelasan tentang kewajiban pemerintah daerah terhadap gudang",  # a request with content after it
        "Apakah Bapak Menteri menetapkan rencana gudang?",
        "Berapa jumlah minimal unit usaha di sentra?",  # "min" inside a word
    ],
)
def test_a_question_without_framing_is_left_as_it_is(question):
    assert without_pleasantries(question) == question


def test_a_message_that_is_only_framing_is_kept_whole():
    assert without_pleasantries("Terima kasih banyak, min!") == "Terima kasih banyak, min!"
