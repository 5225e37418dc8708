"""The package's shape: rooms import one way along the data path, and no function grows past what a
reader takes in at once."""

import ast
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from assistant.config import PROJECT_ROOT

pytestmark = pytest.mark.unit

PACKAGE = PROJECT_ROOT / "assistant"
# About a screen: longer functions do several jobs and hide the order of the steps.
MAX_FUNCTION_LINES = 60


def long_functions(root: Path, limit: int) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > limit:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({lines} baris)")
    return found


def test_long_functions_are_found(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (tmp_path / "long.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n")
    assert long_functions(tmp_path, MAX_FUNCTION_LINES) == [f"{tmp_path.name}/long.py:5 long (62 baris)"]


def test_no_function_in_the_package_is_over_the_limit():
    assert long_functions(PACKAGE, MAX_FUNCTION_LINES) == []


def test_rooms_import_one_way(capsys):
    """The contracts in pyproject.toml (`lint-imports` on the command line)."""
    code = lint_imports(config_filename=str(PROJECT_ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out
