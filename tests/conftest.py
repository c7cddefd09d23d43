"""Shared fixtures: the real published files in ../shared/realdata, and fresh workspaces.

Outside CI, tests that need ../shared/realdata skip with a clear reason when it is
absent (a user's clone); under CI (CI=true) its absence is an error, never a skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from totalplace.workspace import Workspace, init_workspace, open_workspace

# The engine fixtures (backend, postgres_server, spark_engine) for every test module.
pytest_plugins = ["tests.engines"]

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("TOTALPLACE_REALDATA", ROOT.parent / "shared" / "realdata"))
EXAMPLES = ROOT / "examples"


def _realdata_or_skip() -> Path:
    if (REALDATA / "TRUTH.json").exists():
        return REALDATA
    message = (
        f"real published data not found at {REALDATA}: these tests read ../shared/realdata "
        "(set TOTALPLACE_REALDATA to point elsewhere)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def realdata() -> Path:
    """Return the folder of real published files (skip outside CI if absent, fail in CI)."""
    return _realdata_or_skip()


@pytest.fixture(scope="session")
def truth(realdata: Path) -> dict[str, Any]:
    """Return TRUTH.json: independently established per-file figures."""
    return json.loads((realdata / "TRUTH.json").read_text())


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """Return a fresh, empty Hyndburn workspace in a temporary folder."""
    init_workspace(tmp_path / "ws", "E07000120")
    return open_workspace(tmp_path / "ws")


#: The stages a new user runs, in order (issue 7, "Done when").
PIPELINE = (
    ("import",),
    ("classify",),
    ("count",),
    ("count", "--by", "ward"),
    ("coverage",),
    ("compare",),
    ("link",),
    ("opportunities",),
)


@pytest.fixture(scope="session")
def pipeline() -> Any:
    """Return :func:`run_pipeline`, for tests that take a workspace through every stage."""
    return run_pipeline


def run_pipeline(root: Path) -> dict[str, Any]:
    """Run every stage through the CLI with --json in ``root``; return each stage's document.

    Fails the test on a non-zero exit or a traceback in the output.
    """
    from typer.testing import CliRunner

    from totalplace.cli import app

    runner = CliRunner()
    docs: dict[str, Any] = {}
    for args in PIPELINE:
        result = runner.invoke(app, [*args, "--workspace", str(root), "--json"])
        name = " ".join(args)
        assert "Traceback" not in result.output, f"{name}: {result.output[-2000:]}"
        assert result.exit_code == 0, f"{name} exited {result.exit_code}: {result.output[-2000:]}"
        docs[name] = json.loads(result.stdout)
    return docs
