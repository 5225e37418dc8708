"""Start the web app (or any HTTP server) as a separate process and wait until it answers.

Used by the benchmarks and by tests that need a real server process they can kill; also the Chroma server.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.config import PROJECT_ROOT

CHROMA = PROJECT_ROOT / ".venv" / "bin" / "chroma"


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    """Poll `url` until it answers 2xx; fail early if the process exits, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server berhenti saat mulai (kode {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise TimeoutError(f"server tidak siap dalam {timeout:.0f} detik: {url}")


def start_app(port: int, env: Mapping[str, str], timeout: float = 180) -> subprocess.Popen:
    """`python app.py` on 127.0.0.1:`port` with `env`, returned once /healthz answers."""
    process = subprocess.Popen(
        [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_until_ready(f"http://127.0.0.1:{port}/healthz", process, timeout)
    return process


@dataclass(frozen=True)
class RunningChroma:
    url: str
    pid: int  # for benchmarks that read the server's memory


@contextmanager
def chroma_server(data_dir: Path, port: int, log_path: Path) -> Iterator[RunningChroma]:
    """A real `chroma run` server on 127.0.0.1:`port` with its data in `data_dir`."""
    if not CHROMA.exists():
        raise FileNotFoundError(f"CLI chroma tidak ditemukan di {CHROMA}")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(data_dir), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_until_ready(f"{url}/api/v2/heartbeat", process, timeout=60)
            except (RuntimeError, TimeoutError) as error:
                raise RuntimeError(log_path.read_text(errors="replace")) from error
            yield RunningChroma(url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
