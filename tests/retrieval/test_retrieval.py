"""Hybrid retrieval over a real index (PP 29/2018 + the seed overview)."""

import numpy as np
from langchain_core.documents import Document

from assistant.retrieval.index import LoadedIndex, top_positive
from assistant.retrieval.lookups import Filters
from assistant.retrieval.rankers import FusionRanker, LearnedRanker
from assistant.retrieval.references import defines
from assistant.retrieval.retriever import HybridRetriever


def test_unit_coverage_counts_the_terms_two_consecutive_units_hold(small_index):
    position = next(i for i, p in enumerate(small_index.passages) if "memfasilitasi pembentukan kepengurusan" in p.text)
    weights = small_index.terms.weights
    assert small_index.terms.unit_coverage(position, {"bentuk", "urus"}, weights) == 1.0
    assert 0 < small_index.terms.unit_coverage(position, {"bentuk", "urus", "batik"}, weights) < 1.0


def test_the_name_of_the_regulation_asked_about_is_no_search_word(small_index):
    # "PP tentang Pemberdayaan Industri" says where to look; as words they would match the
    # definitions ("Dalam Peraturan Pemerintah ini yang dimaksud dengan ... Pemberdayaan Industri").
    retriever = HybridRetriever(index=small_index, k=5)
    query = retriever.prepare("Siapa yang membina koperasi perajin gerabah dalam PP tentang Pemberdayaan Industri?", Filters())
    assert query.named == "PP 29/2018"
    assert "Pemberdayaan" not in query.lexical and "gerabah" in query.lexical
    assert "Pemberdayaan" in query.text  # the dense ranker reads the name as context


def test_the_shipped_learned_ranker_orders_the_candidates(small_index):
    assert isinstance(small_index.ranker, LearnedRanker)
    learned = HybridRetriever(index=small_index, k=10)
    fused = HybridRetriever(index=small_index, k=10, ranker=FusionRanker())
    question = "Bantuan apa yang diterima kelompok penenun dari pemerintah kabupaten untuk memperkuat usahanya?"
    first, second = learned.search(question), fused.search(question)
    assert {r.passage.id for r in first.passages} != set() and first.features is not None
    assert len(first.features) == len(first.passages)
    # Both order the same candidate union; the learned ranker orders it its own way.
    assert [r.passage.id for r in first.passages] != [r.passage.id for r in second.passages]


def test_definition_question_finds_the_definition(small_index):
    retriever = HybridRetriever(index=small_index, k=5)
    results = retriever.retrieve("Apa yang dimaksud dengan Sentra IKM?")
    assert defines(results[0].passage.text, "sentra ikm")


def test_explicit_reference_puts_the_named_pasal_first(small_index):
    retriever = HybridRetriever(index=small_index, k=5)
    for question in ("Pasal 18 PP 29/2018", "isi pasal 18 ayat 1 pp 29 2018", "PP Pemberdayaan Industri pasal 18"):
        top = retriever.retrieve(question)[0].passage
        assert (top.regulation, top.pasal, top.kind) == ("PP 29/2018", "18", "pasal"), question


def test_regulation_filter_restricts_both_rankers(small_index):
    retriever = HybridRetriever(index=small_index, k=8)
    only_seed = Filters(regulations=["Paparan Pembangunan Sentra IKM (seed)"])
    results = retriever.retrieve("prinsip pembangunan sentra IKM", filters=only_seed)
    assert results and all(r.passage.source_file == "pembangunan-sentra-ikm.txt" for r in results)


def test_status_filter_uses_catalog_relations(small_index):
    retriever = HybridRetriever(index=small_index, k=10)
    revoked = retriever.retrieve("industri hijau", filters=Filters(statuses=["dicabut"]))
    assert revoked and all(r.passage.pasal in {"44", "45", "49", "51", "52", "53"} for r in revoked)


def test_langchain_interface_returns_documents_with_metadata(small_index):
    retriever = HybridRetriever(index=small_index, k=3)
    documents = retriever.invoke("pendampingan sentra IKM")
    assert len(documents) == 3 and isinstance(documents[0], Document)
    assert documents[0].metadata["rank"] == 1 and documents[0].metadata["regulation"]


def test_top_positive_keeps_the_best_matches_in_order_and_breaks_ties_by_position():
    scores = np.array([0.0, 2.0, 5.0, 0.0, 2.0, 7.0, 2.0, -1.0], dtype=np.float32)
    assert top_positive(scores, 10) == [(5, 7.0), (2, 5.0), (1, 2.0), (4, 2.0), (6, 2.0)]
    assert top_positive(scores, 3) == [(5, 7.0), (2, 5.0), (1, 2.0)]
    assert top_positive(np.zeros(4, dtype=np.float32), 3) == []


def test_lookups_agree_with_a_scan_of_every_passage(small_index):
    passages, status = small_index.passages, small_index.status
    for filters in (
        Filters(regulations=["PP 29/2018"]),
        Filters(statuses=["dicabut"]),
        Filters(regulations=["PP 29/2018", "UU 0/1900"], statuses=["berlaku", "diubah"]),
    ):
        expected = [filters.allows(p.regulation, s) for p, s in zip(passages, status)]
        assert filters.mask(small_index.regulation_column, small_index.status_column).tolist() == expected
    assert Filters().mask(small_index.regulation_column, small_index.status_column) is None
    for regulation, pasal in {(p.regulation, p.pasal) for p in passages}:
        for kinds in (("pasal",), ("penjelasan",)):
            scan = [p for p in passages if p.regulation == regulation and p.pasal == pasal and p.kind in kinds]
            assert small_index.pasal_passages(regulation, pasal, kinds) == scan


def test_a_search_embeds_its_query_once(small_index):
    class CountingEmbedder:
        def __init__(self, inner):
            self.inner, self.queries = inner, []

        def embed_query(self, text):
            self.queries.append(text)
            return self.inner.embed_query(text)

    embedder = CountingEmbedder(small_index.embedder)
    parts = small_index.passages, small_index.catalog, small_index.lexical, embedder, small_index.collection
    index = LoadedIndex.from_parts(small_index.settings, *parts)
    question = "Apa tugas pemerintah daerah dalam pembangunan sentra IKM menurut PP 29/2018?"
    for _ in range(2):
        HybridRetriever(index=index, k=5).retrieve(question)
    assert embedder.queries == [question]


def test_a_named_regulation_rises_without_hiding_the_rest(small_index):
    retriever = HybridRetriever(index=small_index, k=10)
    question = "prinsip pengembangan sentra IKM"

    def best_rank(results) -> int:
        return min(r.rank for r in results if r.passage.regulation == "PP 29/2018")

    plain = retriever.retrieve(question)
    named = retriever.retrieve(f"{question} dalam PP tentang Pemberdayaan Industri")
    assert best_rank(named) < best_rank(plain)
    assert any(item.passage.regulation != "PP 29/2018" for item in named)
    # Its own best passages are candidates even where the rest of the corpus outranks them.
    query = retriever.prepare(f"{question} dalam PP tentang Pemberdayaan Industri", Filters())
    candidates = retriever.candidates(query, Filters())
    own = [p for p in candidates.positions.tolist() if small_index.passages[p].regulation == "PP 29/2018"]
    assert len(own) >= retriever.depth
