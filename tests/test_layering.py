"""The layering: stages depend downwards only, no cycles, Typer and Rich only in the command line.

The contracts are in pyproject.toml (``[tool.importlinter]``); ``lint-imports`` checks them.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "totalplace"


def test_the_import_contracts_hold():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(lint).exists():
        pytest.fail("lint-imports (import-linter, a dev dependency) is not installed")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_library_module_imports_typer_or_rich():
    offenders = {
        str(path.relative_to(SRC)): sorted(
            n for n in _imports(path) if n.split(".")[0] in ("typer", "rich", "click")
        )
        for path in SRC.rglob("*.py")
        if "cli" not in path.relative_to(SRC).parts[:1]
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_loading_the_command_line_loads_no_engine_or_data_library():
    code = (
        "import sys, totalplace.cli; "
        "heavy = ('ibis', 'duckdb', 'pandas', 'pyarrow', 'splink', 'numpy', 'python_calamine', "
        "'xlsxwriter', 'sqlglot', 'totalplace.warehouse'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_importing_totalplace_is_cheap_too():
    code = "import sys, totalplace; print(sorted(m for m in ('ibis', 'duckdb', 'pyarrow', 'pandas') if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
