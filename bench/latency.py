"""Retrieval and extractive `ask` latency per dev question (p50/p95/max), on the published index.

    .venv/bin/python bench/latency.py [--dev ../shared/eval/dev.jsonl] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from assistant.answering.chain import Assistant
from assistant.config import PROJECT_ROOT, get_settings
from assistant.evaluation.metrics import load_items, p95


def report(name: str, values: list[float]) -> str:
    return (
        f"{name:<22} n={len(values):<4} p50={statistics.median(values):7.1f} ms  "
        f"p95={p95(values):7.1f} ms  max={max(values):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", type=Path, default=PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    questions = [item["question"] for item in load_items(args.dev)]
    assistant = Assistant(get_settings())
    assistant.ask(questions[0])  # warm-up: model load, caches

    retrieval, answering = [], []
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            assistant.retriever.retrieve(question)
            retrieval.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            assistant.ask(question)
            answering.append((time.perf_counter() - started) * 1000)
    print(f"index: {assistant.index.build.name}, passages: {len(assistant.index.passages)}")
    print(report("retrieval (hybrid)", retrieval))
    print(report("ask (extractive)", answering))


if __name__ == "__main__":
    main()
