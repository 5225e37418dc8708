"""`python -m assistant index`: parse, embed and store the corpus, incrementally by content hash."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from .analysis import analyze
from .catalog import Catalog, amended_pasal
from .config import Settings
from .embedder import load_embedder
from .loaders import LoadFailure, load_documents
from .records import Passage
from .store import (
    IndexLayout,
    chroma_client,
    collection_name,
    read_manifest,
    read_passages,
    write_passages,
)
from .structure import parse_document

log = logging.getLogger(__name__)

# Bump when parsing or searchable text changes, so cached passages of unchanged files are rebuilt.
PIPELINE_VERSION = "2"
CHROMA_BATCH = 1000


@dataclass
class IndexSummary:
    documents: int = 0
    passages: int = 0
    added: int = 0  # files parsed and embedded in this run
    unchanged: int = 0  # files reused from the previous build
    removed: int = 0  # files gone since the previous build
    seconds: float = 0.0
    build: str = ""
    failures: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def searchable_text(passage: Passage) -> str:
    """What is embedded and BM25-indexed: the passage with its citation context."""
    context = " / ".join(part for part in (passage.heading, *passage.hierarchy) if part)
    return f"{context}\n{passage.text}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _previous_state(layout: IndexLayout, pipeline_key: str) -> tuple[dict, dict[str, tuple[Passage, np.ndarray]]]:
    """Files and vectors of the published build, if it was made by the same pipeline."""
    build = layout.current_build()
    if build is None:
        return {}, {}
    manifest = read_manifest(build)
    if manifest.get("pipeline") != pipeline_key:
        return {}, {}
    passages, vectors = read_passages(build)
    by_id = {p.id: (p, vectors[i]) for i, p in enumerate(passages)}
    return manifest["files"], by_id


def build_index(settings: Settings, show_progress: bool = True) -> IndexSummary:
    started = time.perf_counter()
    layout = IndexLayout(settings.index_dir)
    catalog = Catalog.load(settings.catalog_path)
    with layout.write_lock():
        layout.prune()
        documents, failures = load_documents(settings.corpus_dirs)
        pipeline_key = f"{PIPELINE_VERSION}|{settings.embedding_model}|{settings.max_passage_tokens}|" + content_hash(
            settings.catalog_path.read_text(encoding="utf-8") if settings.catalog_path.exists() else ""
        )
        previous_files, previous_vectors = _previous_state(layout, pipeline_key)

        summary = IndexSummary(documents=len(documents), failures=[asdict(f) for f in failures])
        files: dict[str, dict] = {}
        passages: list[Passage] = []
        reused: dict[str, np.ndarray] = {}
        for document in documents:
            digest = content_hash(document.text)
            known = previous_files.get(document.path)
            if known and known["sha256"] == digest and all(pid in previous_vectors for pid in known["passage_ids"]):
                summary.unchanged += 1
                doc_passages = [previous_vectors[pid][0] for pid in known["passage_ids"]]
                reused.update({pid: previous_vectors[pid][1] for pid in known["passage_ids"]})
            else:
                summary.added += 1
                try:
                    doc_passages = parse_document(document, catalog, max_tokens=settings.max_passage_tokens).passages
                except Exception as error:  # one bad document must not stop the corpus
                    log.exception("failed to parse %s", document.path)
                    failure = LoadFailure(document.path, f"Berkas tidak dapat diurai dan dilewati: {document.source_file}", repr(error))
                    summary.failures.append(asdict(failure))
                    continue
            files[document.path] = {
                "sha256": digest,
                "source_file": document.source_file,
                "passage_ids": [p.id for p in doc_passages],
            }
            passages.extend(doc_passages)
        summary.removed = len(set(previous_files) - set(files))
        summary.passages = len(passages)

        current = layout.current_build()
        if current is not None and summary.added == 0 and summary.removed == 0 and previous_files:
            summary.build = current.name
            summary.seconds = round(time.perf_counter() - started, 3)
            return summary

        vectors = _embed_missing(settings, layout, passages, reused, show_progress)
        build = _write_build(settings, layout, catalog, passages, vectors, files, pipeline_key, show_progress)
        summary.build = layout.publish(build).name
        layout.prune()
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _embed_missing(
    settings: Settings, layout: IndexLayout, passages: list[Passage], reused: dict[str, np.ndarray], show_progress: bool
) -> np.ndarray:
    missing = [p for p in passages if p.id not in reused]
    vectors: dict[str, np.ndarray] = dict(reused)
    if missing:
        embedder = load_embedder(settings.embedding_model, settings.model_cache_dir)
        new_vectors = embedder.embed_passages(
            [searchable_text(p) for p in missing], batch_size=settings.embedding_batch_size, show_progress=show_progress
        )
        vectors.update({p.id: v for p, v in zip(missing, new_vectors)})
    if not passages:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([vectors[p.id] for p in passages]).astype(np.float32)


def _write_build(
    settings: Settings,
    layout: IndexLayout,
    catalog: Catalog,
    passages: list[Passage],
    vectors: np.ndarray,
    files: dict,
    pipeline_key: str,
    show_progress: bool,
) -> Path:
    build = layout.new_build_dir()
    build.mkdir(parents=True)
    write_passages(build, passages, vectors)

    lexical = bm25s.BM25()
    lexical.index([analyze(searchable_text(p)) for p in passages], show_progress=show_progress)
    lexical.save(str(build / "bm25"), show_progress=False)

    amended = amended_pasal([p.amends for p in passages if p.amends])
    statuses = [catalog.pasal_status(p.regulation, p.pasal, amended.get(p.regulation))[0] for p in passages]
    name = collection_name(settings.collection, build)
    client = chroma_client(build, settings.chroma_url)
    collection = client.get_or_create_collection(name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    for start in range(0, len(passages), CHROMA_BATCH):
        batch = passages[start : start + CHROMA_BATCH]
        batch_status = statuses[start : start + CHROMA_BATCH]
        collection.add(
            ids=[p.id for p in batch],
            embeddings=vectors[start : start + CHROMA_BATCH].tolist(),
            documents=[p.text for p in batch],
            metadatas=[
                {"regulation": p.regulation, "pasal": p.pasal, "kind": p.kind, "source_file": p.source_file, "status": s}
                for p, s in zip(batch, batch_status)
            ],
        )
    manifest = {
        "pipeline": pipeline_key,
        "embedding_model": settings.embedding_model,
        "collection": name,
        "chroma_url": settings.chroma_url,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "passages": len(passages),
        "files": files,
    }
    (build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return build
