"""Fixtures of the opportunities tests: real workspaces counted once, copies to change, a stand-in register.

* ``hyndburn`` -- the bundled Hyndburn example (borough council, Lancashire fire and
  police; FY 2024-25) imported, classified and counted, with opportunities found
  once under the packaged assumptions. Tests that change assumptions or files work
  on a copy (``hyndburn_copy``), so they never disturb it.
* ``tyneside`` -- Newcastle, Gateshead and North Tyneside councils' September 2019
  files from ../shared/realdata, which pay many of the same suppliers.
* :func:`build_standin_register` writes ``suppliers`` and ``supplier_members`` in
  the contract of ``totalplace.link`` from exact normalised payee names, so shared
  suppliers can be tested before (and independently of) the real linker.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.workspaces import one_year_example
from totalplace import stages
from totalplace.classify import classify
from totalplace.count import count
from totalplace.ingest import import_files
from totalplace.opportunities import Opportunities, opportunities
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"
TYNESIDE = {
    "Newcastle City Council": ["odileeds_cleaned/newcastle/newcastle_2019-09.csv"],
    "Gateshead Council": ["odileeds_cleaned/gateshead/gateshead_2019-09.csv"],
    "North Tyneside Council": [
        "odileeds_cleaned/north_tyneside/northtyneside_2019-09_i.csv",
        "odileeds_cleaned/north_tyneside/northtyneside_2019-09_p.csv",
    ],
}


def prepare(ws: Workspace) -> None:
    """Import every partner's files, classify and count (the stages opportunities reads)."""
    for partner in ws.partners:
        files = ws.source_files(partner)
        if files:
            import_files(ws, partner.name, files)
    classify(ws)
    count(ws)


def sql(ws: Workspace, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Return the rows of a query on the workspace warehouse, read-only and independent of Ibis."""
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def build_standin_register(ws: Workspace) -> None:
    """Write a throwaway register: one supplier per exact normalised payee name across partners.

    Follows the contract of ``totalplace.link``: ``suppliers`` (supplier_id,
    canonical_name, kind) and ``supplier_members`` (supplier_id, partner, raw_name,
    payments, amount, match_rule), and its run recorded as link's. Redacted and
    withheld payees stay apart per partner with kind 'redacted', never joined to anything.
    """
    con = duckdb.connect(str(ws.warehouse_path))
    try:
        con.execute(
            """
            CREATE OR REPLACE TABLE supplier_members AS
            WITH m AS (
                SELECT partner, supplier_name AS raw_name,
                    CASE WHEN bool_or(payee_status = 'named')
                         THEN 'k:' || upper(regexp_replace(supplier_name, '[^A-Za-z0-9]+', '', 'g'))
                         ELSE 'r:' || partner || ':' || coalesce(supplier_name, '') END AS anchor,
                    count(*) AS payments, sum(amount)::DECIMAL(18, 2) AS amount
                FROM transactions GROUP BY partner, supplier_name
            )
            SELECT 'S' || substr(md5(anchor), 1, 16) AS supplier_id, partner, raw_name,
                payments, amount, 'same_name' AS match_rule, anchor
            FROM m
            """
        )
        con.execute(
            """
            CREATE OR REPLACE TABLE suppliers AS
            SELECT supplier_id, first(raw_name ORDER BY payments DESC, raw_name) AS canonical_name,
                CASE WHEN bool_and(anchor LIKE 'r:%') THEN 'redacted' ELSE 'organisation' END AS kind,
                count(DISTINCT partner)::INTEGER AS partners, sum(amount) AS amount
            FROM supplier_members GROUP BY supplier_id
            """
        )
    finally:
        con.close()
    with stages.using(ws) as warehouse:
        stages.record(warehouse, ws, "link")


def copy_workspace(ws: Workspace, target: Path) -> Workspace:
    """Return a copy of a prepared workspace (its warehouse included) in ``target``."""
    shutil.copytree(ws.root, target)
    return open_workspace(target)


@pytest.fixture(scope="session")
def hyndburn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Opportunities]:
    """Return the Hyndburn example, counted, and its opportunities under the packaged assumptions."""
    root = tmp_path_factory.mktemp("opportunities") / "hyndburn"
    one_year_example(root)  # the tests below are of 2024-25's figures
    ws = open_workspace(root)
    prepare(ws)
    return ws, opportunities(ws)


@pytest.fixture
def hyndburn_copy(hyndburn: tuple[Workspace, Opportunities], tmp_path: Path) -> Workspace:
    """Return a private copy of the counted Hyndburn workspace, free to change."""
    return copy_workspace(hyndburn[0], tmp_path / "copy")


@pytest.fixture(scope="session")
def tyneside_counted(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return a Newcastle workspace with three Tyneside councils (Sept 2019), counted, no register."""
    root = tmp_path_factory.mktemp("opportunities") / "tyneside"
    init_workspace(root, "E08000021")
    ws = open_workspace(root)
    for name in TYNESIDE:
        # No areas: each council is counted in full, so place = ledger for these tests.
        add_partner(ws, Partner(name=name, sector="unitary_council"))
    for name, files in TYNESIDE.items():
        import_files(ws, name, [realdata / f for f in files])
    classify(ws)
    count(ws)
    return ws


@pytest.fixture
def tyneside(tyneside_counted: Workspace, tmp_path: Path) -> Workspace:
    """Return a private copy of the counted Tyneside workspace."""
    return copy_workspace(tyneside_counted, tmp_path / "tyneside")
