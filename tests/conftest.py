"""Shared fixtures: the read-only corpus in ../shared, and a real index over a small slice of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings

SHARED = Path(os.environ.get("SENTRA_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
REGULATIONS = SHARED / "corpus" / "regulations"
SEED = SHARED / "corpus" / "seed" / "pembangunan-sentra-ikm.txt"
DEV = SHARED / "eval" / "dev.jsonl"


def require_shared() -> None:
    if not REGULATIONS.exists():
        pytest.skip(f"korpus bersama tidak ditemukan di {SHARED} (atur SENTRA_SHARED_DIR)")


def make_settings(corpus: Path, index_dir: Path, **overrides) -> Settings:
    return Settings(corpus_dirs=[corpus], index_dir=index_dir, **overrides)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory) -> Path:
    """PP 29/2018 and the seed overview: enough structure for real retrieval, fast to embed."""
    require_shared()
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(REGULATIONS / "pp-29-2018.md", folder)
    shutil.copy(SEED, folder)
    return folder


@pytest.fixture(scope="session")
def small_settings(small_corpus, tmp_path_factory) -> Settings:
    from assistant.indexer import build_index

    settings = make_settings(small_corpus, tmp_path_factory.mktemp("index"))
    build_index(settings, show_progress=False)
    return settings


@pytest.fixture(scope="session")
def small_index(small_settings):
    from assistant.retriever import LoadedIndex

    return LoadedIndex.open(small_settings)
