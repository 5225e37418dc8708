"""Bulk corpus files (.jsonl.gz, one regulation per line): streamed, one document per line, bad lines skipped."""

import gzip
import json

import pytest
from conftest import make_settings

from assistant.indexing.build import build_index
from assistant.indexing.store import IndexLayout, read_passages
from assistant.ingest.loaders import LoadFailure, iter_documents, load_documents

RECORDS = [
    {
        "type": "pp",
        "year": 2099,
        "number": "7",
        "path": "pp/2099/7.md",
        "text": "PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 7 TAHUN 2099 TENTANG SENTRA UJI\n"
        "Pasal 1\nSentra Uji adalah sekelompok unit usaha dalam satu lokasi.\n"
        "Pasal 2\nMenteri melakukan pembinaan terhadap Sentra Uji.\n",
    },
    {
        "type": "uu",
        "year": 2098,
        "number": 7,  # numbers may come as int
        "path": "uu/2098/7.md",  # same basename as above: source_file must still differ
        "text": "UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 7 TAHUN 2098 TENTANG PERINDUSTRIAN UJI\n"
        "Pasal 1\nIndustri kecil hanya dapat dimiliki oleh warga negara Indonesia.\n",
    },
]


def _write_bulk(path, lines):
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")


def test_bulk_file_yields_one_document_per_line_and_names_bad_lines(tmp_path):
    bulk = tmp_path / "peraturan.jsonl.gz"
    lines = [json.dumps(RECORDS[0]), "{bukan json", json.dumps({"type": "pp", "year": 1, "number": "1", "text": ""}),
             "", json.dumps(RECORDS[1])]
    _write_bulk(bulk, lines)
    (tmp_path / "catatan.md").write_text("# Catatan\nSentra IKM.\n", encoding="utf-8")

    documents, failures = load_documents([tmp_path])  # found inside a corpus folder
    names = sorted(d.source_file for d in documents)
    assert names == ["catatan.md", "pp-7-2099.md", "uu-7-2098.md"]
    bulk_docs = {d.source_file: d for d in documents if d.path.startswith(str(bulk))}
    assert bulk_docs["pp-7-2099.md"].text == RECORDS[0]["text"]
    assert bulk_docs["pp-7-2099.md"].path == f"{bulk}::pp/2099/7.md"
    assert len({d.path for d in documents}) == 3

    assert [f.path for f in failures] == [f"{bulk}:2", f"{bulk}:3"]
    assert "Baris 2" in failures[0].message and "peraturan.jsonl.gz" in failures[0].message


def test_bulk_file_given_directly_is_streamed(tmp_path):
    bulk = tmp_path / "peraturan.jsonl.gz"
    _write_bulk(bulk, [json.dumps(r) for r in RECORDS])
    stream = iter_documents([bulk])
    first = next(stream)  # a generator: the first document comes before the rest is read
    assert first.source_file == "pp-7-2099.md"
    assert [d.source_file for d in stream] == ["uu-7-2098.md"]


def test_truncated_bulk_file_keeps_lines_read_before_the_damage(tmp_path):
    bulk = tmp_path / "rusak.jsonl.gz"
    _write_bulk(bulk, [json.dumps(r) for r in RECORDS] * 50)
    data = bulk.read_bytes()
    bulk.write_bytes(data[: len(data) // 2])
    items = list(iter_documents([bulk]))
    assert isinstance(items[-1], LoadFailure) and "rusak" in items[-1].message
    assert all(not isinstance(i, LoadFailure) for i in items[:-1])


@pytest.mark.integration
def test_index_built_from_bulk_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write_bulk(corpus / "peraturan.jsonl.gz", [json.dumps(r) for r in RECORDS] + ["rusak"])
    summary = build_index(make_settings(corpus, tmp_path / "index"), show_progress=False)
    assert (summary.documents, summary.added) == (2, 2)
    assert len(summary.failures) == 1 and summary.failures[0]["path"].endswith(":3")
    passages = read_passages(IndexLayout(tmp_path / "index").current_build())
    assert {p.source_file for p in passages} == {"pp-7-2099.md", "uu-7-2098.md"}
