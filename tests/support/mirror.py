"""A loopback HTTP mirror in mblonyox/data-peraturan's `{type}/{year}/{number}.md` layout, built from the
files in ../shared: it honours Range requests, records them, and can slow down or corrupt one file."""

from __future__ import annotations

import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def mirror_tree(regulations: Path, into: Path) -> Path:
    """Copy ../shared's "uu-3-2014.md" files to "uu/2014/3.md"."""
    for file in regulations.glob("*.md"):
        kind, number, year = file.stem.split("-")
        (into / kind / year).mkdir(parents=True, exist_ok=True)
        shutil.copy(file, into / kind / year / f"{number}.md")
    return into


class MirrorServer:
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[tuple[str, str]] = []  # (path, Range header)
        self.slow: dict[str, int] = {}  # path -> bytes per second
        self.corrupt: set[str] = set()
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.lstrip("/")
                mirror.requests.append((path, self.headers.get("Range", "")))
                file = mirror.root / path
                if not file.is_file():
                    self.send_error(404)
                    return
                data = file.read_bytes()
                if path in mirror.corrupt:
                    data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
                start = 0
                if (wanted := self.headers.get("Range", "")).startswith("bytes="):
                    start = int(wanted.removeprefix("bytes=").split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                rate = mirror.slow.get(path)
                step = 16 * 1024
                for offset in range(start, len(data), step):
                    try:
                        self.wfile.write(data[offset : offset + step])
                        self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    if rate:
                        time.sleep(step / rate)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MirrorServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
