"""`corpus pull` / `corpus add` against a real HTTP mirror on loopback built from ../shared files."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

import httpx
import pytest
import tomlkit
from conftest import REGULATIONS, SHARED, free_port, require_shared
from support.launch import wait_until_ready
from support.mirror import MirrorServer, mirror_tree

from assistant.config import PROJECT_ROOT
from assistant.ingest.catalog import Catalog
from assistant.ingest.pull import add_regulation, parse_regulation_id, pull_corpus, sha256_of
from assistant.ingest.sources import SourceError

pytestmark = pytest.mark.integration

CATALOG = PROJECT_ROOT / "corpus" / "catalog.toml"
DATASET = SHARED / "datasets" / "peraturan-uu-pp.jsonl.gz"


@pytest.fixture(scope="module")
def mirror_root(tmp_path_factory) -> Path:
    require_shared()
    return mirror_tree(REGULATIONS, tmp_path_factory.mktemp("mirror"))


def run_cli(*args: str, env: dict, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], env=os.environ | env, cwd=cwd, capture_output=True,
        text=True, timeout=timeout,
    )


def test_pull_fetches_every_catalog_file_verified_and_then_fetches_nothing(mirror_root, tmp_path):
    corpus = tmp_path / "corpus"
    with MirrorServer(mirror_root) as mirror:
        report = pull_corpus(Catalog.load(CATALOG), [corpus], mirror.url)
        assert report.ok, report.failures
        assert sorted(report.fetched) == sorted(p.name for p in REGULATIONS.glob("*.md"))
        for name in report.fetched:
            assert (corpus / name).read_bytes() == (REGULATIONS / name).read_bytes()
        # The seed overview has no public source: noted, not failed.
        assert [s.file for s in report.skipped] == ["pembangunan-sentra-ikm.txt"]
        assert not list(corpus.glob(".*.part"))

        mirror.requests.clear()
        again = pull_corpus(Catalog.load(CATALOG), [corpus], mirror.url)
        assert again.ok and not again.fetched and len(again.present) == 7
        assert not mirror.requests


def test_present_corpus_needs_no_reachable_source(tmp_path):
    require_shared()
    report = pull_corpus(Catalog.load(CATALOG), [tmp_path / "empty", SHARED / "corpus"], "http://127.0.0.1:9/")
    assert report.ok and len(report.present) == 8 and not report.fetched


def test_corrupted_file_is_refused_by_checksum_and_named(mirror_root, tmp_path):
    corpus = tmp_path / "corpus"
    with MirrorServer(mirror_root) as mirror:
        mirror.corrupt.add("uu/2014/3.md")
        result = run_cli(
            "corpus", "pull",
            env={"SENTRA_CORPUS_DIRS": str(corpus), "SENTRA_CATALOG_PATH": str(CATALOG), "SENTRA_CORPUS_SOURCE": mirror.url},
        )
    assert result.returncode == 1
    assert "uu-3-2014.md" in result.stderr and "checksum sha256 tidak cocok" in result.stderr
    assert not (corpus / "uu-3-2014.md").exists() and not (corpus / ".uu-3-2014.md.part").exists()
    assert (corpus / "uu-23-2014.md").exists()  # the other files still land


def test_killed_pull_resumes_where_it_stopped(mirror_root, tmp_path):
    corpus = tmp_path / "corpus"
    catalog = tmp_path / "catalog.toml"
    entry = next(e for e in Catalog.load(CATALOG).entries if e.id == "UU 11/2020")  # 1.3 MB
    catalog.write_text(
        f'[[regulation]]\nid = "{entry.id}"\nfiles = ["{entry.files[0]}"]\nsource = "{entry.source}"\n'
        f'sha256 = "{entry.sha256}"\n',
        encoding="utf-8",
    )
    env = {"SENTRA_CORPUS_DIRS": str(corpus), "SENTRA_CATALOG_PATH": str(catalog)}
    partial = corpus / ".uu-11-2020.md.part"
    with MirrorServer(mirror_root) as mirror:
        mirror.slow["uu/2020/11.md"] = 256 * 1024  # bytes per second: ~5 s for the whole file
        pull = subprocess.Popen(
            [sys.executable, "-m", "assistant", "corpus", "pull", "--source", mirror.url],
            env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while not (partial.exists() and partial.stat().st_size > 300_000):
            assert time.monotonic() < deadline and pull.poll() is None, "unduhan tidak berjalan"
            time.sleep(0.05)
        pull.send_signal(signal.SIGKILL)
        pull.wait()
        kept = partial.stat().st_size
        assert 0 < kept < entry_size(mirror_root)

        mirror.slow.clear()
        mirror.requests.clear()
        result = run_cli("corpus", "pull", "--source", mirror.url, "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fetched"] == ["uu-11-2020.md"]
    path, ranged = mirror.requests[0]
    assert path == "uu/2020/11.md" and ranged == f"bytes={kept}-"  # resumed, not started over
    assert sha256_of(corpus / "uu-11-2020.md") == entry.sha256 and not partial.exists()


def entry_size(mirror_root: Path) -> int:
    return (mirror_root / "uu" / "2020" / "11.md").stat().st_size


def test_folder_and_tarball_sources(mirror_root, tmp_path):
    archive = tmp_path / "data-peraturan.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:  # GitHub's archives have one top folder
        tar.add(mirror_root, arcname="data-peraturan-c87e616")
    for location in (str(mirror_root), str(archive), str(SHARED / "corpus")):
        corpus = tmp_path / f"from-{Path(location).name}"
        report = pull_corpus(Catalog.load(CATALOG), [corpus], location)
        assert report.ok and len(report.fetched) >= 7, (location, report.failures)
    # ../shared/corpus holds the seed under its file name: a local source supplies it too.
    assert (tmp_path / "from-corpus" / "pembangunan-sentra-ikm.txt").exists()
    with pytest.raises(SourceError, match="tidak dikenali"):
        from assistant.ingest.sources import open_source

        open_source(str(tmp_path / "nowhere"))


def test_unreachable_source_is_named_in_indonesian(tmp_path):
    port = free_port()  # nothing listens there
    report = pull_corpus(Catalog.load(CATALOG), [tmp_path / "corpus"], f"http://127.0.0.1:{port}/")
    assert not report.ok
    assert "uu-3-2014.md gagal diunduh" in report.failures[0].message
    # Every other file is named too, without three more attempts each at a source that does not answer.
    assert all("tidak dicoba: sumber" in f.message for f in report.failures[1:7])


@pytest.fixture(scope="module")
def dataset_mirror(tmp_path_factory) -> Path:
    """Two laws from the UU/PP dataset in the mirror layout (their texts are the repository's files)."""
    require_shared()
    root = tmp_path_factory.mktemp("dataset-mirror")
    wanted = {"uu/2008/20.md", "uu/2008/19.md"}
    with gzip.open(DATASET, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["path"] in wanted:
                (root / record["path"]).parent.mkdir(parents=True, exist_ok=True)
                (root / record["path"]).write_text(record["text"], encoding="utf-8")
    return root


def test_corpus_add_fetches_one_regulation_and_extends_the_catalog(dataset_mirror, tmp_path):
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(CATALOG.read_text(encoding="utf-8"), encoding="utf-8")
    corpus = tmp_path / "corpus"
    with MirrorServer(dataset_mirror) as mirror:
        result = run_cli(
            "corpus", "add", "UU 20/2008", "--json",
            env={"SENTRA_CORPUS_DIRS": str(corpus), "SENTRA_CATALOG_PATH": str(catalog), "SENTRA_CORPUS_SOURCE": mirror.url},
        )
        assert result.returncode == 0, result.stderr
        added = json.loads(result.stdout)
        assert added["file"] == "uu-20-2008.md" and "Usaha Mikro" in added["title"]
        entry = Catalog.load(catalog).entry_for_regulation("UU 20/2008")
        assert entry.source == "uu/2008/20.md" and entry.sha256 == sha256_of(corpus / "uu-20-2008.md")
        assert "belum diperiksa" in entry.status_note
        # The hand-written part is kept as written, comments included.
        assert catalog.read_text(encoding="utf-8").startswith(CATALOG.read_text(encoding="utf-8").rstrip("\n"))
        tomllib.loads(catalog.read_text(encoding="utf-8"))

        again = run_cli("corpus", "add", "UU 20/2008", env={"SENTRA_CORPUS_DIRS": str(corpus), "SENTRA_CATALOG_PATH": str(catalog), "SENTRA_CORPUS_SOURCE": mirror.url})
        assert again.returncode == 1 and "sudah ada dalam katalog" in again.stderr

        missing = run_cli("corpus", "add", "PP 99/2031", env={"SENTRA_CORPUS_DIRS": str(corpus), "SENTRA_CATALOG_PATH": str(catalog), "SENTRA_CORPUS_SOURCE": mirror.url})
        assert missing.returncode == 1 and "pp-99-2031.md tidak ada di" in missing.stderr and "404" in missing.stderr

        # A mirror file that holds another law than its path says is not kept.
        (dataset_mirror / "uu" / "2008" / "21.md").write_bytes((dataset_mirror / "uu" / "2008" / "19.md").read_bytes())
        with pytest.raises(SourceError, match="memuat UU 19/2008, bukan UU 21/2008"):
            add_regulation(catalog, [corpus], mirror.url, "UU 21/2008")
        assert not (corpus / "uu-21-2008.md").exists()


def test_regulation_ids():
    assert parse_regulation_id("UU 20/2008") == ("UU", "20", "2008")
    assert parse_regulation_id("pp nomor 029 tahun 2018") == ("PP", "29", "2018")
    with pytest.raises(ValueError, match="tidak dikenali"):
        parse_regulation_id("Permen 5/2017")


def test_fresh_folder_pulls_indexes_and_serves(mirror_root, tmp_path):
    """The README's first command after install, in a folder with no ../shared: pull, index, serve."""
    catalog = tmp_path / "catalog.toml"
    entries = tomllib.loads(CATALOG.read_text(encoding="utf-8"))["regulation"]
    small = next(e for e in entries if e["id"] == "PP 142/2015")  # the smallest text: quick to embed
    catalog.write_text(tomlkit.dumps({"regulation": [small]}), encoding="utf-8")
    port = free_port()
    env = {
        "SENTRA_CORPUS_DIRS": str(tmp_path / "data" / "corpus"),
        "SENTRA_INDEX_DIR": str(tmp_path / "index"),
        "SENTRA_DATA_DIR": str(tmp_path / "data"),
        "SENTRA_CATALOG_PATH": str(catalog),
        "SENTRA_PORT": str(port),
    }
    with MirrorServer(mirror_root) as mirror:
        env["SENTRA_CORPUS_SOURCE"] = mirror.url
        for command in (("corpus", "pull"), ("index",)):
            result = run_cli(*command, env=env, cwd=tmp_path)
            assert result.returncode == 0, result.stderr
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve"], env=os.environ | env, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/healthz", server, timeout=120)
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/ask", json={"question": "Apa yang dimaksud dengan Kawasan Industri?"},
            timeout=30,
        )
        assert response.status_code == 200
        assert any(c["regulation"] == "PP 142/2015" for c in response.json()["citations"])
    finally:
        server.terminate()
        server.wait(timeout=30)
