"""Fixtures of the scenario tests: the Hyndburn example counted once, and copies to write scenarios in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.workspaces import counted_example
from totalplace.workspace import Workspace, open_workspace


@pytest.fixture(scope="session")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return the Hyndburn example imported, classified, counted, with opportunities (do not change it)."""
    return counted_example(tmp_path_factory.mktemp("scenario") / "hyndburn")


@pytest.fixture
def hyndburn(counted: Workspace, tmp_path: Path) -> Workspace:
    """Return a private copy of the counted example, free to change."""
    shutil.copytree(counted.root, tmp_path / "copy")
    return open_workspace(tmp_path / "copy")
