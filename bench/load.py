"""Concurrent load on a real server: N clients x M questions through POST /api/ask, then the same through
the Gradio API `/ask` (gradio_client). Prints errors, p50/p95/max latency and the server's RSS.

    .venv/bin/python bench/load.py [--clients 20] [--questions 10] [--index-dir index] [--dev ../shared/eval/dev.jsonl]
    .venv/bin/python bench/load.py --replicas 2     # the deployment of README "Replika"

The server is started as a subprocess (`python app.py`) on loopback with its own temporary data folder,
so benchmark questions never reach the real help-desk database. Nothing leaves 127.0.0.1.
With --replicas N: a `chroma run` server, a PostgreSQL (initdb in a temporary folder) and N app
processes sharing both and one index folder (built anew on the Chroma server from the configured
corpus, reusing the project index's vectors); the clients are spread over the replicas round-robin.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # the launchers the tests use (tests/support/)

from support.launch import start_app  # noqa: E402

from assistant.evaluation.metrics import p95  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_server(port: int, index_dir: Path | None, data_dir: Path) -> subprocess.Popen:
    # All clients share one loopback address: the per-client question limit would measure itself.
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", SENTRA_DATA_DIR=str(data_dir), SENTRA_ASK_RATE_LIMIT="")
    if index_dir is not None:
        env["SENTRA_INDEX_DIR"] = str(index_dir)
    return start_app(port, env)


def run_clients(clients: int, questions: list[str], worker) -> tuple[list[float], list[str], float]:
    """`clients` threads, each asking every question once; returns latencies (ms), errors, wall seconds."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        session = worker.session()
        try:
            for n in range(len(questions)):
                question = questions[(number + n) % len(questions)]  # clients start at different questions
                started = time.perf_counter()
                try:
                    worker.ask(session, question)
                    with lock:
                        latencies.append((time.perf_counter() - started) * 1000)
                except Exception as error:  # counted and reported, the run goes on
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}"[:200])
        finally:
            worker.close(session)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    return latencies, errors, time.perf_counter() - started


class RoundRobin:
    """The next of `urls` for each new client session, as a round-robin balancer gives them out."""

    def __init__(self, urls: tuple[str, ...]):
        self.urls = itertools.cycle(urls)
        self.lock = threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            return next(self.urls)


class HttpWorker:
    def __init__(self, *urls: str):
        self.next_url = RoundRobin(urls)

    def session(self) -> httpx.Client:
        return httpx.Client(base_url=self.next_url(), timeout=120)

    def ask(self, session: httpx.Client, question: str) -> None:
        response = session.post("/api/ask", json={"question": question})
        response.raise_for_status()
        if "answer" not in response.json():
            raise ValueError("respons tanpa field answer")

    def close(self, session: httpx.Client) -> None:
        session.close()


class GradioWorker:
    """Gradio's queue keeps a client on the replica it started with (sticky), as a balancer must."""

    def __init__(self, *urls: str):
        self.next_url = RoundRobin(urls)

    def session(self):
        from gradio_client import Client

        return Client(self.next_url() + "/", verbose=False)

    def ask(self, session, question: str) -> None:
        markdown, contract = session.predict(question, api_name="/ask")
        if not markdown or "answer" not in contract:
            raise ValueError("respons Gradio tidak lengkap")

    def close(self, session) -> None:
        try:
            session.close()
        except Exception:
            pass


def report(name: str, latencies: list[float], errors: list[str], seconds: float) -> dict:
    result = {
        "name": name,
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(p95(latencies), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "throughput_per_s": round(len(latencies) / seconds, 1) if seconds else None,
    }
    print(
        f"{name:<16} permintaan={result['requests']:<4} galat={result['errors']:<3} p50={result['p50_ms']} ms  "
        f"p95={result['p95_ms']} ms  maks={result['max_ms']} ms  throughput={result['throughput_per_s']}/s",
        flush=True,
    )
    for error in dict.fromkeys(errors):
        print(f"  galat: {error}")
    return result


def load_through(urls: list[str], pids: list[int], clients: int, questions: list[str]) -> dict:
    before = sum(rss_mb(pid) for pid in pids)
    print(f"{len(urls)} server (pid {', '.join(map(str, pids))}), RSS awal {before:.0f} MB; "
          f"{clients} klien x {len(questions)} pertanyaan")
    results = [report("POST /api/ask", *run_clients(clients, questions, HttpWorker(*urls)))]
    after_http = sum(rss_mb(pid) for pid in pids)
    print(f"RSS setelah /api/ask: {after_http:.0f} MB")
    results.append(report("Gradio /ask", *run_clients(clients, questions, GradioWorker(*urls))))
    after = sum(rss_mb(pid) for pid in pids)
    print(f"RSS akhir: {after:.0f} MB (naik {after - before:+.0f} MB)")
    return {"replicas": len(urls), "rss_mb": {"before": before, "after_http": after_http, "after": after}, "results": results}


def single(args, questions: list[str], work: Path) -> dict:
    port = free_port()
    server = start_server(port, args.index_dir.resolve() if args.index_dir else None, work)
    try:
        return load_through([f"http://127.0.0.1:{port}"], [server.pid], args.clients, questions)
    finally:
        server.terminate()
        server.wait(timeout=30)


def replicated(args, questions: list[str], work: Path) -> dict:
    """N app processes sharing one Chroma server, one PostgreSQL and one index folder."""
    import shutil

    import sqlalchemy as sa
    from support.launch import chroma_server
    from support.postgres import PostgresServer

    from assistant.config import get_settings
    from assistant.indexing.build import build_index

    settings = get_settings()
    with chroma_server(work / "chroma", free_port(), work / "chroma.log") as server, PostgresServer(free_port()) as pg:
        chroma = server.url
        index_dir = work / "index"
        if (settings.index_dir / "vectors").exists():
            shutil.copytree(settings.index_dir / "vectors", index_dir / "vectors")
        started = time.perf_counter()
        summary = build_index(settings.model_copy(update={"index_dir": index_dir, "chroma_url": chroma}), show_progress=False)
        print(f"indeks di server Chroma: {summary.passages} passage, {time.perf_counter() - started:.1f} s")
        with sa.create_engine(pg.url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(sa.text("CREATE DATABASE helpdesk"))
        env = dict(
            os.environ, GRADIO_ANALYTICS_ENABLED="False", SENTRA_ASK_RATE_LIMIT="", SENTRA_INDEX_DIR=str(index_dir),
            SENTRA_CHROMA_URL=chroma, SENTRA_DATABASE_URL=pg.url.rsplit("/", 1)[0] + "/helpdesk",
            SENTRA_SESSION_SECRET="rahasia-bersama-bench", SENTRA_DATA_DIR=str(work / "data"),
        )
        ports = [free_port() for _ in range(args.replicas)]
        servers = []
        try:
            for port in ports:  # one at a time: two model loads at once only slow each other down
                servers.append(start_app(port, env))
            return load_through([f"http://127.0.0.1:{p}" for p in ports], [s.pid for s in servers], args.clients, questions)
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description="Uji beban /api/ask dan API Gradio /ask pada server lokal")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--replicas", type=int, default=1, help="N proses app dengan Chroma server dan PostgreSQL bersama")
    parser.add_argument("--index-dir", type=Path, default=None, help="bawaan: indeks yang dikonfigurasi")
    parser.add_argument("--dev", type=Path, default=PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with open(args.dev, encoding="utf-8") as handle:
        questions = [json.loads(line)["question"] for line in handle if line.strip()][: args.questions]
    with tempfile.TemporaryDirectory(prefix="sentra-load-") as work:
        run = replicated if args.replicas > 1 else single
        result = run(args, questions, Path(work))
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
