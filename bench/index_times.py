"""Cold and warm index times of the configured corpus, in a fresh index folder.

    .venv/bin/python bench/index_times.py [--index-dir /tmp/sentra-bench-index]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from assistant.config import get_settings
from assistant.indexing.build import build_index


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index-dir", type=Path, default=Path(tempfile.gettempdir()) / "sentra-bench-index")
    args = parser.parse_args()
    shutil.rmtree(args.index_dir, ignore_errors=True)
    settings = get_settings().model_copy(update={"index_dir": args.index_dir})

    cold = build_index(settings, show_progress=True)
    print(f"cold index : {cold.seconds:7.1f} s  ({cold.documents} documents, {cold.passages} passages)")
    warm = build_index(settings, show_progress=False)
    print(f"warm index : {warm.seconds:7.1f} s  (added {warm.added}, unchanged {warm.unchanged})")
    # One file changed: only it is parsed and embedded again, the rest is reused.
    touched = args.index_dir / "touched-corpus"
    shutil.rmtree(touched, ignore_errors=True)
    touched.mkdir()
    note = touched / "catatan-baru.md"
    note.write_text("# Catatan\nSentra IKM dibina oleh perangkat daerah.\n", encoding="utf-8")
    changed = build_index(settings.model_copy(update={"corpus_dirs": [*settings.corpus_dirs, touched]}), show_progress=False)
    print(f"one new file: {changed.seconds:7.1f} s  (added {changed.added}, unchanged {changed.unchanged})")


if __name__ == "__main__":
    main()
