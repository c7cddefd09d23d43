"""Fixtures for the needs tests: counted workspaces for Hyndburn and Trafford on real published files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from totalplace.count import count
from totalplace.ingest import import_files
from totalplace.needs import count_by_ward
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"
HYNDBURN = "E07000120"
TRAFFORD = "E08000009"


@pytest.fixture(scope="session")
def hyndburn(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return a copy of examples/hyndburn, imported and counted, by partner and by ward (themes may be 'Unclassified')."""
    root = tmp_path_factory.mktemp("needs") / "hyndburn"
    shutil.copytree(EXAMPLE, root)
    ws = open_workspace(root)
    for partner in ws.partners:
        import_files(ws, partner.name, ws.source_files(partner))
    count(ws)
    count_by_ward(ws)
    return ws


@pytest.fixture(scope="session")
def trafford(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return a Trafford workspace with the council's 2024-25 spending imported and counted (by partner and ward)."""
    root = tmp_path_factory.mktemp("needs") / "trafford"
    init_workspace(root, TRAFFORD)
    ws = open_workspace(root)
    zipped = realdata / "trafford_council" / "trafford-supplier-spend-2024-25.zip"
    add_partner(
        ws,
        Partner(
            name="Trafford Council",
            sector="unitary_council",
            areas=(TRAFFORD,),
            sources=(str(zipped),),
        ),
    )
    import_files(ws, "Trafford Council", [zipped])
    count(ws)
    count_by_ward(ws)
    return ws
