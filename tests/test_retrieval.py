"""Hybrid retrieval over a real index (PP 29/2018 + the seed overview)."""

from langchain_core.documents import Document

from assistant.retriever import Filters, HybridRetriever, fuse


def test_fusion_rewards_agreement_between_rankers():
    lexical = [(1, 9.0), (2, 5.0), (3, 1.0)]
    dense = [(2, 0.9), (4, 0.8), (1, 0.7)]
    order = [position for position, _ in fuse([(lexical, 1.0), (dense, 1.0)])]
    assert order[:2] == [2, 1]
    assert set(order) == {1, 2, 3, 4}


def test_definition_question_finds_the_definition(small_index):
    retriever = HybridRetriever(index=small_index, k=5)
    results = retriever.retrieve("Apa yang dimaksud dengan Sentra IKM?")
    assert any("Sentra IKM adalah sekelompok IKM" in r.passage.text for r in results)


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
