"""Faults with real parts: kill -9 during `index`, a damaged Chroma folder, a missing index, a slow LLM
server, and kill -9 of the web server after feedback was stored.

Each test works on its own copy of the small index (tests/conftest.py), never on the shared one.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from conftest import REGULATIONS, free_port
from support.launch import start_app

from assistant.answering.chain import LLM_FALLBACK, Assistant
from assistant.config import PROJECT_ROOT
from assistant.indexing.store import IndexLayout, IndexMissingError
from assistant.retrieval.index import DENSE_UNAVAILABLE, LoadedIndex

pytestmark = pytest.mark.integration

QUESTION = "Siapa saja yang dikirim pemerintah untuk mendampingi unit usaha IKM?"


def copy_index(settings, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(settings.index_dir, target)
    return target


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


# --- kill -9 during a re-index ----------------------------------------------------------------------


def test_kill_during_reindex_keeps_the_published_build(small_settings, small_index, tmp_path):
    from assistant.indexing.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REGULATIONS / "pp-29-2018.md", corpus)
    (corpus / "catatan.txt").write_text("Catatan dinas: rapat koordinasi Sentra IKM setiap bulan.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    # The small index's vector cache already holds PP 29/2018: the first build only embeds the note.
    shutil.copytree(small_settings.index_dir / "vectors", index_dir / "vectors")
    settings = small_settings.model_copy(update={"corpus_dirs": [corpus], "index_dir": index_dir})
    first = build_index(settings, show_progress=False)
    assert first.build and first.failures == []

    # A new regulation arrives (its first part keeps the test fast); the killed run is embedding it.
    text = (REGULATIONS / "pp-142-2015.md").read_text(encoding="utf-8")
    (corpus / "pp-142-2015.md").write_text(text[: text.index("Pasal 12")], encoding="utf-8")
    env = child_env(SENTRA_CORPUS_DIRS=str(corpus), SENTRA_INDEX_DIR=str(index_dir))
    command = [sys.executable, "-m", "assistant", "index", "--progress"]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = b""
        deadline = time.monotonic() + 90
        while b"Embedding" not in seen:  # tqdm draws its bar once the model is loaded and embedding starts
            assert time.monotonic() < deadline and process.poll() is None, seen.decode(errors="replace")
            seen += os.read(process.stderr.fileno(), 4096)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()

    layout = IndexLayout(index_dir)
    assert layout.current_build().name == first.build  # CURRENT untouched
    survivor = LoadedIndex.open(settings, embedder=small_index.embedder)
    assert survivor.degraded is None
    answer = Assistant(settings, index=survivor).ask(QUESTION)
    assert not answer.abstained and any(c.pasal == "18" for c in answer.citations)

    # The next run (in-process: the embedder is already loaded here) completes and publishes.
    summary = build_index(settings, show_progress=False)
    assert summary.build != first.build and summary.added == 1 and summary.failures == []
    assert layout.current_build().name == summary.build
    assert not [p for p in layout.builds.iterdir() if p.name.endswith(".partial")]  # leftovers pruned
    published = LoadedIndex.open(settings, embedder=small_index.embedder)
    assert "PP 142/2015" in published.regulations and published.degraded is None


# --- damaged or missing index -----------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_damaged_chroma_folder_answers_from_bm25_with_a_notice(small_settings, small_index, tmp_path, damage):
    index_dir = copy_index(small_settings, tmp_path)
    chroma = IndexLayout(index_dir).current_build() / "chroma"
    if damage == "deleted":
        shutil.rmtree(chroma)
    else:
        for path in chroma.rglob("*"):
            if path.is_file():
                path.write_bytes(b"\x00rusak\xff" * 64)
    settings = small_settings.model_copy(update={"index_dir": index_dir})

    index = LoadedIndex.open(settings, embedder=small_index.embedder)
    assistant = Assistant(settings, index=index)
    answer = assistant.ask(QUESTION)
    assert index.degraded == DENSE_UNAVAILABLE
    assert DENSE_UNAVAILABLE in answer.notices and "python -m assistant index" in DENSE_UNAVAILABLE
    assert not answer.abstained and any(c.pasal == "18" for c in answer.citations)
    # Every later answer carries the notice too, exactly once.
    assert assistant.ask("Pasal 18 PP 29/2018").notices.count(DENSE_UNAVAILABLE) == 1


def test_missing_index_names_the_fix(small_settings, tmp_path):
    settings = small_settings.model_copy(update={"index_dir": tmp_path / "kosong"})
    with pytest.raises(IndexMissingError, match=r"Indeks belum tersedia .*Jalankan dulu: python -m assistant index"):
        LoadedIndex.open(settings)
    # `serve` turns it into that message on stderr and exit code 2 (assistant/serving/app.py).
    from assistant.serving.app import create_app

    with pytest.raises(IndexMissingError):
        create_app(settings, warm_up=False)


# --- slow LLM server --------------------------------------------------------------------------------


class SlowLLMServer:
    """An OpenAI-compatible endpoint that accepts the request and then says nothing for `delay` seconds."""

    def __init__(self, delay: float):
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.requests += 1
                time.sleep(delay)
                try:
                    self.send_error(504, "terlambat")
                except OSError:  # the client gave up long ago
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_slow_llm_server_falls_back_to_extractive_in_time(small_settings, small_index):
    slow = SlowLLMServer(delay=20)
    try:
        settings = small_settings.model_copy(
            update={"answer_backend": "openai", "openai_base_url": slow.url, "llm_timeout_s": 1.5}
        )
        assistant = Assistant(settings, index=small_index)
        started = time.monotonic()
        answer = assistant.ask(QUESTION)
        elapsed = time.monotonic() - started
    finally:
        slow.close()
    assert slow.requests == 1
    assert LLM_FALLBACK in answer.notices
    assert not answer.abstained and answer.citations and "\n**Pasal" in answer.answer  # the quotes, after their lead
    assert elapsed < settings.llm_timeout_s + 4, f"{elapsed:.1f} s"


# --- kill -9 of the web server: stored feedback survives --------------------------------------------


def start_server(index_dir: Path, data_dir: Path, port: int) -> subprocess.Popen:
    return start_app(port, child_env(SENTRA_INDEX_DIR=str(index_dir), SENTRA_DATA_DIR=str(data_dir)), timeout=120)


def test_feedback_survives_kill_9_of_the_server(small_settings, tmp_path):
    index_dir = copy_index(small_settings, tmp_path)
    data_dir = tmp_path / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_server(index_dir, data_dir, port)
    count = 20
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            answer = http.post("/api/ask", json={"question": QUESTION}).json()
            ids = []
            for n in range(count):
                response = http.post(
                    "/api/feedback",
                    json={
                        "question": f"{QUESTION} #{n}",
                        "answer": answer["answer"],
                        "citations": answer["citations"],
                        "rating": "down" if n % 2 else "up",
                        "comment": f"komentar {n}",
                    },
                )
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
            bad = http.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "bagus"})
            assert bad.status_code == 422 and "rating" in bad.json()["detail"]
            assert "/api/feedback" in http.get("/openapi.json").json()["paths"]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    process = start_server(index_dir, data_dir, port)  # restart on the same data
    try:
        assert httpx.get(f"{url}/healthz", timeout=5).json()["status"] == "ok"
    finally:
        process.terminate()
        process.wait(timeout=30)
    with sqlite3.connect(data_dir / "helpdesk.sqlite3") as connection:
        rows = connection.execute("SELECT id, question, comment, source FROM feedback ORDER BY id").fetchall()
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [row[0] for row in rows] == ids
    assert [row[2] for row in rows] == [f"komentar {n}" for n in range(count)]
    assert {row[3] for row in rows} == {"api"}
