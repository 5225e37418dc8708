"""Index builds on a real embedder and a real Chroma: incremental, atomic, recoverable."""

import json
import subprocess
import sys

import pytest
from conftest import make_settings

from assistant.config import PROJECT_ROOT
from assistant.indexing.build import build_index
from assistant.indexing.store import IndexLayout, read_manifest

pytestmark = pytest.mark.integration

# A short regulation written for the test: real structure, quick to embed.
REGULATION = """PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 7 TAHUN 2099 TENTANG SENTRA UJI
BAB I KETENTUAN UMUM
Pasal 1
Dalam Peraturan Pemerintah ini yang dimaksud dengan Sentra Uji adalah sekelompok unit usaha dalam satu lokasi.
Pasal 2
(1) Pemerintah Daerah membangun Sentra Uji sesuai potensi daerah.
(2) Pembangunan sebagaimana dimaksud pada ayat (1) dibiayai anggaran pendapatan dan belanja daerah.
BAB II PEMBINAAN
Pasal 3
Menteri melakukan pembinaan terhadap Sentra Uji melalui pendampingan dan pelatihan.
"""


def _corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "pp-7-2099.md").write_text(REGULATION, encoding="utf-8")
    return corpus


def test_incremental_rebuild_reuses_unchanged_files(tmp_path):
    corpus = _corpus(tmp_path)
    settings = make_settings(corpus, tmp_path / "index")

    first = build_index(settings, show_progress=False)
    assert (first.documents, first.added, first.unchanged, first.removed) == (1, 1, 0, 0)
    assert first.passages > 0

    again = build_index(settings, show_progress=False)
    assert (again.added, again.unchanged, again.build) == (0, 1, first.build)

    (corpus / "catatan.md").write_text("# Catatan\nSentra IKM dibina oleh dinas.\n", encoding="utf-8")
    grown = build_index(settings, show_progress=False)
    assert (grown.added, grown.unchanged, grown.removed) == (1, 1, 0)
    assert grown.build != first.build

    (corpus / "catatan.md").unlink()
    shrunk = build_index(settings, show_progress=False)
    assert (shrunk.added, shrunk.unchanged, shrunk.removed) == (0, 1, 1)
    assert shrunk.passages == first.passages


def test_interrupted_build_leaves_published_index_and_is_cleaned_up(tmp_path):
    corpus = _corpus(tmp_path)
    settings = make_settings(corpus, tmp_path / "index")
    first = build_index(settings, show_progress=False)
    layout = IndexLayout(settings.index_dir)

    # What a killed run leaves behind: an unpublished folder. Readers never see it.
    leftover = layout.new_build_dir()
    (leftover / "chroma").mkdir(parents=True)
    assert layout.current_build().name == first.build

    (corpus / "baru.md").write_text("# Baru\nIsi baru tentang Sentra IKM.\n", encoding="utf-8")
    second = build_index(settings, show_progress=False)
    assert not leftover.exists()
    assert layout.current_build().name == second.build
    assert read_manifest(layout.current_build())["passages"] == second.passages


def test_cli_index_json_summary(tmp_path):
    corpus = _corpus(tmp_path)
    env = {"SENTRA_CORPUS_DIRS": str(corpus), "SENTRA_INDEX_DIR": str(tmp_path / "index"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "index", "--json"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    for field in ("documents", "passages", "added", "unchanged", "removed", "seconds"):
        assert field in summary
    assert summary["documents"] == 1 and summary["added"] == 1
