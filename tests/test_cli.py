"""The CLI as other tools call it: `python -m assistant ... --json` output contracts."""

import json

import pytest
from conftest import REGULATIONS, require_shared
from support.cli import run_cli

pytestmark = pytest.mark.integration

CONTRACT = {"id", "question", "answer", "abstained", "citations", "passages", "timings_ms", "notices"}
CITATION = {"regulation", "type", "number", "year", "title", "pasal", "ayat", "status", "status_note", "quote",
            "passage_id", "kind", "amends", "role", "point"}
PASSAGE = {"rank", "score", "passage_id", "regulation", "pasal", "source_file", "text"}


def test_ask_batch_answers_every_line_in_order(small_settings, tmp_path):
    batch = tmp_path / "pertanyaan.jsonl"
    lines = [
        {"id": "a", "question": "Siapa saja yang dikirim pemerintah untuk mendampingi unit usaha IKM?", "extra": 1},
        "bukan json",
        {"id": "b", "question": "Berapa tarif PPh final bagi pelaku IKM?"},
        {"id": "c", "question": "bagaimana dengan pemagangan?",
         "history": [{"role": "user", "content": "Apa bentuk fasilitas bagi IKM?"}]},
    ]
    batch.write_text("\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines) + "\n", encoding="utf-8")

    result = run_cli("ask", "--batch", str(batch), settings=small_settings)

    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["a", "b", "c"]
    assert "Baris 2 dilewati" in result.stderr
    for row in rows:
        assert set(row) == CONTRACT
        assert all(set(c) == CITATION for c in row["citations"])
        assert all(set(p) == PASSAGE for p in row["passages"])
    assert not rows[0]["abstained"] and any(c["pasal"] == "18" for c in rows[0]["citations"])
    assert rows[1]["abstained"] and rows[1]["citations"] == []


def test_ask_without_index_names_the_fix(tmp_path):
    from assistant.config import Settings

    result = run_cli("ask", "apa itu sentra IKM", settings=Settings(index_dir=tmp_path / "kosong", corpus_dirs=[tmp_path]))
    assert result.returncode == 3
    assert "python -m assistant index" in result.stderr and "Traceback" not in result.stderr


def test_inspect_json_fields():
    require_shared()
    result = run_cli("inspect", str(REGULATIONS / "pp-29-2018.md"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"regulation", "type", "number", "year", "title", "pasal", "passages", "warnings"} <= set(report)
    assert report["regulation"] == "PP 29/2018" and report["title"] == "Pemberdayaan Industri"
    assert report["pasal"] == [str(n) for n in range(1, 114)]


def test_train_json_reports_cross_validated_figures(small_settings, small_index, tmp_path):
    from support.training_items import made_up_items

    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in made_up_items(small_index)), encoding="utf-8")
    result = run_cli("train", "--train", str(path), "--out", str(tmp_path / "artefak"), "--json", settings=small_settings)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"artifacts", "questions", "candidate_recall", "dense_only", "retrieval", "styles", "follow_ups", "decline", "units"}
    assert report["questions"] == len(made_up_items(small_index))
    assert set(report["retrieval"]) == {"count", "hit@1", "hit@3", "hit@5", "hit@10", "mrr@10"}
    missing = run_cli("train", "--train", str(tmp_path / "tidak-ada.jsonl"), settings=small_settings)
    assert missing.returncode == 2 and "Berkas latih tidak ditemukan" in missing.stderr
