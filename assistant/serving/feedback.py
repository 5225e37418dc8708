"""Help-desk storage: answer ratings (with optional comments), declined questions and answered follow-ups.

SQLite (WAL) in the data folder by default; PostgreSQL (or any SQLAlchemy URL) when
SENTRA_DATABASE_URL is set, so that replicas share one help desk. The schema is versioned with
Alembic (assistant/migrations/); every store upgrades it to head before its first read or write.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from ..file_lock import exclusive_lock

log = logging.getLogger(__name__)

DB_NAME = "helpdesk.sqlite3"
MIGRATIONS = Path(__file__).with_name("migrations")
# Replicas that start together must not run one migration twice: PostgreSQL serialises them on this
# advisory lock key (any constant the application owns), SQLite on a lock file beside the database.
MIGRATION_LOCK_KEY = 0x53454E545241  # "SENTRA"
RATINGS = ("up", "down")
WRITE_FAILED = (
    "Maaf, umpan balik Anda tidak dapat disimpan saat ini (basis data sibuk atau tidak dapat ditulis). "
    "Silakan coba lagi beberapa saat lagi."
)
READ_FAILED = "Data help desk tidak dapat dibaca saat ini. Silakan coba lagi."

metadata = sa.MetaData()
# Columns holding numbers; every other column but the key holds text.
INTEGER_COLUMNS = frozenset({"abstained", "repeats_previous"})


def help_desk_table(name: str, *columns: str) -> sa.Table:
    """A table as the store reads it: an integer key, then the columns in the order exports list them
    (constraints and defaults are the migrations' business)."""
    typed = (sa.Column(column, sa.Integer if column in INTEGER_COLUMNS else sa.Text) for column in columns)
    return sa.Table(name, metadata, sa.Column("id", sa.Integer, primary_key=True), *typed)


feedback = help_desk_table(
    "feedback",
    "created_at", "updated_at", "rating", "comment", "question", "answer", "citations", "abstained", "source",
    "session",
    # The pasal a help-desk clerk says should have been cited (empty: not corrected); migration 0002.
    "correct_regulation", "correct_pasal", "corrected_at",
)
unanswered = help_desk_table("unanswered", "created_at", "question", "answer", "nearest", "source")
followups = help_desk_table(  # migration 0003
    "followups",
    "created_at", "question", "previous_question",
    "read_as",  # the standalone question the assistant searched with
    "answer", "citations",
    "repeats_previous",  # cites exactly what the previous answer cited
    "source",
)
TABLES = {"feedback": feedback, "unanswered": unanswered, "followups": followups}


class FeedbackError(RuntimeError):
    """A help-desk read or write failed; the message is Indonesian and safe to show to users."""


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def citations_json(citations: list) -> str:
    return json.dumps([asdict(c) if is_dataclass(c) else c for c in citations], ensure_ascii=False)


def redacted(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def upgrade_schema(connection: Connection) -> None:
    """Bring the database to the newest migration, on `connection` (inside its transaction)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


class FeedbackStore:
    """Every write is a single transaction: it lands whole or not at all."""

    def __init__(self, data_dir: Path, busy_timeout_s: float = 5.0, database_url: str = ""):
        self.path = Path(data_dir) / DB_NAME
        self.url = database_url or f"sqlite:///{self.path}"
        self.busy_timeout_s = busy_timeout_s
        self._init_lock = threading.Lock()
        self._engine: Engine | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    # --- connection handling ---------------------------------------------------------------------

    def _create_engine(self) -> Engine:
        if not self.is_sqlite:
            return sa.create_engine(
                self.url, pool_pre_ping=True, connect_args={"connect_timeout": max(1, round(self.busy_timeout_s))}
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(self.url, connect_args={"timeout": self.busy_timeout_s})

        @sa.event.listens_for(engine, "connect")
        def write_ahead_log(dbapi_connection, _record) -> None:  # readers never wait for a writer
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine

    def _migration_lock(self, connection: Connection) -> AbstractContextManager[None]:
        if self.is_sqlite:
            return exclusive_lock(self.path.with_name(self.path.name + ".migrate.lock"))
        if connection.dialect.name == "postgresql":  # held until the migration's transaction ends
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        return nullcontext()

    def _ready_engine(self) -> Engine:
        if self._engine is not None:
            return self._engine
        with self._init_lock:
            if self._engine is None:
                engine = self._create_engine()
                with engine.begin() as connection, self._migration_lock(connection):
                    upgrade_schema(connection)
                self._engine = engine
        return self._engine

    def ensure_ready(self) -> bool:
        """Create the folder and bring the schema up to date now (at startup), so that problems show
        up in the log early."""
        try:
            self._ready_engine()
            return True
        except (sa.exc.SQLAlchemyError, OSError) as error:
            log.error("help desk: database %s is not usable: %s", redacted(self.url), error)
            return False

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction, rolled back on any error; database errors become FeedbackError."""
        try:
            engine = self._ready_engine()
        except (sa.exc.SQLAlchemyError, OSError) as error:
            log.error("help desk: cannot open %s: %s", redacted(self.url), error)
            raise FeedbackError(WRITE_FAILED) from error
        try:
            with engine.begin() as connection:
                yield connection
        except sa.exc.SQLAlchemyError as error:
            log.error("help desk: write failed: %s", error)
            raise FeedbackError(WRITE_FAILED) from error

    def _read(self, statement: sa.Executable) -> list[dict]:
        try:
            with self._ready_engine().connect() as connection:
                return [dict(row._mapping) for row in connection.execute(statement)]
        except (sa.exc.SQLAlchemyError, OSError) as error:
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
        row = {
            "created_at": stamp,
            "updated_at": stamp,
            "rating": rating,
            "comment": comment.strip(),
            "question": question,
            "answer": answer,
            "citations": citations_json(citations or []),
            "abstained": int(abstained),
            "source": source,
            "session": session,
        }
        with self._write() as connection:
            return int(connection.execute(feedback.insert().values(row)).inserted_primary_key[0])

    def update_feedback(self, feedback_id: int, rating: str | None = None, comment: str | None = None) -> None:
        if rating is not None and rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}")
        changes = {"rating": rating, "comment": comment.strip() if comment is not None else None}
        changes = {key: value for key, value in changes.items() if value is not None}
        if not changes:
            return
        with self._write() as connection:
            connection.execute(
                feedback.update().where(feedback.c.id == feedback_id).values(**changes, updated_at=now_iso())
            )

    def correct_feedback(self, feedback_id: int, regulation: str, pasal: str) -> bool:
        """Record the pasal a 👎 answer should have cited (empty strings clear it); False when there is
        no 👎 rating with that id."""
        with self._write() as connection:
            changed = connection.execute(
                feedback.update()
                .where(feedback.c.id == feedback_id, feedback.c.rating == "down")
                .values(correct_regulation=regulation, correct_pasal=pasal, corrected_at=now_iso() if pasal else "")
            )
            return changed.rowcount == 1

    def withdraw_feedback(self, feedback_id: int) -> None:
        """The user un-clicked their rating."""
        with self._write() as connection:
            connection.execute(feedback.delete().where(feedback.c.id == feedback_id))

    def log_unanswered(self, question: str, answer: str, nearest: list[str] | None = None, source: str = "ui") -> int:
        row = {
            "created_at": now_iso(),
            "question": question,
            "answer": answer,
            "nearest": json.dumps(nearest or [], ensure_ascii=False),
            "source": source,
        }
        with self._write() as connection:
            return int(connection.execute(unanswered.insert().values(row)).inserted_primary_key[0])

    def log_followup(
        self, question: str, previous_question: str, read_as: str, answer: str, citations: list,
        repeats_previous: bool, source: str = "ui",
    ) -> int:
        row = {
            "created_at": now_iso(),
            "question": question,
            "previous_question": previous_question,
            "read_as": read_as,
            "answer": answer,
            "citations": citations_json(citations),
            "repeats_previous": int(repeats_previous),
            "source": source,
        }
        with self._write() as connection:
            return int(connection.execute(followups.insert().values(row)).inserted_primary_key[0])

    # --- reads -----------------------------------------------------------------------------------

    def get_feedback(self, feedback_id: int) -> dict | None:
        rows = self._read(sa.select(feedback).where(feedback.c.id == feedback_id))
        return rows[0] if rows else None

    @staticmethod
    def _newest_first(table: str) -> sa.Select:
        chosen = TABLES[table]
        query = sa.select(chosen).order_by(chosen.c.created_at.desc(), chosen.c.id.desc())
        return query.where(feedback.c.rating == "down") if table == "feedback" else query

    def flagged(self, limit: int = 50, offset: int = 0) -> list[dict]:
        """A page of 👎 ratings, newest first."""
        return self._read(self._newest_first("feedback").limit(limit).offset(offset))

    def unanswered(self, limit: int = 50, offset: int = 0) -> list[dict]:
        """A page of declined questions, newest first."""
        return self._read(self._newest_first("unanswered").limit(limit).offset(offset))

    def followups(self, limit: int = 50, offset: int = 0) -> list[dict]:
        """A page of answered follow-up questions, newest first."""
        return self._read(self._newest_first("followups").limit(limit).offset(offset))

    def corrections(self, batch: int = 500) -> Iterator[dict]:
        """Every corrected 👎 rating, newest first."""
        return (row for row in self.all_rows("feedback", batch) if row["correct_pasal"])

    def all_rows(self, table: str, batch: int = 500) -> Iterator[dict]:
        """Every row of the flagged ("feedback"), unanswered or followups table, newest first, read a batch at a
        time so that an export never holds the whole table in memory. Each batch starts below the
        last row read (not at an offset), so a row added meanwhile neither repeats nor hides one."""
        chosen = TABLES[table]
        query = self._newest_first(table).limit(batch)
        rows = self._read(query)
        while rows:
            yield from rows
            last = (rows[-1]["created_at"], rows[-1]["id"])
            rows = self._read(query.where(sa.tuple_(chosen.c.created_at, chosen.c.id) < sa.tuple_(*last)))

    def counts(self) -> dict[str, int]:
        count = sa.func.count()
        rows = self._read(
            sa.select(
                sa.select(count).select_from(feedback).where(feedback.c.rating == "up").scalar_subquery().label("up"),
                sa.select(count).select_from(feedback).where(feedback.c.rating == "down").scalar_subquery().label("down"),
                sa.select(count).select_from(unanswered).scalar_subquery().label("unanswered"),
                sa.select(count).select_from(followups).scalar_subquery().label("followups"),
            )
        )
        return rows[0]
