"""Reference systems for `eval --baseline`, run on the same corpus and embedder as the product."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from ..embedding.runtimes import Embedder
from ..records import SourceDocument
from ..retrieval.index import LoadedIndex
from ..retrieval.lookups import Filters
from ..retrieval.query_adapter import QueryAdapter
from ..retrieval.rankers import FusionRanker
from ..retrieval.retriever import HybridRetriever
from .metrics import Ranker


class EmbedderAdapter(Embeddings):
    """Our Embedder behind LangChain's Embeddings interface."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts, show_progress=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()


def naive_chunks_ranker(documents: list[SourceDocument], embedder: Embedder, k: int = 10) -> Ranker:
    """LangChain RecursiveCharacterTextSplitter(1000, 200) + Chroma similarity search."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = [chunk for document in documents for chunk in splitter.split_text(document.text)]
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(
        client=client,
        collection_name="baseline-naive-chunks",
        embedding_function=EmbedderAdapter(embedder),
        collection_configuration={"hnsw": {"space": "cosine"}},
    )
    store.add_texts(chunks)
    return lambda question: [doc.page_content for doc in store.similarity_search(question, k=k)]


def fusion_ranker(index: LoadedIndex, k: int = 10) -> Ranker:
    """Plain reciprocal rank fusion of BM25 and e5 (no adapter) over the product's candidates: what the
    learned stages have to beat."""
    return retriever_ranker(HybridRetriever(index=index, k=k, ranker=FusionRanker(), adapter=QueryAdapter()), k)


def retriever_ranker(retriever: HybridRetriever, k: int = 10) -> Ranker:
    """A retriever's k best passages for the eval, as passage texts."""
    return lambda question: [r.passage.text for r in retriever.retrieve(question, k=k)]


def dense_ranker(index: LoadedIndex, adapter: QueryAdapter | None = None, k: int = 10) -> Ranker:
    """The dense ranker alone: e5 (`adapter` QueryAdapter() for none), or with the shipped query adapter (None)."""

    def rank(question: str) -> list[str]:
        vector = index.query_vector(question, adapter)
        return [index.passages[i].text for i, _ in index.dense_ranking(vector, Filters(), limit=k)]

    return rank


def bm25_ranker(index: LoadedIndex, k: int = 10) -> Ranker:
    def rank(question: str) -> list[str]:
        return [index.passages[i].text for i, _ in index.lexical_ranking(question, Filters(), limit=k)]

    return rank
