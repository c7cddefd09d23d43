"""A small classified workspace built once from real published files, copied per test.

Hyndburn (one month of the district council's spend over £500), Lancashire Fire (a
quarter) and the Lancashire PCC (one year): three sectors and three publishers'
layouts, a few thousand lines, so the tests stay fast.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from totalplace.classify import classify
from totalplace.ingest import import_files
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

FILES = {
    ("Hyndburn Borough Council", "district_council"): [
        "lancashire/hyndburn_bc/hyndburn_2024-05.csv"
    ],
    ("Lancashire Fire and Rescue", "fire"): ["lancashire/lancashire_fire/fire-2025-26-q1.xlsx"],
    ("Lancashire Police and Crime Commissioner", "police"): [
        "lancashire/lancashire_pcc/pcc-2020-21.xlsx"
    ],
}


@pytest.fixture(scope="session")
def template(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of a workspace with the files imported (not yet classified)."""
    root = tmp_path_factory.mktemp("classify") / "ws"
    init_workspace(root, "E07000120")
    ws = open_workspace(root)
    for (name, sector), files in FILES.items():
        add_partner(ws, Partner(name=name, sector=sector))
        import_files(ws, name, [realdata / f for f in files])
    return root


@pytest.fixture(scope="session")
def classified_template(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of a copy of the template classified with the default rules."""
    root = tmp_path_factory.mktemp("classified") / "ws"
    shutil.copytree(template, root)
    classify(open_workspace(root))
    return root


def _copy(source: Path, tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(source, root)
    return open_workspace(root)


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Workspace:
    """Return a fresh copy of the imported workspace (not classified), safe to change."""
    return _copy(template, tmp_path)


def _sql(ws: Workspace, query: str) -> list[tuple]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


@pytest.fixture
def sql() -> Callable[[Workspace, str], list[tuple]]:
    """Return a function running a read-only query on a workspace warehouse."""
    return _sql


@pytest.fixture
def classified(classified_template: Path, tmp_path: Path) -> Workspace:
    """Return a fresh copy of the workspace classified with the default rules, safe to change."""
    return _copy(classified_template, tmp_path)
