"""Help-desk storage: answer ratings (with optional comments) and declined questions, in SQLite (WAL)."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

DB_NAME = "helpdesk.sqlite3"
RATINGS = ("up", "down")
WRITE_FAILED = (
    "Maaf, umpan balik Anda tidak dapat disimpan saat ini (basis data sibuk atau tidak dapat ditulis). "
    "Silakan coba lagi beberapa saat lagi."
)
READ_FAILED = "Data help desk tidak dapat dibaca saat ini. Silakan coba lagi."

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    abstained INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT 'ui',
    session TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_rating ON feedback (rating, created_at);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    nearest TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT 'ui'
);
CREATE INDEX IF NOT EXISTS unanswered_time ON unanswered (created_at);
"""


class FeedbackError(RuntimeError):
    """A help-desk read or write failed; the message is Indonesian and safe to show to users."""


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def citations_json(citations: list) -> str:
    return json.dumps([asdict(c) if is_dataclass(c) else c for c in citations], ensure_ascii=False)


class FeedbackStore:
    """One SQLite file under `data_dir`. Every write is a single transaction: it lands whole or not at all."""

    def __init__(self, data_dir: Path, busy_timeout_s: float = 5.0):
        self.path = Path(data_dir) / DB_NAME
        self.busy_timeout_s = busy_timeout_s
        self._init_lock = threading.Lock()
        self._ready = False

    # --- connection handling ---------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        connection.row_factory = sqlite3.Row
        return connection

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self._init_lock:
            if self._ready:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = self._open()
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(SCHEMA)
            finally:
                connection.close()
            self._ready = True

    def ensure_ready(self) -> bool:
        """Create the folder and schema now (at startup) so problems show up in the log early."""
        try:
            self._ensure_schema()
            return True
        except (sqlite3.Error, OSError) as error:
            log.error("help desk: database %s is not usable: %s", self.path, error)
            return False

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """An IMMEDIATE transaction, rolled back on any error; errors become FeedbackError."""
        try:
            self._ensure_schema()
            connection = self._open()
        except (sqlite3.Error, OSError) as error:
            log.error("help desk: cannot open %s: %s", self.path, error)
            raise FeedbackError(WRITE_FAILED) from error
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            log.error("help desk: write failed: %s", error)
            raise FeedbackError(WRITE_FAILED) from error
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    def _read(self, sql: str, params: tuple = ()) -> list[dict]:
        try:
            self._ensure_schema()
            connection = self._open()
            try:
                return [dict(row) for row in connection.execute(sql, params)]
            finally:
                connection.close()
        except (sqlite3.Error, OSError) as error:
            log.error("help desk: read failed: %s", error)
            raise FeedbackError(READ_FAILED) from error

    # --- writes ----------------------------------------------------------------------------------

    def record_feedback(
        self,
        rating: str,
        question: str,
        answer: str,
        citations: list | None = None,
        abstained: bool = False,
        comment: str = "",
        source: str = "ui",
        session: str = "",
    ) -> int:
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}")
        stamp = now_iso()
        with self._write() as connection:
            cursor = connection.execute(
                "INSERT INTO feedback (created_at, updated_at, rating, comment, question, answer, citations, "
                "abstained, source, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stamp,
                    stamp,
                    rating,
                    comment.strip(),
                    question,
                    answer,
                    citations_json(citations or []),
                    int(abstained),
                    source,
                    session,
                ),
            )
            return int(cursor.lastrowid)

    def update_feedback(self, feedback_id: int, rating: str | None = None, comment: str | None = None) -> None:
        if rating is not None and rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}")
        with self._write() as connection:
            if rating is not None:
                connection.execute(
                    "UPDATE feedback SET rating = ?, updated_at = ? WHERE id = ?", (rating, now_iso(), feedback_id)
                )
            if comment is not None:
                connection.execute(
                    "UPDATE feedback SET comment = ?, updated_at = ? WHERE id = ?",
                    (comment.strip(), now_iso(), feedback_id),
                )

    def withdraw_feedback(self, feedback_id: int) -> None:
        """The user un-clicked their rating."""
        with self._write() as connection:
            connection.execute("DELETE FROM feedback WHERE id = ?", (feedback_id,))

    def log_unanswered(self, question: str, answer: str, nearest: list[str] | None = None, source: str = "ui") -> int:
        with self._write() as connection:
            cursor = connection.execute(
                "INSERT INTO unanswered (created_at, question, answer, nearest, source) VALUES (?, ?, ?, ?, ?)",
                (now_iso(), question, answer, json.dumps(nearest or [], ensure_ascii=False), source),
            )
            return int(cursor.lastrowid)

    # --- reads -----------------------------------------------------------------------------------

    def get_feedback(self, feedback_id: int) -> dict | None:
        rows = self._read("SELECT * FROM feedback WHERE id = ?", (feedback_id,))
        return rows[0] if rows else None

    def flagged(self, limit: int = 50, offset: int = 0) -> list[dict]:
        """A page of 👎 ratings, newest first."""
        return self._read(
            "SELECT * FROM feedback WHERE rating = 'down' ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )

    def unanswered(self, limit: int = 50, offset: int = 0) -> list[dict]:
        """A page of declined questions, newest first."""
        return self._read(
            "SELECT * FROM unanswered ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", (limit, offset)
        )

    def all_rows(self, table: str, batch: int = 500) -> Iterator[dict]:
        """Every row of the flagged ("feedback") or unanswered table, newest first, read a batch at a
        time so that an export never holds the whole table in memory. Each batch starts below the
        last row read (not at an offset), so a row added meanwhile neither repeats nor hides one."""
        where = {"feedback": "rating = 'down' AND ", "unanswered": ""}[table]
        last = ("\uffff", 2**63 - 1)  # above every stored (created_at, id)
        while rows := self._read(
            f"SELECT * FROM {table} WHERE {where}(created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?",
            (*last, batch),
        ):
            yield from rows
            last = (rows[-1]["created_at"], rows[-1]["id"])

    def counts(self) -> dict[str, int]:
        rows = self._read(
            "SELECT (SELECT COUNT(*) FROM feedback WHERE rating = 'up') AS up, "
            "(SELECT COUNT(*) FROM feedback WHERE rating = 'down') AS down, "
            "(SELECT COUNT(*) FROM unanswered) AS unanswered"
        )
        return rows[0]
