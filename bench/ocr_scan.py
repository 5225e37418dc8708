"""Scans parsed passages for running page headers and page numbers that survived OCR repair: every
passage of the core corpus and of a random sample of the UU/PP dataset. Prints the patterns it looks
for, the counts and some examples.

    .venv/bin/python bench/ocr_scan.py [--sample 300] [--corpus ../shared/corpus] [--dataset ../shared/datasets/peraturan-uu-pp.jsonl.gz]

The patterns are deliberately looser than the repair rule (assistant/ingest/ocr.py): a first word only half
like "PRESIDEN" before REPUBLIK- and INDONESIA-like words, and any "-12-" style page number standing
between words.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

from assistant.config import get_settings
from assistant.ingest.catalog import Catalog
from assistant.ingest.loaders import bulk_source_file, load_documents
from assistant.ingest.ocr import likeness
from assistant.parse.structure import parse_document
from assistant.records import SourceDocument

# Looser than the repair rule (assistant/ingest/ocr.py, likeness 0.6): a first word only half like "PRESIDEN"
# counts, so a header the rule misses by a little is still found.
SCAN_LIKENESS = 0.5
HEAD = re.compile(
    r"((?:[^\s]+\s){1,4}?)(R[A-Za-z|]{4,8})\s+[IT1l|][NM][DO0][O0][NM][EF][SB5$][I1l|!][A4]\b(\s+[-_]\s?[0-9a-zA-Z]{1,4}\s?[-_])?(\s*,)?"
)
PAGE_NUMBER = re.compile(r"(?<=\s)[-_]\s?\d{1,3}\s?[-_](?=\s)")


def headers(text: str) -> list[re.Match]:
    """Capitalised "PRESIDEN REPUBLIK INDONESIA"-like runs that are not the enacting formula or a
    signature (the exact words with no page number, or any followed by a comma)."""
    found = []
    for match in HEAD.finditer(text):
        words = match.group(1).split()
        if match.group(4) or not words or sum(c.isupper() for c in match.group(2)) < 0.6 * len(match.group(2)):
            continue
        best = max(likeness("".join(words[-n:]), "PRESIDEN") for n in range(1, len(words) + 1))
        exact = " ".join(words[-1:] + [match.group(2)]) == "PRESIDEN REPUBLIK"
        if best >= SCAN_LIKENESS and likeness(match.group(2), "REPUBLIK") >= SCAN_LIKENESS and not (exact and not match.group(3)):
            found.append(match)
    return found


PATTERNS = {"running header": HEAD.pattern, "page number": PAGE_NUMBER.pattern}
EXAMPLES = 5


def core_documents(corpus: Path) -> list[SourceDocument]:
    return load_documents([corpus])[0]


def dataset_sample(path: Path, size: int, seed: int = 7) -> list[SourceDocument]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    chosen = random.Random(seed).sample(rows, min(size, len(rows)))
    return [SourceDocument(path=row["path"], source_file=bulk_source_file(row), text=row["text"]) for row in chosen]


def scan(documents: list[SourceDocument], catalog: Catalog) -> dict:
    found = {name: [] for name in PATTERNS}
    passages = 0
    for document in documents:
        for passage in parse_document(document, catalog).passages:
            passages += 1
            for name, matches in (("running header", headers(passage.text)), ("page number", PAGE_NUMBER.finditer(passage.text))):
                for match in matches:
                    context = passage.text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
                    found[name].append(f"{passage.regulation} Pasal {passage.pasal}: …{context}…")
    return {"documents": len(documents), "passages": passages, "found": found}


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--corpus", type=Path, default=settings.corpus_dirs[0])
    parser.add_argument("--dataset", type=Path, default=settings.corpus_dirs[0].parent / "datasets" / "peraturan-uu-pp.jsonl.gz")
    args = parser.parse_args()
    catalog = Catalog.load(settings.catalog_path)
    for name, pattern in PATTERNS.items():
        print(f"pola {name}: {pattern}")
    print(f"(kepala halaman: kata pertama mirip 'PRESIDEN' >= {SCAN_LIKENESS}, bukan rumusan pengesahan/tanda tangan)")
    for label, documents in (("korpus inti", core_documents(args.corpus)), (f"sampel dataset ({args.sample})", dataset_sample(args.dataset, args.sample))):
        result = scan(documents, catalog)
        counts = ", ".join(f"{name} {len(hits)}" for name, hits in result["found"].items())
        print(f"\n{label}: {result['documents']} dokumen, {result['passages']} passage — {counts}")
        for name, hits in result["found"].items():
            for hit in hits[:EXAMPLES]:
                print(f"  [{name}] {hit}")


if __name__ == "__main__":
    main()
