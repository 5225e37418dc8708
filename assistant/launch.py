"""Start the web app (or any HTTP server) as a separate process and wait until it answers.

Used by the load benchmark and by tests that need a real server process they can kill.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping

from .config import PROJECT_ROOT


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
