"""Fixtures for the link stage: the bundled Hyndburn example, imported and linked once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from totalplace.ingest import import_files
from totalplace.link import Register, link
from totalplace.workspace import Workspace, open_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"


@pytest.fixture(scope="module")
def hyndburn(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return the bundled Hyndburn example workspace with its real files imported."""
    root = tmp_path_factory.mktemp("link") / "hyndburn"
    shutil.copytree(EXAMPLE, root)
    ws = open_workspace(root)
    for partner in ws.partners:
        import_files(ws, partner.name, ws.source_files(partner))
    return ws


@pytest.fixture(scope="module")
def hyndburn_register(hyndburn: Workspace) -> Register:
    """Return the register of the Hyndburn example (linked once per module)."""
    return link(hyndburn)
