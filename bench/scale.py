"""Scale: the whole UU/PP dataset (5,875 regulations, ~127 M chars) through parse, BM25, embedding and search.

    .venv/bin/python bench/scale.py [--dataset ../shared/datasets/peraturan-uu-pp.jsonl.gz]
        [--fraction 1.0] [--embed-budget 150] [--seed 0] [--work-dir /tmp/sentra-scale] [--json OUT]

Phases (each timed; peak RSS after each, from resource.getrusage):
1. parse  - stream the dataset (assistant.ingest.loaders.iter_bulk) and parse every record into passages.
            The core corpus (../shared/corpus: the 7 core regulations and the seed overview) is parsed
            too and replaces the dataset's own copy of those regulations (same source_file name).
            --fraction < 1 parses only the first share of the lines and projects the full figures.
2. bm25   - analyse and index every passage (bm25s), save it, report size on disk.
3. embed  - the dense side covers a subset only: the core corpus (vectors reused from the project
            index's vector cache when present) plus N random dataset regulations (seeded), added one
            regulation at a time until --embed-budget seconds of embedding are spent. Gives the embedding
            rate and the projected embedding time of the whole corpus. Vectors go into an embedded Chroma.
4. query  - the real HybridRetriever over BM25 on all passages + dense on the subset: latency p50/p95
            over the dev questions (each search embeds its question anew), the same questions part by
            part (BM25, query embedding, Chroma), the load average around it, and dev hit@k / MRR@10
            (assistant.evaluation.evaluate), next to the same retriever over the core corpus alone
            (what the app serves today).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import bm25s
import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.config import get_settings
from assistant.embedding.runtimes import load_embedder
from assistant.evaluation.metrics import evaluate, load_items, p95
from assistant.indexing.build import HNSW_CONFIGURATION, content_hash, lexical_index, searchable_text
from assistant.indexing.vector_cache import VectorCache, vector_key
from assistant.ingest.catalog import Catalog
from assistant.ingest.loaders import LoadFailure, iter_bulk, iter_documents
from assistant.parse.structure import parse_document
from assistant.retrieval.index import LoadedIndex
from assistant.retrieval.lookups import Filters
from assistant.retrieval.retriever import HybridRetriever
from assistant.text.analysis import analyze

SHARED = PROJECT_ROOT.parent / "shared"
CORE = [SHARED / "corpus"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def count_lines(path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return sum(1 for _ in handle)


def add_vectors(collection, passages, dense: dict[str, np.ndarray]) -> None:
    """The passages that have a vector, with the regulation the app's regulation filter queries in Chroma."""
    embedded = [p for p in passages if p.id in dense]
    for start in range(0, len(embedded), 1000):
        batch = embedded[start : start + 1000]
        collection.add(
            ids=[p.id for p in batch],
            embeddings=np.stack([dense[p.id] for p in batch]).astype(np.float32).tolist(),
            metadatas=[{"regulation": p.regulation, "source_file": p.source_file} for p in batch],
        )


def milliseconds(call, *args) -> float:
    started = time.perf_counter()
    call(*args)
    return (time.perf_counter() - started) * 1000


def spread(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(p95(values), 1)}


def build_bm25(passages, folder: Path) -> tuple[bm25s.BM25, float, float, float]:
    started = time.perf_counter()
    tokens = [analyze(searchable_text(p)) for p in passages]
    analysed = time.perf_counter() - started
    lexical = lexical_index(tokens)
    del tokens
    seconds = time.perf_counter() - started
    shutil.rmtree(folder, ignore_errors=True)
    lexical.save(str(folder), show_progress=False)
    return lexical, analysed, seconds, folder_mb(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=SHARED / "datasets" / "peraturan-uu-pp.jsonl.gz")
    parser.add_argument("--dev", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of dataset lines to parse")
    parser.add_argument("--embed-budget", type=float, default=150.0, help="seconds of embedding for the random subset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/sentra-scale"))
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()

    settings = get_settings()
    catalog = Catalog.load(settings.catalog_path)
    shutil.rmtree(args.work_dir, ignore_errors=True)
    args.work_dir.mkdir(parents=True)
    figures: dict = {"dataset": str(args.dataset), "fraction": args.fraction}

    # --- 1. parse -----------------------------------------------------------------------------
    core_docs = [d for d in iter_documents(CORE) if not isinstance(d, LoadFailure)]
    core_names = {d.source_file for d in core_docs}
    total_lines = count_lines(args.dataset)
    limit = round(total_lines * args.fraction)
    started = time.perf_counter()
    per_doc: list[list] = []  # passages of each dataset regulation, in dataset order
    chars = docs = failures = replaced = 0
    for item in iter_bulk(args.dataset):
        if isinstance(item, LoadFailure):
            failures += 1
            continue
        if len(per_doc) + replaced + failures >= limit:
            break
        if item.source_file in core_names:
            replaced += 1  # the curated core copy is used instead
            continue
        chars += len(item.text)
        docs += 1
        try:
            per_doc.append(parse_document(item, catalog, max_tokens=settings.max_passage_tokens).passages)
        except Exception:  # counted, not fatal: one odd record must not stop the measurement
            failures += 1
    parse_seconds = time.perf_counter() - started
    core_passages = [p for d in core_docs for p in parse_document(d, catalog, max_tokens=settings.max_passage_tokens).passages]
    seen: set[str] = set()
    passages = []
    for p in core_passages + [p for doc in per_doc for p in doc]:
        if p.id not in seen:  # identical passages (repeated records) are indexed once
            seen.add(p.id)
            passages.append(p)
    dataset_passages = sum(len(d) for d in per_doc)
    figures["parse"] = {
        "dataset_lines": total_lines,
        "documents": docs,
        "replaced_by_core": replaced,
        "failures": failures,
        "chars": chars,
        "seconds": round(parse_seconds, 1),
        "chars_per_s": round(chars / parse_seconds),
        "docs_per_s": round(docs / parse_seconds, 1),
        "dataset_passages": dataset_passages,
        "core_passages": len(core_passages),
        "passages_indexed": len(passages),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    if args.fraction < 1:
        scale = total_lines / max(docs + replaced + failures, 1)
        figures["parse"]["projected_full"] = {
            "seconds": round(parse_seconds * scale, 1),
            "passages": round(dataset_passages * scale),
        }
    print("parse:", json.dumps(figures["parse"]), flush=True)

    # --- 2. BM25 ------------------------------------------------------------------------------
    lexical, analysed, seconds, size = build_bm25(passages, args.work_dir / "bm25-full")
    figures["bm25"] = {
        "passages": len(passages),
        "analyse_seconds": round(analysed, 1),
        "total_seconds": round(seconds, 1),
        "disk_mb": round(size, 1),
        "vocabulary": len(lexical.vocab_dict),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    print("bm25:", json.dumps(figures["bm25"]), flush=True)

    # --- 3. embed a subset --------------------------------------------------------------------
    started = time.perf_counter()
    embedder = load_embedder(settings.embedding_identity, settings.model_cache_dir)
    load_seconds = time.perf_counter() - started
    embedder.embed_passages([searchable_text(p) for p in passages[:8]], batch_size=8)  # warm-up, not timed
    cache = VectorCache(settings.index_dir / "vectors" / content_hash(settings.embedding_identity)[:16])
    key = lambda p: vector_key(settings.embedding_identity, searchable_text(p))
    dense: dict[str, np.ndarray] = {}
    missing = []
    for p in core_passages:
        vector = cache.get(key(p))
        if vector is None:
            missing.append(p)
        else:
            dense[p.id] = vector
    if missing:
        vectors = embedder.embed_passages([searchable_text(p) for p in missing], batch_size=settings.embedding_batch_size)
        dense.update(zip([p.id for p in missing], vectors))
    order = list(range(len(per_doc)))
    random.Random(args.seed).shuffle(order)
    embedded = embedded_docs = embedded_chars = 0
    embed_seconds = 0.0
    for position in order:
        if embed_seconds >= args.embed_budget:
            break
        todo = [p for p in per_doc[position] if p.id not in dense]
        if not todo:
            continue
        texts = [searchable_text(p) for p in todo]
        started = time.perf_counter()
        vectors = embedder.embed_passages(texts, batch_size=settings.embedding_batch_size)
        embed_seconds += time.perf_counter() - started
        dense.update(zip([p.id for p in todo], vectors))
        embedded += len(todo)
        embedded_docs += 1
        embedded_chars += sum(map(len, texts))
    rate = embedded / embed_seconds if embed_seconds else 0.0
    client = chromadb.PersistentClient(path=str(args.work_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("scale", configuration=HNSW_CONFIGURATION, embedding_function=None)
    started = time.perf_counter()
    add_vectors(collection, passages, dense)
    insert_seconds = time.perf_counter() - started
    figures["embed"] = {
        "model": settings.embedding_identity,
        "model_load_seconds": round(load_seconds, 1),
        "core_passages": len(core_passages),
        "core_reused_from_cache": len(core_passages) - len(missing),
        "random_regulations": embedded_docs,
        "random_passages": embedded,
        "seconds": round(embed_seconds, 1),
        "passages_per_s": round(rate, 2),
        "chars_per_s": round(embedded_chars / embed_seconds) if embed_seconds else 0,
        "projected_full_corpus_hours": round(len(passages) / rate / 3600, 2) if rate else None,
        "chroma_vectors": collection.count(),
        "chroma_insert_seconds": round(insert_seconds, 1),
        "chroma_disk_mb": round(folder_mb(args.work_dir / "chroma"), 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    print("embed:", json.dumps(figures["embed"]), flush=True)

    # --- 4. query -----------------------------------------------------------------------------
    items = load_items(args.dev)
    questions = [item["question"] for item in items]
    core_collection = client.get_or_create_collection("core", configuration=HNSW_CONFIGURATION, embedding_function=None)
    add_vectors(core_collection, core_passages, dense)
    core_lexical = lexical_index([analyze(searchable_text(p)) for p in core_passages])
    systems = {
        "full BM25 + subset dense": LoadedIndex.from_parts(settings, passages, catalog, lexical, embedder, collection),
        "core only (today)": LoadedIndex.from_parts(settings, core_passages, catalog, core_lexical, embedder, core_collection),
    }
    figures["query"] = {}
    for name, index in systems.items():
        retriever = HybridRetriever(index=index, k=10)
        retriever.retrieve(questions[0])  # warm-up
        load_before = os.getloadavg()
        latencies: list[float] = []
        parts: dict[str, list[float]] = {"bm25": [], "query_embedding": [], "chroma": []}
        for question in questions:
            index.raw_query_vector.cache_clear()  # every search embeds its question, as a new one would
            latencies.append(milliseconds(retriever.retrieve, question))
            # The same question once more, part by part (unfiltered, as the search's main rankings).
            index.raw_query_vector.cache_clear()
            parts["bm25"].append(milliseconds(index.lexical_ranking, question, Filters()))
            parts["query_embedding"].append(milliseconds(index.query_vector, question))
            vector = index.query_vector(question)
            parts["chroma"].append(milliseconds(index.dense_ranking, vector, Filters()))
        result = evaluate(items, lambda q, r=retriever: [x.passage.text for x in r.retrieve(q, k=10)])
        figures["query"][name] = {
            "passages": len(index.passages),
            "dense_passages": index.collection.count(),
            **spread(latencies),
            "parts": {part: spread(values) for part, values in parts.items()},
            "load_average_1min": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
            **result["overall"],
        }
        print(f"query [{name}]:", json.dumps(figures["query"][name]), flush=True)
    figures["peak_rss_mb"] = round(peak_rss_mb())

    print()
    print(format_report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def format_report(f: dict) -> str:
    p, b, e = f["parse"], f["bm25"], f["embed"]
    lines = [
        f"parse   : {p['documents']} regulations, {p['chars'] / 1e6:.1f} M chars in {p['seconds']} s "
        f"= {p['chars_per_s'] / 1e6:.2f} M chars/s, {p['docs_per_s']} docs/s; {p['failures']} failures; "
        f"{p['passages_indexed']} passages indexed ({p['dataset_passages']} dataset + {p['core_passages']} core); "
        f"peak RSS {p['peak_rss_mb']} MB",
    ]
    if "projected_full" in p:
        lines.append(f"          projected full dataset: {p['projected_full']['seconds']} s, {p['projected_full']['passages']} passages")
    lines += [
        f"bm25    : {b['passages']} passages in {b['total_seconds']} s (analysis {b['analyse_seconds']} s), "
        f"{b['disk_mb']} MB on disk, vocabulary {b['vocabulary']}; peak RSS {b['peak_rss_mb']} MB",
        f"embed   : {e['random_passages']} passages of {e['random_regulations']} random regulations in {e['seconds']} s "
        f"= {e['passages_per_s']} passages/s ({e['chars_per_s']} chars/s); + {e['core_passages']} core passages "
        f"({e['core_reused_from_cache']} from cache); projected full corpus: {e['projected_full_corpus_hours']} h "
        f"on this machine; Chroma insert {e['chroma_vectors']} vectors in {e['chroma_insert_seconds']} s, "
        f"{e['chroma_disk_mb']} MB",
        f"index   : on disk BM25 {b['disk_mb']} MB (all {b['passages']} passages) + Chroma {e['chroma_disk_mb']} MB "
        f"({e['chroma_vectors']} vectors; ~{e['chroma_disk_mb'] * b['passages'] / e['chroma_vectors']:.0f} MB "
        f"for all passages, projected linearly)",
    ]
    for name, q in f["query"].items():
        parts = ", ".join(f"{part} {v['p50_ms']}/{v['p95_ms']}" for part, v in q["parts"].items())
        lines += [
            f"query   : {name:<26} {q['passages']:>7} passages  p50 {q['p50_ms']:7.1f} ms  p95 {q['p95_ms']:7.1f} ms  "
            f"hit@1 {q['hit@1']:.3f}  hit@5 {q['hit@5']:.3f}  MRR@10 {q['mrr@10']:.3f}",
            f"          BM25 over all {q['passages']} passages, dense over {q['dense_passages']} "
            f"({100 * q['dense_passages'] / q['passages']:.1f} %); parts p50/p95 ms: {parts}; "
            f"load average (1 min) {q['load_average_1min'][0]} -> {q['load_average_1min'][1]}",
        ]
    lines.append(
        f"quality : dev questions against the core corpus plus {p['passages_indexed'] - p['core_passages']} "
        f"dataset passages as distractors (first query line) and against the core corpus alone (second)"
    )
    lines.append(f"peak RSS: {f['peak_rss_mb']} MB")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
