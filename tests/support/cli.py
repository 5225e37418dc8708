"""`python -m assistant …` in a subprocess, with an index and corpus of the test's own."""

import subprocess
import sys

from assistant.config import PROJECT_ROOT


def run_cli(*args: str, settings=None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    if settings is not None:
        env |= {"SENTRA_INDEX_DIR": str(settings.index_dir), "SENTRA_CORPUS_DIRS": ",".join(map(str, settings.corpus_dirs))}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=PROJECT_ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=300,
    )
