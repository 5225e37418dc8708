"""Follow the published index while serving: every replica checks the index folder's CURRENT pointer
and swaps a newly published build in, without a restart. A build is published only once whole
(assistant/store.py), so a replica never opens a half-written one."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ..answering.chain import Assistant

log = logging.getLogger(__name__)


class IndexWatcher:
    def __init__(self, assistant: Assistant, interval_s: float):
        if interval_s <= 0:
            raise ValueError("interval_s must be positive (0 in the settings switches the watcher off)")
        self.assistant = assistant
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-watcher", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                if build := self.assistant.reload_if_published():
                    log.warning("index: now serving build %s", build)
            except Exception:  # a broken new build must not stop answers from the one in use
                log.exception("index: the newly published build cannot be opened; still serving %s",
                              self.assistant.index.build)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval_s + 60)


def follow_index(assistant: Assistant, interval_s: float):
    """A FastAPI lifespan that watches the index while the app runs (nothing when interval_s is 0)."""

    @asynccontextmanager
    async def lifespan(_app) -> AsyncIterator[None]:
        watcher = IndexWatcher(assistant, interval_s) if interval_s > 0 else None
        if watcher:
            watcher.start()
        try:
            yield
        finally:
            if watcher:
                watcher.stop()

    return lifespan
