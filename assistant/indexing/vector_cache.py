"""Embeddings kept by the content they were computed from, on disk, in small atomic chunks.

An interrupted `index` run (even kill -9) keeps every chunk it finished, so the next run embeds
only what is missing; an unchanged passage is never embedded twice, whatever else changed.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import numpy as np


def vector_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\n{text}".encode("utf-8")).hexdigest()


class VectorCache:
    def __init__(self, folder: Path):
        self.folder = folder
        self.vectors: dict[str, np.ndarray] = {}
        for chunk in sorted(folder.glob("*.npz")) if folder.exists() else []:
            try:
                with np.load(chunk) as data:
                    self.vectors.update(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):  # a damaged chunk only costs re-embedding its rows
                chunk.unlink(missing_ok=True)

    def get(self, key: str) -> np.ndarray | None:
        return self.vectors.get(key)

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        """Store and persist one chunk; it is visible to a later run only once completely written."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.vectors.update(zip(keys, vectors))
        self._write(self.folder / f"{uuid.uuid4().hex}.npz", keys, vectors)

    def compact(self, keep: set[str]) -> None:
        """Rewrite the cache as one chunk holding only `keep` (the published build's vectors)."""
        if not self.folder.exists():
            return
        old = list(self.folder.glob("*.npz"))
        keys = [k for k in self.vectors if k in keep]
        if keys:
            self._write(self.folder / f"{uuid.uuid4().hex}.npz", keys, np.stack([self.vectors[k] for k in keys]))
        for chunk in old:
            chunk.unlink(missing_ok=True)
        self.vectors = {k: self.vectors[k] for k in keys}

    @staticmethod
    def _write(path: Path, keys: list[str], vectors: np.ndarray) -> None:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            np.savez(handle, keys=np.array(keys), vectors=np.asarray(vectors, dtype=np.float32))
        os.replace(tmp, path)
