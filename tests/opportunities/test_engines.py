"""Classify and opportunities give the same answer on DuckDB, PostgreSQL and Spark, to the penny.

The Hyndburn example is imported, classified, counted and its opportunities found on
DuckDB (the ``hyndburn`` fixture). Its base tables (``transactions``, ``count_lines``,
``count_months``) are copied into a fresh warehouse on each engine, where classify and
opportunities run again through the library functions that take a connection; every
transaction's rule ids and values, and every opportunity table, must equal DuckDB's
row for row. (Until the warehouse seam lets a workspace name its engine, the test makes
the Ibis connection itself.)
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from totalplace.classify import COLUMNS, classify_on
from totalplace.opportunities import TABLES, Opportunities, find_on
from totalplace.warehouse import connect
from totalplace.workspace import Workspace

BASE_TABLES = ("transactions", "count_lines", "count_months")


def rows(table: pa.Table, order: list[str]) -> list[dict[str, Any]]:
    """Return a table's rows sorted by ``order`` (engines return rows in no set order)."""
    data = table.to_pylist()
    return sorted(data, key=lambda r: tuple((r[k] is None, str(r[k])) for k in order))


@pytest.fixture(scope="module")
def duck(hyndburn: tuple[Workspace, Opportunities]) -> Iterator[tuple[Workspace, Any]]:
    ws, _ = hyndburn
    con = connect(ws, read_only=True)
    yield ws, con
    con.disconnect()


@pytest.fixture(params=["postgres", "spark"])
def other(request: pytest.FixtureRequest, duck: tuple[Workspace, Any]) -> Iterator[Any]:
    """Return an Ibis connection to a fresh warehouse on PostgreSQL or Spark, holding the base tables."""
    _, source = duck
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        con = ibis.connect(server.new_url())
    else:
        spark = request.getfixturevalue("spark_engine")
        name = spark.new_url().rsplit("/", 1)[-1]
        spark.session.sql(f"CREATE DATABASE {name}")
        spark.session.catalog.setCurrentDatabase(name)
        con = ibis.pyspark.connect(spark.session)
    for table in BASE_TABLES:
        data = source.table(table).to_pyarrow()
        if request.param == "postgres":
            copy_into_postgres(con, table, data)
        else:
            con.create_table(table, data, overwrite=True)
    yield con


def copy_into_postgres(con: Any, name: str, data: pa.Table) -> None:
    """Write an Arrow table into PostgreSQL with COPY (Ibis inserts row by row, far too slowly)."""
    con.create_table(name, schema=ibis.Schema.from_pyarrow(data.schema), overwrite=True)
    buffer = io.BytesIO()
    pa_csv.write_csv(data, buffer)
    with (
        con.con.cursor() as cur,
        cur.copy(f'COPY "{name}" FROM STDIN (FORMAT csv, HEADER true)') as copy,
    ):
        copy.write(buffer.getvalue())


def test_classify_and_opportunities_are_identical_on_every_engine(duck, other):
    ws, source = duck
    result = classify_on(other, ws)
    expected = source.table("classifications").to_pyarrow()
    assert result.rows == expected.num_rows > 0
    got = other.table("classifications").to_pyarrow().select(list(COLUMNS))
    assert rows(got, ["txn_key"]) == rows(expected.select(list(COLUMNS)), ["txn_key"])
    found = find_on(other, ws)
    assert found.tables == {t: source.table(t).count().to_pyarrow().as_py() for t in TABLES}
    for name in TABLES:
        want = source.table(name).to_pyarrow()
        have = other.table(name).to_pyarrow().select(want.column_names)
        assert have.schema.equals(want.schema), name
        assert rows(have, want.column_names) == rows(want, want.column_names), name
