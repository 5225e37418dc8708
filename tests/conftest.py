"""Shared fixtures: the read-only corpus in ../shared, and a real index over a small slice of it."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.records import Passage

SHARED = Path(os.environ.get("SENTRA_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
REGULATIONS = SHARED / "corpus" / "regulations"
SEED = SHARED / "corpus" / "seed" / "pembangunan-sentra-ikm.txt"
DEV = SHARED / "eval" / "dev.jsonl"


KINDS = ("unit", "integration", "browser")
# Fixtures that bring a real model, index or server: a test using any of them is an integration test.
INTEGRATION_FIXTURES = {"small_corpus", "small_settings", "small_index", "chroma_server", "postgres"}


def pytest_collection_modifyitems(items) -> None:
    """Tests name their kind with a module-level `pytestmark`; in mixed modules the kind comes from the
    fixtures a test uses."""
    for item in items:
        if not any(item.get_closest_marker(kind) for kind in KINDS):
            kind = "integration" if INTEGRATION_FIXTURES & set(item.fixturenames) else "unit"
            item.add_marker(getattr(pytest.mark, kind))


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
    from assistant.indexing.build import build_index

    settings = make_settings(small_corpus, tmp_path_factory.mktemp("index"))
    build_index(settings, show_progress=False)
    return settings


@pytest.fixture(scope="session")
def small_index(small_settings):
    from assistant.retrieval.index import LoadedIndex

    return LoadedIndex.open(small_settings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` server on a loopback port, with its data in tmp_path."""
    from support.launch import CHROMA
    from support.launch import chroma_server as running_chroma

    if not CHROMA.exists():
        pytest.skip(f"CLI chroma tidak ditemukan di {CHROMA}")
    with running_chroma(tmp_path / "chroma-data", free_port(), tmp_path / "chroma.log") as chroma:
        yield chroma.url


class RunningServer:
    """uvicorn in a background thread; stop() waits for a clean shutdown."""

    def __init__(self, app):
        import uvicorn

        from assistant.serving.app import server_config

        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = server_config(app, app.state.context.settings, "127.0.0.1", self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server tidak berhasil dijalankan")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


HELPDESK_PASSWORD = "sandi-uji-helpdesk"
# Gradio's queue uses pandas options that pandas 3 deprecates; not ours to fix.
GRADIO_PANDAS_WARNINGS = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting.*"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated.*"),
]


def settings_for_web(settings: Settings, data_dir: Path) -> Settings:
    """Settings for a web app test: its own feedback database, the help desk enabled, and rate limits
    out of the way of tests that ask many questions from one address (tests/serving/test_security.py sets them)."""
    return settings.model_copy(
        update={
            "data_dir": data_dir,
            "helpdesk_password": HELPDESK_PASSWORD,
            "ask_rate_limit": "",
            "feedback_rate_limit": "",
        }
    )


@contextmanager
def running_app(settings: Settings):
    from assistant.serving.app import create_app

    running = RunningServer(create_app(settings)).start()
    try:
        yield running
    finally:
        running.stop()


def passage(pid: str, regulation: str, pasal: str, text: str, amends: str = "") -> Passage:
    number, year = regulation.split()[1].split("/")
    return Passage(
        id=pid,
        regulation=regulation,
        type=regulation.split()[0],
        number=number,
        year=year,
        title="",
        kind="pasal",
        pasal=pasal,
        ayat_start="",
        ayat_end="",
        heading=f"{regulation} Pasal {pasal}",
        hierarchy=(),
        text=text,
        source_file="x.md",
        char_start=0,
        char_end=len(text),
        amends=amends,
    )
