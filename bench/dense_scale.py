"""Dense side at full size, on a Chroma server: query latency, memory and disk at the whole UU/PP dataset's
passage count (239,414), at 500,000 vectors, and a projection to pasal.id's scale (~1M articles).

    .venv/bin/python bench/dense_scale.py [--points 239414,500000] [--project 1000000] [--queries 200]
        [--work-dir /tmp/sentra-dense] [--json OUT]

What is real and what is generated (printed with the figures):
- the server: `chroma run` on loopback, one collection with the app's HNSW settings (cosine,
  ef_search 500; assistant/indexing/build.py), queried through chromadb.HttpClient as the app queries it
  (n_results = candidate depth 50);
- vectors: the core corpus's own passage vectors from the project index's vector cache (3,907 e5-small
  vectors); embedding all 239,414 dataset passages would take ~2.5 h here (bench/scale.py measures
  ~26 passages/s), so the rest are drawn from a Gaussian with the real vectors' mean and covariance,
  then L2-normalised like e5's;
- documents and metadata: the core passages' texts and regulation ids, repeated, so the stored bytes
  per passage match the app's;
- queries: the dev questions embedded with the real model ("query: " prefix), repeated to --queries,
  after 20 warm-up queries that are not counted.
Memory is the server process's RSS after the load and after the queries; disk is its data folder.
The projection: latency grows with log(n) at the median's slope between the points, added to the last
p95; memory and disk grow linearly in n.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # the launchers the tests use (tests/support/)

import chromadb  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402
from load import free_port, rss_mb  # noqa: E402  bench/load.py
from scale import folder_mb  # noqa: E402  bench/scale.py
from support.launch import chroma_server  # noqa: E402

from assistant.config import get_settings  # noqa: E402
from assistant.embedding.runtimes import load_embedder  # noqa: E402
from assistant.evaluation.metrics import load_items, p95  # noqa: E402
from assistant.indexing.build import HNSW_CONFIGURATION, content_hash, searchable_text  # noqa: E402
from assistant.indexing.vector_cache import VectorCache, vector_key  # noqa: E402
from assistant.retrieval.index import LoadedIndex  # noqa: E402

BATCH = 5_000  # below Chroma's maximum batch size
SEED = 0


def real_vectors(settings) -> tuple[np.ndarray, list, list[str]]:
    """The core corpus's passages and their cached vectors (no embedding)."""
    index = LoadedIndex.open(settings)
    cache = VectorCache(settings.index_dir / "vectors" / content_hash(settings.embedding_identity)[:16])
    rows, passages = [], []
    for passage in index.passages:
        vector = cache.get(vector_key(settings.embedding_identity, searchable_text(passage)))
        if vector is not None:
            rows.append(vector)
            passages.append(passage)
    return np.asarray(rows, dtype=np.float32), passages, [p.regulation for p in passages]


def generated(real: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    mean = real.mean(axis=0)
    covariance = np.cov(real, rowvar=False)
    drawn = rng.multivariate_normal(mean, covariance, size=count, method="cholesky").astype(np.float32)
    return drawn / np.linalg.norm(drawn, axis=1, keepdims=True)


def fill(collection, start: int, stop: int, real: np.ndarray, passages: list, rng: np.random.Generator) -> float:
    """Add vectors [start, stop) (real ones first, then generated); seconds spent."""
    began = time.perf_counter()
    for low in range(start, stop, BATCH):
        high = min(stop, low + BATCH)
        vectors = np.empty((high - low, real.shape[1]), dtype=np.float32)
        from_real = max(0, min(high, len(real)) - low)
        if from_real:
            vectors[:from_real] = real[low : low + from_real]
        if from_real < high - low:
            vectors[from_real:] = generated(real, high - low - from_real, rng)
        source = [passages[i % len(passages)] for i in range(low, high)]
        collection.add(
            ids=[f"v{i}" for i in range(low, high)],
            embeddings=vectors.tolist(),
            documents=[p.text for p in source],
            metadatas=[{"regulation": p.regulation, "status": "berlaku"} for p in source],
        )
        if high % 50_000 < BATCH or high == stop:
            print(f"  {high:>9,} vektor  ({time.perf_counter() - began:6.0f} s)", flush=True)
    return time.perf_counter() - began


WARM_UP = 20  # queries run and discarded first: the first ones after a bulk load pay for flushing it


def measure(collection, queries: np.ndarray, depth: int) -> dict:
    for vector in queries[:WARM_UP]:
        collection.query(query_embeddings=[vector.tolist()], n_results=depth, include=["distances"])
    latencies = []
    for vector in queries:
        began = time.perf_counter()
        collection.query(query_embeddings=[vector.tolist()], n_results=depth, include=["distances"])
        latencies.append((time.perf_counter() - began) * 1000)
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(p95(latencies), 1),
        "max_ms": round(max(latencies), 1),
    }


def project(points: list[dict], target: int) -> dict:
    """From the first and the last point: latency grows like HNSW's search, with log(n), at the slope the
    median shows (the median is steadier than a tail of 200 queries; a slope below zero counts as zero),
    added to the last point's p95; memory and disk grow linearly in n."""
    first, last = points[0], points[-1]

    def line(x0: float, y0: float, x1: float, y1: float, x: float) -> float:
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0)

    log_n = [math.log(first["vectors"]), math.log(last["vectors"]), math.log(target)]
    slope = max(0.0, (last["query"]["p50_ms"] - first["query"]["p50_ms"]) / (log_n[1] - log_n[0]))
    return {
        "vectors": target,
        "p95_ms": round(last["query"]["p95_ms"] + slope * (log_n[2] - log_n[1]), 1),
        "server_rss_mb": round(line(first["vectors"], first["server_rss_mb"], last["vectors"], last["server_rss_mb"], target)),
        "disk_mb": round(line(first["vectors"], first["disk_mb"], last["vectors"], last["disk_mb"], target)),
        "method": "p95 = last p95 + (p50 slope on log n) * (log target - log last); RSS and disk linear in n",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Sisi dense pada skala penuh di server Chroma")
    parser.add_argument("--points", default="239414,500000")
    parser.add_argument("--project", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/sentra-dense"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    points = sorted(int(p) for p in args.points.split(","))

    settings = get_settings()
    real, passages, _ = real_vectors(settings)
    embedder = load_embedder(settings.embedding_identity, settings.model_cache_dir)
    questions = [item["question"] for item in load_items(settings.dev_path)]
    query_vectors = np.asarray([embedder.embed_query(q) for q in questions], dtype=np.float32)
    queries = np.resize(query_vectors, (args.queries, query_vectors.shape[1]))
    print(f"{len(real):,} vektor nyata (indeks inti); sisanya dibangkitkan dari Gaussian dengan rerata dan "
          f"kovarians vektor nyata; {len(questions)} pertanyaan dev sebagai kueri, diulang sampai {args.queries}.")

    shutil.rmtree(args.work_dir, ignore_errors=True)
    args.work_dir.mkdir(parents=True)
    data = args.work_dir / "chroma"
    rng = np.random.default_rng(SEED)
    measured = []
    with chroma_server(data, free_port(), args.work_dir / "chroma.log") as server:
        server_pid = server.pid
        port = int(server.url.rsplit(":", 1)[1])
        client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
        collection = client.create_collection("passages-scale", configuration=HNSW_CONFIGURATION, embedding_function=None)
        have = 0
        for target in points:
            print(f"mengisi sampai {target:,} vektor ...", flush=True)
            seconds = fill(collection, have, target, real, passages, rng)
            have = target
            loaded_rss = rss_mb(server_pid)
            query = measure(collection, queries, settings.candidate_depth)
            point = {
                "vectors": target,
                "real_vectors": min(target, len(real)),
                "insert_s": round(seconds, 1),
                "insert_per_s": round((target - (measured[-1]["vectors"] if measured else 0)) / seconds),
                "query": query,
                "server_rss_mb": round(max(loaded_rss, rss_mb(server_pid))),
                "disk_mb": round(folder_mb(data)),
            }
            measured.append(point)
            print(f"{target:>9,} vektor: kueri p50 {query['p50_ms']} ms, p95 {query['p95_ms']} ms, maks {query['max_ms']} ms; "
                  f"RSS server {point['server_rss_mb']} MB; disk {point['disk_mb']} MB; isi {point['insert_per_s']}/s",
                  flush=True)
    projection = project(measured, args.project)
    print(f"proyeksi {args.project:,} vektor: p95 ≈ {projection['p95_ms']} ms, RSS ≈ {projection['server_rss_mb']} MB, "
          f"disk ≈ {projection['disk_mb']} MB ({projection['method']})")
    result = {"points": measured, "projection": projection, "real_vectors": len(real), "queries": args.queries,
              "depth": settings.candidate_depth}
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    shutil.rmtree(args.work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
