"""Hybrid retrieval over a real index (PP 29/2018 + the seed overview)."""

import numpy as np
from langchain_core.documents import Document

from assistant.records import Passage
from assistant.retriever import (
    UNIT_RERANK_DEPTH,
    Filters,
    HybridRetriever,
    LoadedIndex,
    body_first,
    by_best_units,
    fuse,
    top_positive,
)


def test_fusion_rewards_agreement_between_rankers():
    lexical = [(1, 9.0), (2, 5.0), (3, 1.0)]
    dense = [(2, 0.9), (4, 0.8), (1, 0.7)]
    order = [position for position, _ in fuse([(lexical, 1.0), (dense, 1.0)])]
    assert order[:2] == [2, 1]
    assert set(order) == {1, 2, 3, 4}


def test_a_penjelasan_yields_to_a_provision_scored_close_to_it_but_not_to_a_distant_one():
    def unit(kind: str) -> Passage:
        return Passage("p", "PP 29/2018", "PP", "29", "2018", "", kind, (), "5", "", "", "teks", "", "x.md", 0, 4)

    passages = [unit("penjelasan"), unit("pasal"), unit("pasal")]
    assert [p for p, _ in body_first([(0, 1.0), (1, 0.9), (2, 0.3)], passages)] == [1, 0, 2]


def test_passages_that_answer_in_one_place_rise_among_the_best_fused():
    fused = [(0, 1.0), (1, 0.95), (2, 0.4)] + [(n, 0.3) for n in range(3, UNIT_RERANK_DEPTH + 3)]
    coverage = {0: 0.1, 1: 0.9, 2: 0.5}
    reranked = by_best_units(fused, lambda position: coverage.get(position, 0.0))
    assert [p for p, _ in reranked[:3]] == [1, 0, 2]  # 0.95 + w*0.9 > 1.0 + w*0.1; 0.4 + w*0.5 stays below
    # Below the re-ranked head the fused order holds, on the same relative scale.
    assert [p for p, _ in reranked[UNIT_RERANK_DEPTH:]] == [p for p, _ in fused[UNIT_RERANK_DEPTH:]]
    assert reranked[UNIT_RERANK_DEPTH - 1][1] >= reranked[UNIT_RERANK_DEPTH][1]


def test_unit_coverage_counts_the_terms_two_consecutive_units_hold(small_index):
    position = next(i for i, p in enumerate(small_index.passages) if "memfasilitasi pembentukan kepengurusan" in p.text)
    weights = small_index.weights
    assert small_index.unit_coverage(position, {"bentuk", "urus"}, weights) == 1.0
    assert 0 < small_index.unit_coverage(position, {"bentuk", "urus", "batik"}, weights) < 1.0


def test_the_name_of_the_regulation_asked_about_is_no_search_word(small_index):
    # "PP tentang Pemberdayaan Industri" says where to look; as words they would match the
    # definitions ("Dalam Peraturan Pemerintah ini yang dimaksud dengan ... Pemberdayaan Industri").
    question = "Upaya minimal apa yang dilakukan pemerintah untuk menguatkan kemampuan Sentra IKM menurut PP tentang Pemberdayaan Industri?"
    top = HybridRetriever(index=small_index, k=5).retrieve(question)[0].passage
    assert (top.regulation, top.pasal) == ("PP 29/2018", "5")


def test_definition_question_finds_the_definition(small_index):
    retriever = HybridRetriever(index=small_index, k=5)
    results = retriever.retrieve("Apa yang dimaksud dengan Sentra IKM?")
    assert any("Sentra IKM adalah sekelompok IKM" in r.passage.text for r in results)
    # Whether something qualifies as a Sentra IKM is answered by the definition, too.
    question = "Di desa kami baru ada empat perajin anyaman bambu. Sudah bisa diusulkan jadi sentra IKM belum, Pak?"
    assert "Sentra IKM adalah sekelompok IKM" in retriever.retrieve(question)[0].passage.text


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
    plain = retriever.retrieve("prinsip pembangunan sentra IKM")
    named = retriever.retrieve("prinsip pembangunan sentra IKM menurut PP tentang Pemberdayaan Industri")
    assert plain[0].passage.regulation != "PP 29/2018"
    assert named[0].passage.regulation == "PP 29/2018"
    assert any(item.passage.regulation != "PP 29/2018" for item in named)
