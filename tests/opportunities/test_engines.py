"""Classify and opportunities give the same answer on DuckDB, PostgreSQL and Spark, to the penny.

The Hyndburn example is imported, classified, counted and its opportunities found on
DuckDB (the ``hyndburn`` fixture). A copy of the example is then pointed at each engine
with ``[warehouse] url`` in its place.toml, imported and classified there; the count's
tables (``count_lines``, ``count_months``) are carried over from DuckDB's run (and the
run recorded), as the count is not what is tested here; and opportunities are found. Every transaction's rule
ids and values, and every opportunity table, must equal DuckDB's row for row.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tests.workspaces import one_year_example
from totalplace import stages, warehouse
from totalplace.classify import COLUMNS, classify
from totalplace.ingest import import_files
from totalplace.opportunities import TABLES, Opportunities, opportunities
from totalplace.workspace import Workspace, open_workspace

COUNT_TABLES = ("count_lines", "count_months")


def rows(table: pa.Table) -> list[dict[str, Any]]:
    """Return a table's rows in a set order (engines return rows in no set order)."""
    return sorted(table.to_pylist(), key=lambda r: [(v is None, str(v)) for v in r.values()])


def tables(ws: Workspace, names: tuple[str, ...]) -> dict[str, pa.Table]:
    """Return the named tables of a workspace's warehouse as Arrow."""
    con = warehouse.connect(ws)
    try:
        return {n: con.table(n).to_pyarrow() for n in names}
    finally:
        con.disconnect()


@pytest.fixture(scope="module")
def on_duckdb(hyndburn: tuple[Workspace, Opportunities]) -> dict[str, pa.Table]:
    ws, _ = hyndburn
    return tables(ws, ("transactions", "classifications", *COUNT_TABLES, *TABLES))


@pytest.fixture
def on_engine(
    backend: Any, tmp_path: Path, on_duckdb: dict[str, pa.Table]
) -> Iterator[tuple[Workspace, Opportunities]]:
    root = tmp_path / "hyndburn"
    one_year_example(root)
    if backend.url:
        with (root / "place.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[warehouse]\nurl = "{backend.url}"\n')
    ws = open_workspace(root)
    for partner in ws.partners:
        import_files(ws, partner.name, ws.source_files(partner))
    classify(ws)
    con = warehouse.connect(ws)
    try:
        assert warehouse.engine_of(con) == backend.name
        for name in COUNT_TABLES:
            warehouse.replace_table(con, name, on_duckdb[name])
        stages.record(con, ws, "count")  # stands in for the count's run (stage contract)
    finally:
        con.disconnect()
    yield ws, opportunities(ws)


def test_classify_and_opportunities_are_identical_on_every_engine(on_engine, on_duckdb):
    ws, found = on_engine
    mine = tables(ws, ("transactions", "classifications", *TABLES))
    assert mine["transactions"].num_rows == on_duckdb["transactions"].num_rows > 0
    # The same lines get the same keys on every engine, so rule ids compare line by line.
    want = on_duckdb["classifications"].select(list(COLUMNS))
    assert rows(mine["classifications"].select(list(COLUMNS))) == rows(want)
    assert found.tables == {t: on_duckdb[t].num_rows for t in TABLES}
    for name in TABLES:
        have = mine[name].select(on_duckdb[name].column_names)
        assert have.schema.equals(on_duckdb[name].schema), name
        assert rows(have) == rows(on_duckdb[name]), name
