"""The supplier register of the Hyndburn example is the same on DuckDB, PostgreSQL and Spark.

The example is imported once into its DuckDB warehouse. Its stored rows (sources and
transaction rows) are then copied into a fresh warehouse of each engine, and
``totalplace link`` runs on that workspace: the engine aggregates the payees and stores
the register. The register returned, and the one read back from the engine, must equal
the DuckDB workspace's: every payee's supplier, every canonical name and kind, every
total to the penny, every link and warning.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from totalplace import warehouse
from totalplace.link import Register, link
from totalplace.workspace import Workspace, open_workspace

pytestmark = pytest.mark.engines

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"
TABLES = {
    "suppliers": ["supplier_id"],
    "supplier_members": ["partner", "raw_name"],
    "supplier_links": [
        "supplier_id_a",
        "rule",
        "partner_a",
        "raw_name_a",
        "partner_b",
        "raw_name_b",
    ],
}


def _rows(table: pa.Table, keys: list[str]) -> list[dict[str, Any]]:
    rows = table.to_pylist()
    return sorted(rows, key=lambda r: tuple("" if r[k] is None else str(r[k]) for k in keys))


def _stored(ws: Workspace) -> dict[str, pa.Table]:
    con = warehouse.connect(ws, read_only=True)
    try:
        return {name: con.table(name).to_pyarrow() for name in TABLES}
    finally:
        con.disconnect()


def _copy_to(backend: Any, source: Workspace, root: Path) -> Workspace:
    """Return a copy of the example on the backend's fresh warehouse, holding source's rows."""
    shutil.copytree(EXAMPLE, root)
    if backend.url:
        with (root / "place.toml").open("a") as f:
            f.write(f'\n[warehouse]\nurl = "{backend.url}"\n')
    ws = open_workspace(root)
    old = warehouse.connect(source, read_only=True)
    try:
        stored = {
            name: old.table(name).to_pyarrow()
            for name in ("sources", "transaction_rows", "quarantine_rows")
        }
    finally:
        old.disconnect()
    con = warehouse.connect(ws)
    try:
        with warehouse.transaction(con):
            for name, table in stored.items():
                warehouse.append(con, name, table)
    finally:
        con.disconnect()
    return ws


@pytest.fixture(scope="module")
def expected(hyndburn: Workspace, hyndburn_register: Register) -> dict[str, pa.Table]:
    """The register the DuckDB workspace stored."""
    return _stored(hyndburn)


def test_the_register_is_identical_on_every_engine(
    backend: Any,
    hyndburn: Workspace,
    hyndburn_register: Register,
    expected: dict[str, pa.Table],
    tmp_path: Path,
) -> None:
    ws = _copy_to(backend, hyndburn, tmp_path / "ws")
    register = link(ws)
    assert register.suppliers.num_rows == hyndburn_register.suppliers.num_rows > 100
    assert register.warnings == hyndburn_register.warnings
    for got, want, keys in (
        (register.suppliers, hyndburn_register.suppliers, TABLES["suppliers"]),
        (register.members, hyndburn_register.members, TABLES["supplier_members"]),
        (register.links, hyndburn_register.links, TABLES["supplier_links"]),
    ):
        assert _rows(got, keys) == _rows(want, keys)
    # What the engine stored reads back the same, money as exact decimals.
    stored = _stored(ws)
    for name, keys in TABLES.items():
        assert _rows(stored[name], keys) == _rows(expected[name], keys), name
    amounts = stored["suppliers"].column("amount").to_pylist()
    assert all(isinstance(a, Decimal) for a in amounts)
    assert sum(amounts, Decimal(0)) == sum(
        expected["suppliers"].column("amount").to_pylist(), Decimal(0)
    )
    assert sum(amounts, Decimal(0)) == sum(
        stored["supplier_members"].column("amount").to_pylist(), Decimal(0)
    )
