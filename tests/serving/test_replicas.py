"""Two `serve` processes sharing one `chroma run` server, one PostgreSQL and one index folder: feedback
given through one replica is in the other's help desk, and a build published while both serve is
taken up by both without a restart (questions keep being answered while it is written)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import httpx
import pytest
import sqlalchemy as sa
from conftest import HELPDESK_PASSWORD, REGULATIONS, free_port, make_settings
from support.launch import wait_until_ready
from support.postgres import PostgresServer

pytestmark = pytest.mark.integration

QUESTION = "Apa yang dimaksud dengan Sentra IKM?"


def start_replica(env: dict, log_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=os.environ | env, stdout=log, stderr=subprocess.STDOUT,
    )
    return process, f"http://127.0.0.1:{port}"


def wait_healthy(process: subprocess.Popen, url: str, log_path) -> dict:
    try:
        wait_until_ready(f"{url}/healthz", process, timeout=240)
    except (RuntimeError, TimeoutError) as error:
        raise RuntimeError(log_path.read_text(errors="replace")[-3000:]) from error
    return httpx.get(f"{url}/healthz", timeout=5).json()


def test_two_replicas_share_feedback_and_follow_a_published_index(small_settings, chroma_server, tmp_path):
    from assistant.indexing.build import build_index

    corpus = tmp_path / "corpus"
    shutil.copytree(small_settings.corpus_dirs[0], corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(small_settings.index_dir / "vectors", index_dir / "vectors")  # nothing embedded twice
    settings = make_settings(corpus, index_dir, chroma_url=chroma_server)
    first = build_index(settings, show_progress=False).build

    with PostgresServer(free_port()) as postgres:
        with sa.create_engine(postgres.url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(sa.text("CREATE DATABASE helpdesk"))
        shared = {
            "SENTRA_CORPUS_DIRS": str(corpus),
            "SENTRA_INDEX_DIR": str(index_dir),
            "SENTRA_CHROMA_URL": chroma_server,
            "SENTRA_DATABASE_URL": postgres.url.rsplit("/", 1)[0] + "/helpdesk",
            "SENTRA_SESSION_SECRET": "rahasia-bersama-replika",
            "SENTRA_HELPDESK_PASSWORD": HELPDESK_PASSWORD,
            "SENTRA_INDEX_POLL_S": "0.5",
            "SENTRA_ASK_RATE_LIMIT": "",
            "SENTRA_FEEDBACK_RATE_LIMIT": "",
        }
        replicas = []
        try:
            for name in ("a", "b"):
                env = shared | {"SENTRA_DATA_DIR": str(tmp_path / f"data-{name}")}  # not shared: unused
                replicas.append((*start_replica(env, tmp_path / f"{name}.log"), tmp_path / f"{name}.log"))
            for process, url, log in replicas:
                assert wait_healthy(process, url, log)["index_build"] == first
            (_, a, _), (_, b, _) = replicas

            # Feedback through A, read through B's help desk (export and page data).
            answer = httpx.post(f"{a}/api/ask", json={"question": QUESTION}, timeout=60).json()
            given = {"question": QUESTION, "answer": answer["answer"], "citations": answer["citations"][:1],
                     "rating": "down", "comment": "diberikan lewat replika A"}
            assert httpx.post(f"{a}/api/feedback", json=given, timeout=30).status_code == 201
            desk = httpx.Client(base_url=b, timeout=30)
            assert desk.post("/helpdesk/login", data={"password": HELPDESK_PASSWORD}).status_code == 303
            export = desk.get("/helpdesk/export/umpan-balik-negatif.csv")
            assert export.status_code == 200 and "diberikan lewat replika A" in export.text
            # The session signed by B is good on A too (one shared secret): a balancer may switch replicas.
            desk_on_a = httpx.get(f"{a}/helpdesk/export/umpan-balik-negatif.csv", cookies=desk.cookies, timeout=30)
            assert desk_on_a.status_code == 200 and "diberikan lewat replika A" in desk_on_a.text

            # Publish a new build while both answer questions without pause.
            failures: list[str] = []
            answered: list[str] = []
            stop = threading.Event()

            def keep_asking(url: str) -> None:
                while not stop.is_set():
                    try:
                        response = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=60)
                        if response.status_code != 200 or not response.json()["citations"]:
                            failures.append(f"{url}: {response.status_code} {response.text[:200]}")
                        else:
                            answered.append(url)
                    except httpx.HTTPError as error:
                        failures.append(f"{url}: {error!r}")

            askers = [threading.Thread(target=keep_asking, args=(url,)) for _, url, _ in replicas]
            for asker in askers:
                asker.start()
            shutil.copy(REGULATIONS / "pp-142-2015.md", corpus)
            second = build_index(settings, show_progress=False).build
            assert second != first
            deadline = time.monotonic() + 120
            for _, url, _ in replicas:
                while httpx.get(f"{url}/healthz", timeout=10).json()["index_build"] != second:
                    assert time.monotonic() < deadline, f"{url} tidak memakai build baru"
                    time.sleep(0.5)
            stop.set()
            for asker in askers:
                asker.join()
            assert failures == [] and {url for _, url, _ in replicas} <= set(answered)
            for _, url, _ in replicas:
                reply = httpx.post(f"{url}/api/ask", json={"question": "Apa yang dimaksud dengan Kawasan Industri?"}, timeout=60)
                assert any(c["regulation"] == "PP 142/2015" for c in reply.json()["citations"]), url
            for process, _, _ in replicas:
                assert process.poll() is None  # no restart happened
        finally:
            for process, _, _ in replicas:
                process.terminate()
            for process, _, _ in replicas:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
