"""Parse speed: every file of the configured corpus through the loaders and the structure parser, with
no model and no index. Prints seconds and characters per second per file, and the total.

    .venv/bin/python bench/parse_speed.py
"""

from __future__ import annotations

import time

from assistant.config import get_settings
from assistant.ingest.catalog import Catalog
from assistant.ingest.loaders import load_documents
from assistant.parse.structure import parse_document


def main() -> None:
    settings = get_settings()
    catalog = Catalog.load(settings.catalog_path)
    documents, failures = load_documents(settings.corpus_dirs)
    for failure in failures:
        print(f"not loaded: {failure}")
    total_chars, total_seconds = 0, 0.0
    for document in documents:
        started = time.perf_counter()
        parsed = parse_document(document, catalog)
        seconds = time.perf_counter() - started
        total_chars += len(document.text)
        total_seconds += seconds
        print(f"{document.source_file:32s} {len(document.text):>9,} chars {seconds:6.2f} s "
              f"{len(document.text) / max(seconds, 1e-9):>12,.0f} chars/s  {len(parsed.passages):>5} passages")
    print(f"{'total':32s} {total_chars:>9,} chars {total_seconds:6.2f} s "
          f"{total_chars / max(total_seconds, 1e-9):>12,.0f} chars/s")


if __name__ == "__main__":
    main()
