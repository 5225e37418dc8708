"""The lead of an extractive answer: clauses quoted from the cited provisions, rule before exceptions."""

from dataclasses import replace

import pytest

from assistant.answering.backends import compose_extractive
from assistant.answering.lead import LEAD_WORDS, compose_lead, lead_clause
from assistant.records import Citation
from assistant.text.term_weights import TermWeights

pytestmark = pytest.mark.unit

WEIGHTS = TermWeights({}, 100)  # every term equally rare


def cite(ayat, quote, role="", status="berlaku", pasal="7", amends="", regulation="PP 1/2030"):
    return Citation(regulation, "PP", "1", "2030", "Bengkel", pasal, ayat, status, quote, "x", role=role, amends=amends,
                    status_note="dicabut oleh PP 9/2031." if status != "berlaku" else "")


def test_a_yes_no_question_is_answered_by_the_rule_and_its_exceptions_before_any_quote():
    citations = [
        cite("1", "(1) Setiap penggilingan padi wajib berlokasi di kawasan pertanian."),
        cite("3", "(3) Kewajiban sebagaimana dimaksud pada ayat (1) dikecualikan bagi: a. penggilingan rumah tangga; "
                  "dan b. penggilingan keliling.", role="pengecualian"),
    ]
    lead = compose_lead("Apakah penggilingan rumah tangga wajib berlokasi di kawasan pertanian?", citations, WEIGHTS)
    assert lead.startswith("Pada dasarnya, “Setiap penggilingan padi wajib berlokasi di kawasan pertanian” (Pasal 7 ayat (1) PP 1/2030)")
    assert ", kecuali “Kewajiban sebagaimana dimaksud pada ayat (1) dikecualikan bagi: penggilingan rumah tangga" in lead
    assert "penggilingan rumah tangga; dan penggilingan keliling" in lead  # read as one sentence, no item letters
    assert lead.endswith("(ayat (3)).")  # a part of the pasal just named is named by its part
    text = compose_extractive(citations, lead)
    assert text.startswith(lead + "\n\n**Pasal 7 ayat (1) PP 1/2030**:")  # then the quotes, no second "Pada dasarnya"
    assert text.count("Pada dasarnya") == 1


def test_a_how_much_question_leads_with_the_clause_that_states_the_amount():
    quote = "(2) Retribusi dipungut setiap tahun oleh dinas. Besarnya retribusi paling banyak Rp500.000,00 (lima ratus ribu rupiah)."
    assert lead_clause(quote, "berapa retribusi yang dipungut dinas?", WEIGHTS) == (
        "Besarnya retribusi paling banyak Rp500.000,00 (lima ratus ribu rupiah)"
    )


def test_a_long_clause_is_cut_around_what_the_question_asks():
    filler = " ".join(f"kata{n}" for n in range(80))
    clause = lead_clause(f"(1) {filler} lumbung desa dikelola koperasi {filler}.", "siapa pengelola lumbung desa", WEIGHTS)
    assert "lumbung desa dikelola koperasi" in clause
    assert clause.startswith("… ") and clause.endswith(" …") and len(clause.split()) == LEAD_WORDS + 2


def test_the_lead_names_an_amended_or_revoked_provision_as_such():
    amended = cite("1", "(1) Setiap bengkel wajib terdaftar.", pasal="44", amends="PP 1/2030 Pasal 7", regulation="UU 2/2031",
                   status="dicabut")
    lead = compose_lead("apakah bengkel wajib terdaftar", [amended], WEIGHTS)
    assert lead == "“Setiap bengkel wajib terdaftar” (Pasal 7 ayat (1) PP 1/2030, diubah UU 2/2031; status: dicabut, lihat catatan di bawah)."


def test_without_an_exception_the_next_provision_quoted_follows_the_first():
    citations = [cite("1", "(1) Lumbung desa dikelola koperasi."), cite("", "Koperasi melapor kepada bupati.", pasal="9")]
    assert compose_lead("siapa pengelola lumbung desa", citations, WEIGHTS) == (
        "“Lumbung desa dikelola koperasi” (Pasal 7 ayat (1) PP 1/2030). Juga: “Koperasi melapor kepada bupati” (Pasal 9 PP 1/2030)."
    )
    # A Lampiran table's rows are no clause: such an answer has no lead.
    table = replace(cite("", "Tabel 1 Program 1. Pelatihan 2. Promosi", pasal="Lampiran"), kind="lampiran")
    assert compose_lead("program apa saja", [table], WEIGHTS) == ""
