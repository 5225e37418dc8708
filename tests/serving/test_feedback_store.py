"""The help-desk store on its two real backends: SQLite in the data folder and a PostgreSQL server."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from conftest import free_port
from support.postgres import PostgresServer

from assistant.serving.feedback import MIGRATIONS, FeedbackError, FeedbackStore

pytestmark = pytest.mark.integration


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


HEAD = head_revision()


@pytest.fixture(scope="module")
def postgres():
    with PostgresServer(free_port()) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> FeedbackStore:
    if request.param == "sqlite":
        return FeedbackStore(tmp_path / "data")
    server = request.getfixturevalue("postgres")
    database = f"t{free_port()}"
    with sa.create_engine(server.url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {database}"))
    return FeedbackStore(tmp_path / "unused", database_url=server.url.rsplit("/", 1)[0] + f"/{database}")


def test_roundtrip_counts_and_pages(store):
    first = store.record_feedback("down", "Apa itu Sentra IKM?", "Jawaban", [{"regulation": "PP 29/2018", "pasal": "1"}])
    store.update_feedback(first, comment="  kurang lengkap  ")
    second = store.record_feedback("up", "Pasal 5?", "Jawaban 2")
    store.update_feedback(second, rating="down")
    store.update_feedback(second, rating="up")
    store.log_unanswered("resep nasi goreng", "Maaf ...", ["PP 29/2018 Pasal 5"])
    assert [(r["question"], r["comment"]) for r in store.flagged()] == [("Apa itu Sentra IKM?", "kurang lengkap")]
    assert store.get_feedback(first)["citations"] == '[{"regulation": "PP 29/2018", "pasal": "1"}]'
    assert store.counts() == {"up": 1, "down": 1, "unanswered": 1, "followups": 0}
    assert [r["question"] for r in store.all_rows("unanswered", batch=1)] == ["resep nasi goreng"]
    store.withdraw_feedback(second)
    assert store.get_feedback(second) is None and store.counts()["up"] == 0


def test_followups_are_kept_for_review_newest_first(store):
    store.log_followup("Kalau provinsi?", "Apa kewajiban kabupaten?", "Apa kewajiban provinsi?", "Jawaban",
                       [{"regulation": "PP 29/2018", "pasal": "10"}], repeats_previous=False)
    store.log_followup("Dananya dari mana?", "Apa kewajiban kabupaten?", "Apa kewajiban kabupaten? dananya",
                       "Jawaban sama", [], repeats_previous=True, source="widget")
    rows = store.followups()
    assert [(r["question"], r["repeats_previous"], r["source"]) for r in rows] == [
        ("Dananya dari mana?", 1, "widget"), ("Kalau provinsi?", 0, "ui")]
    assert rows[1]["read_as"] == "Apa kewajiban provinsi?" and store.counts()["followups"] == 2
    assert [r["question"] for r in store.all_rows("followups", batch=1)] == ["Dananya dari mana?", "Kalau provinsi?"]


def test_export_pages_by_key_and_loses_no_row(store):
    for number in range(7):
        store.record_feedback("down", f"pertanyaan {number}", "jawaban")
    read = []
    for row in store.all_rows("feedback", batch=3):
        read.append(row["question"])
        if len(read) == 1:
            store.record_feedback("down", "ditambahkan selama ekspor", "jawaban")  # newer: above the key, not read
    assert sorted(read) == sorted(f"pertanyaan {n}" for n in range(7))


def test_concurrent_writers_all_land(store):
    def write(worker: int) -> None:
        for number in range(10):
            store.record_feedback("down", f"{worker}-{number}", "jawaban")

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.counts()["down"] == 40


def test_the_schema_is_versioned(store):
    store.ensure_ready()
    with sa.create_engine(store.url).connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    # A second store (a replica, a restart) finds the schema current and changes nothing.
    again = FeedbackStore(store.path.parent, database_url=store.url if not store.is_sqlite else "")
    assert again.ensure_ready() and again.counts() == store.counts()


def test_replicas_starting_together_migrate_once(postgres, tmp_path):
    database = f"t{free_port()}"
    with sa.create_engine(postgres.url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {database}"))
    url = postgres.url.rsplit("/", 1)[0] + f"/{database}"
    stores = [FeedbackStore(tmp_path, database_url=url) for _ in range(4)]
    results: list[bool] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.ensure_ready())) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 4


OLD_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL DEFAULT '[]',
    abstained INTEGER NOT NULL DEFAULT 0, source TEXT NOT NULL DEFAULT 'ui', session TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feedback_rating ON feedback (rating, created_at);
CREATE TABLE unanswered (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, question TEXT NOT NULL,
    answer TEXT NOT NULL, nearest TEXT NOT NULL DEFAULT '[]', source TEXT NOT NULL DEFAULT 'ui'
);
CREATE INDEX unanswered_time ON unanswered (created_at);
INSERT INTO feedback (created_at, updated_at, rating, question, answer) VALUES
    ('2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00', 'down', 'pertanyaan lama', 'jawaban lama');
"""


def test_a_database_from_before_migrations_is_adopted_with_its_rows(tmp_path):
    (tmp_path / "data").mkdir()
    with sqlite3.connect(tmp_path / "data" / "helpdesk.sqlite3") as connection:
        connection.executescript(OLD_SCHEMA)
    store = FeedbackStore(tmp_path / "data")
    assert [r["question"] for r in store.flagged()] == ["pertanyaan lama"]
    store.record_feedback("down", "pertanyaan baru", "jawaban")
    assert store.counts()["down"] == 2


def test_sqlite_uses_write_ahead_logging(tmp_path):
    store = FeedbackStore(tmp_path / "data")
    store.ensure_ready()
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_failed_write_is_reported_and_keeps_stored_rows(tmp_path):
    store = FeedbackStore(tmp_path / "data", busy_timeout_s=0.2)
    kept = store.record_feedback("down", "Pertanyaan lama", "Jawaban lama", comment="komentar lama")
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        with pytest.raises(FeedbackError, match="tidak dapat disimpan"):
            store.record_feedback("up", "Pertanyaan baru", "Jawaban baru")
        with pytest.raises(FeedbackError, match="tidak dapat disimpan"):
            store.update_feedback(kept, comment="timpa")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.get_feedback(kept)["comment"] == "komentar lama"
    assert store.counts()["up"] == 0
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_unwritable_data_dir_is_reported(tmp_path):
    occupied = tmp_path / "bukan-folder"
    occupied.write_text("berkas biasa, bukan folder")
    with pytest.raises(FeedbackError, match="tidak dapat disimpan"):
        FeedbackStore(occupied).record_feedback("up", "q", "a")


def test_unreachable_database_is_reported_in_indonesian(tmp_path):
    store = FeedbackStore(tmp_path, busy_timeout_s=1, database_url=f"postgresql+psycopg://x@127.0.0.1:{free_port()}/db")
    assert store.ensure_ready() is False
    with pytest.raises(FeedbackError, match="tidak dapat disimpan"):
        store.record_feedback("up", "q", "a")
    with pytest.raises(FeedbackError, match="tidak dapat dibaca"):
        store.flagged()
