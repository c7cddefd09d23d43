"""Fixtures for the needs tests: counted workspaces for Hyndburn and Trafford on real published files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workspaces import imported_example, imported_trafford
from totalplace.count import count
from totalplace.needs import count_by_ward
from totalplace.workspace import Workspace

HYNDBURN = "E07000120"


@pytest.fixture(scope="session")
def hyndburn(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return a copy of examples/hyndburn, imported and counted, by partner and by ward (themes may be 'Unclassified')."""
    ws = imported_example(tmp_path_factory.mktemp("needs") / "hyndburn")
    count(ws)
    count_by_ward(ws)
    return ws


@pytest.fixture(scope="session")
def trafford(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return a Trafford workspace with the council's 2024-25 spending imported and counted (by partner and ward)."""
    zipped = realdata / "trafford_council" / "trafford-supplier-spend-2024-25.zip"
    ws = imported_trafford(tmp_path_factory.mktemp("needs") / "trafford", zipped)
    count(ws)
    count_by_ward(ws)
    return ws
