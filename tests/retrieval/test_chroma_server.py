"""Scale-out: the same index on a real Chroma server (HttpClient) retrieves what the embedded store does."""

import shutil
from pathlib import Path

import pytest
from conftest import DEV, make_settings

from assistant.evaluation.metrics import load_items
from assistant.indexing.build import build_index
from assistant.indexing.store import IndexLayout, read_manifest
from assistant.retrieval.index import LoadedIndex
from assistant.retrieval.retriever import HybridRetriever

pytestmark = pytest.mark.integration

QUESTIONS = 10

def test_server_and_embedded_store_give_the_same_top5(small_settings, small_index, chroma_server, tmp_path):
    index_dir = tmp_path / "index-server"
    # Reuse the embedded build's vector cache: the server build then embeds nothing again.
    shutil.copytree(small_settings.index_dir / "vectors", index_dir / "vectors")
    settings = make_settings(Path(small_settings.corpus_dirs[0]), index_dir, chroma_url=chroma_server)
    summary = build_index(settings, show_progress=False)
    build = IndexLayout(index_dir).current_build()
    assert read_manifest(build)["chroma_url"] == chroma_server
    assert not (build / "chroma").exists()  # vectors went to the server, not to an embedded store
    assert summary.passages == len(small_index.passages)

    server_index = LoadedIndex.open(settings, embedder=small_index.embedder)
    assert server_index.collection.count() == len(small_index.passages)

    embedded = HybridRetriever(index=small_index, k=5)
    remote = HybridRetriever(index=server_index, k=5)
    questions = [item["question"] for item in load_items(DEV)][:QUESTIONS]
    for question in questions:
        expected = [r.passage.id for r in embedded.retrieve(question)]
        assert [r.passage.id for r in remote.retrieve(question)] == expected, question
        # The dense ranker alone, too: the server's collection answers like the embedded one.
        vector = small_index.query_vector(question)
        local_dense = [i for i, _ in small_index.dense_ranking(vector, embedded.filters, limit=5)]
        remote_dense = [i for i, _ in server_index.dense_ranking(vector, remote.filters, limit=5)]
        assert remote_dense == local_dense, question


def test_pruned_builds_take_their_server_collections_with_them(chroma_server, tmp_path):
    from assistant.indexing.store import chroma_client, collection_name

    layout = IndexLayout(tmp_path / "index")
    client = chroma_client(Path(), chroma_server)
    builds = []
    for name in ("20260101-000000-aaaaaa", "20260102-000000-bbbbbb", "20260103-000000-cccccc"):
        build = layout.builds / name
        build.mkdir(parents=True)
        (build / "manifest.json").write_text("{}")
        client.create_collection(collection_name("passages", build))
        builds.append(build)
    layout.pointer.write_text(builds[-1].name)
    assert layout.prune(chroma_server, "passages") == [builds[0].name]
    names = {c.name for c in client.list_collections()}
    assert collection_name("passages", builds[0]) not in names
    assert {collection_name("passages", b) for b in builds[1:]} <= names
