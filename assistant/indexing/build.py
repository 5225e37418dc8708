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
from tqdm import tqdm

from ..config import Settings
from ..embedding.runtimes import load_embedder
from ..ingest.catalog import Catalog, amended_pasal
from ..ingest.loaders import LoadFailure, iter_documents
from ..parse.structure import parse_document
from ..records import Passage
from ..text.analysis import ANALYSIS_VERSION, analyze, known_stems
from .store import (
    IndexLayout,
    chroma_client,
    collection_name,
    read_manifest,
    read_passages,
    write_passages,
    write_stems,
)
from .vector_cache import VectorCache, vector_key

log = logging.getLogger(__name__)

# Bump when searchable text, the BM25 parameters, the HNSW configuration or the files of a build change.
PIPELINE_VERSION = "6"
# Lucene BM25; k1 0.9 as in Anserini (tuned on dev: MRR@10 0.628 -> 0.656 over bm25s' default 1.5).
BM25_K1, BM25_B = 0.9, 0.75
# Bump when loading, OCR repair or parsing can give other passages for the same file. A version, not a
# hash of the parser's files: moving or reformatting a module must neither invalidate nor keep a build
# (tests/parse/test_parser_version.py fails when parsing changes while this stays).
PARSER_VERSION = "2"
CHROMA_BATCH = 1000
# Chroma's default ef_search (100) found 0.964 of the exact 50 nearest passages of a dev question
# (min 0.74), so the dense half of the fusion was partly noise; 500 finds 0.998 (min 0.94) in the
# same ~2 ms on the core index.
HNSW_CONFIGURATION = {"hnsw": {"space": "cosine", "ef_search": 500}}
EMBED_CHUNK = 256  # passages embedded and persisted together; an interrupted run loses at most one chunk


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


def lexical_index(token_lists: list[list[str]], show_progress: bool = False) -> bm25s.BM25:
    """A BM25 index over analysed passages, with the product's parameters."""
    lexical = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    lexical.index(token_lists, show_progress=show_progress)
    return lexical


def searchable_text(passage: Passage) -> str:
    """What is embedded and BM25-indexed: the passage with its citation context."""
    # The regulation id is metadata, not content: "Paparan Pembangunan Sentra IKM" in every heading
    # of the overview would make each of its paragraphs match any question about building a sentra.
    heading = passage.heading.removeprefix(passage.regulation).strip(" —")
    context = " / ".join(part for part in (heading, *passage.hierarchy) if part)
    return f"{context}\n{passage.text}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parser_fingerprint(settings: Settings) -> str:
    """Changes whenever parsing could give other passages: parser version, catalog, token budget."""
    parts = [PIPELINE_VERSION, PARSER_VERSION, str(settings.max_passage_tokens)]
    if settings.catalog_path.exists():
        parts.append(settings.catalog_path.read_text(encoding="utf-8"))
    return content_hash("\n".join(parts))


def _previous_files(layout: IndexLayout, fingerprint: str) -> tuple[dict, dict[str, Passage]]:
    """Files and passages of the published build, when its parser matches ours."""
    build = layout.current_build()
    if build is None:
        return {}, {}
    manifest = read_manifest(build)
    if manifest.get("parser") != fingerprint:
        return manifest["files"], {}
    passages = read_passages(build)
    return manifest["files"], {p.id: p for p in passages}


def build_index(settings: Settings, show_progress: bool = True) -> IndexSummary:
    started = time.perf_counter()
    layout = IndexLayout(settings.index_dir)
    catalog = Catalog.load(settings.catalog_path)
    with layout.write_lock():
        layout.prune(settings.chroma_url, settings.collection)
        fingerprint = parser_fingerprint(settings)
        previous_files, previous_passages = _previous_files(layout, fingerprint)

        summary = IndexSummary()
        files: dict[str, dict] = {}
        passages: list[Passage] = []
        # Streamed: a bulk file's documents are parsed one by one, never all held as raw text.
        for document in tqdm(iter_documents(settings.corpus_dirs), desc="Mengurai", unit="berkas", disable=not show_progress):
            if isinstance(document, LoadFailure):
                summary.failures.append(asdict(document))
                continue
            summary.documents += 1
            digest = content_hash(document.text)
            known = previous_files.get(document.path)
            if known and known["sha256"] == digest and all(pid in previous_passages for pid in known["passage_ids"]):
                summary.unchanged += 1
                doc_passages = [previous_passages[pid] for pid in known["passage_ids"]]
            else:
                summary.added += 1
                try:
                    doc_passages = parse_document(document, catalog, max_tokens=settings.max_passage_tokens).passages
                except Exception as error:  # one bad document must not stop the corpus
                    log.exception("failed to parse %s", document.path)
                    failure = LoadFailure(
                        document.path, f"Berkas tidak dapat diurai dan dilewati: {document.source_file}", repr(error)
                    )
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
        if current is not None and summary.added == 0 and summary.removed == 0 and _is_current(current, settings, fingerprint):
            summary.build = current.name
            summary.seconds = round(time.perf_counter() - started, 3)
            return summary

        cache = VectorCache(settings.index_dir / "vectors" / content_hash(settings.embedding_identity)[:16])
        vectors = _embed(settings, cache, passages, show_progress)
        build = _write_build(settings, layout, catalog, passages, vectors, files, fingerprint, show_progress)
        summary.build = layout.publish(build).name
        layout.prune(settings.chroma_url, settings.collection)
        cache.compact({vector_key(settings.embedding_identity, searchable_text(p)) for p in passages})
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _is_current(build: Path, settings: Settings, fingerprint: str) -> bool:
    manifest = read_manifest(build)
    return (
        manifest.get("parser") == fingerprint
        and manifest.get("analysis") == ANALYSIS_VERSION
        and manifest.get("embedding_model") == settings.embedding_identity
        and manifest.get("chroma_url") == settings.chroma_url
    )


def _embed(settings: Settings, cache: VectorCache, passages: list[Passage], show_progress: bool) -> np.ndarray:
    """Vectors for all passages; only those not in the cache are computed, in persisted chunks."""
    keys = [vector_key(settings.embedding_identity, searchable_text(p)) for p in passages]
    missing = list({key: p for key, p in zip(keys, passages) if cache.get(key) is None}.items())
    if missing:
        embedder = load_embedder(settings.embedding_identity, settings.model_cache_dir)
        started = time.perf_counter()
        with tqdm(total=len(missing), desc="Embedding", unit="passage", disable=not show_progress) as bar:
            for start in range(0, len(missing), EMBED_CHUNK):
                chunk = missing[start : start + EMBED_CHUNK]
                vectors = embedder.embed_passages(
                    [searchable_text(p) for _, p in chunk], batch_size=settings.embedding_batch_size
                )
                cache.add([key for key, _ in chunk], vectors)
                bar.update(len(chunk))
                bar.set_postfix(rate=f"{bar.n / (time.perf_counter() - started):.1f}/s")
    if not passages:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([cache.get(key) for key in keys]).astype(np.float32)


def _write_build(
    settings: Settings,
    layout: IndexLayout,
    catalog: Catalog,
    passages: list[Passage],
    vectors: np.ndarray,
    files: dict,
    fingerprint: str,
    show_progress: bool,
) -> Path:
    build = layout.new_build_dir()
    build.mkdir(parents=True)
    write_passages(build, passages)

    lexical = lexical_index([analyze(searchable_text(p)) for p in passages], show_progress)
    lexical.save(str(build / "bm25"), show_progress=False)
    write_stems(build, known_stems())

    amended = amended_pasal([p.amends for p in passages if p.amends])
    statuses = [catalog.pasal_status(p.regulation, p.pasal, amended.get(p.regulation))[0] for p in passages]
    name = collection_name(settings.collection, build)
    client = chroma_client(build, settings.chroma_url)
    collection = client.get_or_create_collection(name, configuration=HNSW_CONFIGURATION, embedding_function=None)
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
        "parser": fingerprint,
        "analysis": ANALYSIS_VERSION,
        # Model and backend (embedding_identity): the retriever loads exactly this to embed queries.
        "embedding_model": settings.embedding_identity,
        "collection": name,
        "chroma_url": settings.chroma_url,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "passages": len(passages),
        "files": files,
    }
    (build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return build
