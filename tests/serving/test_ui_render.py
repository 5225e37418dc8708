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
    titled = collapsed_related(text + "\n\nPeraturan yang dikutip: PP No. 1 Tahun 2030 tentang Bengkel.")
    assert titled.endswith("</details>\n\nPeraturan yang dikutip: PP No. 1 Tahun 2030 tentang Bengkel.")  # in sight


def test_a_lampiran_is_cited_as_lampiran_by_its_table():
    from dataclasses import asdict

    from assistant.answering.citations import make_citation, render_citation
    from assistant.answering.contract import answer_to_dict
    from assistant.records import Answer, RetrievedPassage
    from assistant.serving.ui.render import short_citation

    table = passage(kind="lampiran", pasal="")
    citation = make_citation(table, "Tabel 3.2 Program Koperasi 1. Pemetaan 2. Pembinaan", ("berlaku", ""))
    assert (citation.pasal, citation.point) == ("Lampiran", "Tabel 3.2")
    assert render_citation(citation).endswith("Lampiran PP No. 29 Tahun 2018, Tabel 3.2")
    assert short_citation(asdict(citation)) == "Lampiran, Tabel 3.2 · PP 29/2018"
    untitled = make_citation(table, "pada tabel berikut", ("berlaku", ""))
    assert short_citation(asdict(untitled)) == "Lampiran · PP 29/2018"
    contract = answer_to_dict(Answer(question="q", answer="a", abstained=False, citations=[citation],
                                     passages=[RetrievedPassage(rank=1, score=1.0, passage=table)]))
    assert contract["passages"][0]["pasal"] == contract["citations"][0]["pasal"] == "Lampiran"


def test_the_quoted_part_is_marked_across_line_breaks_and_without_its_ellipses():
    from assistant.serving.ui.render import _highlight

    shown = _highlight("Tabel 3.2 Program\n1. Pemetaan potensi\n2. Penyusunan <rencana>", "… Pemetaan potensi 2. Penyusunan <rencana> …")
    assert shown == "Tabel 3.2 Program\n1. <mark>Pemetaan potensi\n2. Penyusunan &lt;rencana&gt;</mark>"
    assert _highlight("Tidak ada di sini.", "kalimat lain yang panjang") == "Tidak ada di sini."


def test_an_overview_heading_is_where_the_quote_sits_not_what_it_says():
    from assistant.answering.citations import make_citation, render_citation

    overview = passage(kind="section", pasal="-", number="", regulation="paparan", title="Koperasi Desa")
    overview = Passage(**{**overview.to_dict(), "type": "Paparan", "hierarchy": ()})
    cited = make_citation(overview, "PRINSIP PEMBANGUNAN KOPERASI Gotong royong menjadi dasar.", ("berlaku", ""))
    assert (cited.point, cited.quote) == ("PRINSIP PEMBANGUNAN KOPERASI", "Gotong royong menjadi dasar.")
    assert render_citation(cited) == "Paparan “Koperasi Desa”, bagian “PRINSIP PEMBANGUNAN KOPERASI”"
    plain = make_citation(overview, "Gotong royong menjadi dasar.", ("berlaku", ""))
    assert (plain.point, render_citation(plain)) == ("", "Paparan “Koperasi Desa”")


def test_a_citation_the_answer_gives_is_accepted_back_as_feedback():
    from dataclasses import asdict

    from assistant.answering.citations import make_citation
    from assistant.serving.api import FeedbackRequest

    overview = passage(kind="section", pasal="-", number="", regulation="paparan", title="Koperasi Desa")
    heading = "PERAN PEMERINTAH DAERAH DALAM PEMBANGUNAN DAN PEMBINAAN KOPERASI DESA DI WILAYAH PERDESAAN"
    cited = make_citation(overview, f"{heading} Pemerintah daerah membina koperasi.", ("berlaku", ""))
    assert cited.point == heading  # longer than any short label
    rated = FeedbackRequest.model_validate({"question": "q", "answer": "a", "rating": "down", "citations": [asdict(cited)]})
    assert rated.citations[0].point == heading
