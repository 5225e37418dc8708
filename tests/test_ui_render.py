"""How the UIs name provisions and show answers: pure functions, on invented records."""

from __future__ import annotations

from assistant.records import Passage
from assistant.serving.ui.render import collapsed_related, passage_label, readable_label


def passage(kind="pasal", pasal="9", number="29", regulation="PP 29/2018", title="", hierarchy=()) -> Passage:
    return Passage(id="x", regulation=regulation, type="PP" if number else "", number=number, year="2018",
                   title=title, kind=kind, hierarchy=hierarchy, pasal=pasal, ayat_start="", ayat_end="",
                   text="…", heading="", source_file="f.md", char_start=0, char_end=1)


def test_provisions_are_named_without_an_empty_pasal():
    assert passage_label(passage()) == "PP 29/2018 Pasal 9"
    assert passage_label(passage(kind="penjelasan")) == "PP 29/2018 Penjelasan Pasal 9"
    assert passage_label(passage(kind="lampiran", pasal="")) == "PP 29/2018 Lampiran"
    assert passage_label(passage(kind="penjelasan", pasal="")) == "PP 29/2018 Penjelasan Umum"
    plain = passage(kind="section", pasal="-", number="", regulation="paparan", title="Paparan Sentra IKM",
                    hierarchy=("Latar belakang",))
    assert passage_label(plain) == "Paparan Sentra IKM: Latar belakang"
    assert passage_label(passage(kind="section", pasal="-", number="", title="Paparan")) == "Paparan"


def test_labels_logged_before_lose_their_empty_pasal():
    assert readable_label("PP 14/2015 Pasal") == "PP 14/2015"
    assert readable_label("Paparan Sentra IKM Pasal -") == "Paparan Sentra IKM"
    assert readable_label("PP 29/2018 Pasal 9") == "PP 29/2018 Pasal 9"


def test_supporting_quotes_fold_under_a_counted_summary():
    text = "Menurut A:\n> satu\n\nKetentuan terkait:\n\n- Menurut B:\n> dua\n- Menurut C:\n> tiga"
    folded = collapsed_related(text)
    assert folded.startswith("Menurut A:\n> satu")
    assert "<summary>Ketentuan terkait (2 kutipan) — buka</summary>" in folded
    assert collapsed_related("Menurut A:\n> satu") == "Menurut A:\n> satu"
