"""Evenly spread text samples from a folder of regulation files, for embedder checks and benchmarks."""

from __future__ import annotations

import re
from pathlib import Path


def corpus_windows(folder: Path, count: int, words: int = 120) -> list[str]:
    """`count` windows of `words` words, spread evenly over all `.md` files (OCR `^` removed)."""
    windows = []
    for path in sorted(folder.glob("*.md")):
        tokens = re.sub(r"\s+", " ", path.read_text(encoding="utf-8").replace("^", "")).split(" ")
        windows += [" ".join(tokens[i : i + words]) for i in range(0, len(tokens) - words + 1, words)]
    step = max(1, len(windows) // count)
    return windows[::step][:count]
