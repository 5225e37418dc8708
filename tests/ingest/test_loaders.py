from pathlib import Path

import docx

from assistant.ingest.loaders import load_documents


def write_pdf(path: Path, text: str) -> None:
    """A one-page PDF with a text stream, written by hand so the test needs no PDF writer."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(body)


def test_every_supported_format_loads(tmp_path):
    (tmp_path / "a.md").write_text("Pasal 1\nSentra IKM dari markdown.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Sentra IKM dari teks.", encoding="utf-8")
    (tmp_path / "c.html").write_text(
        "<html><body><h1>Pasal 2</h1><p>Sentra IKM dari HTML.</p><script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    document = docx.Document()
    document.add_paragraph("Sentra IKM dari Word.")
    document.save(tmp_path / "d.docx")
    write_pdf(tmp_path / "e.pdf", "Sentra IKM dari PDF.")

    documents, failures = load_documents([tmp_path])

    assert failures == []
    texts = {d.source_file: d.text for d in documents}
    assert set(texts) == {"a.md", "b.txt", "c.html", "d.docx", "e.pdf"}
    for name, text in texts.items():
        assert "Sentra IKM" in text, name
    assert "alert" not in texts["c.html"]


def test_unreadable_file_is_named_and_the_rest_still_load(tmp_path):
    (tmp_path / "good.md").write_text("Pasal 1\nIsi yang baik.", encoding="utf-8")
    (tmp_path / "rusak.pdf").write_bytes(b"%PDF-1.4\nini bukan pdf yang utuh")
    (tmp_path / "rusak.docx").write_bytes(b"bukan zip")

    documents, failures = load_documents([tmp_path])

    assert [d.source_file for d in documents] == ["good.md"]
    assert sorted(Path(f.path).name for f in failures) == ["rusak.docx", "rusak.pdf"]
    assert all("tidak dapat dibaca" in f.message for f in failures)


def test_missing_folder_is_reported(tmp_path):
    documents, failures = load_documents([tmp_path / "tidak-ada"])
    assert documents == [] and "tidak ditemukan" in failures[0].message
