"""Run the pipeline on an engine and dump every output table, to compare engines row for row.

A reference workspace is imported and classified on DuckDB; its base tables are copied
into a fresh warehouse on the engine under test (DuckDB, PostgreSQL or Spark), and the
stages run there through their ``con``-taking library functions. Every output table is
read back as Arrow, money checked to be exact decimals, and sorted, so two engines'
dumps compare equal only if they hold the same rows to the penny.

To add a stage (link, opportunities): add its tables to OUTPUT_TABLES and a call to
``run_stages``.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from typing import Any

import ibis
import pyarrow as pa
import pytest

from totalplace.count import count
from totalplace.coverage import coverage
from totalplace.needs import compare, count_by_ward
from totalplace.report.documents import jsonable
from totalplace.warehouse import connect
from totalplace.workspace import Workspace

from tests.engines import Backend

#: What the import and classify stages leave for the later stages to read.
BASE_TABLES = ("sources", "transactions", "classifications", "classification_rules")

#: Every table the stages under test write, and the columns holding money.
OUTPUT_TABLES = {
    "count_lines": ("amount", "base_amount"),
    "count_months": ("gross_amount",),
    "count_by_partner_theme_year": (
        "gross_amount",
        "transfers_excluded",
        "to_partners",
        "base_amount",
        "counted_amount",
        "per_head",
    ),
    "count_by_ward": ("counted_amount", "per_head", "cohort_per_head"),
    "topdown_estimates": ("estimate",),
}


@dataclass
class Dump:
    """One engine's run: each output table as sorted plain rows, and the returned documents."""

    engine: str
    tables: dict[str, list[dict[str, Any]]]
    documents: dict[str, Any] = field(default_factory=dict)


def open_engine(backend: Backend, request: pytest.FixtureRequest) -> Any:
    """Return an Ibis connection to the backend's fresh, empty warehouse."""
    if backend.name == "duckdb":
        return ibis.duckdb.connect()
    if backend.name == "postgres":
        return ibis.connect(backend.url)
    spark = request.getfixturevalue("spark_engine")
    con = ibis.pyspark.connect(spark.session)
    database = (backend.url or "").rsplit("/", 1)[-1]
    con.create_database(database, force=True)
    con.raw_sql(f"USE {database}")
    return con


def copy_tables(workspace: Workspace, con: Any, names: tuple[str, ...] = BASE_TABLES) -> None:
    """Copy the named tables (or views) of the workspace's DuckDB warehouse into ``con`` as tables."""
    source = connect(workspace, read_only=True)
    try:
        for name in names:
            if name in source.list_tables():
                con.create_table(name, source.table(name).to_pyarrow(), overwrite=True)
    finally:
        source.disconnect()


def run_stages(con: Any, workspace: Workspace) -> dict[str, Any]:
    """Run count, count by ward, coverage and compare on ``con``; return their documents."""
    return {
        "count": count(workspace, con=con).as_json(),
        "count_by_ward": jsonable(count_by_ward(workspace, con=con).rows),
        "coverage": coverage(workspace, con=con).as_json(),
        "compare": compare(workspace, con=con).as_json(),
    }


def dump(con: Any, engine: str, documents: dict[str, Any]) -> Dump:
    """Return every output table of ``con`` as rows sorted on all columns, money checked exact."""
    tables = {}
    for name, money in OUTPUT_TABLES.items():
        arrow: pa.Table = con.table(name).to_pyarrow()
        for column in money:
            kind = arrow.schema.field(column).type
            assert pa.types.is_decimal(kind), f"{engine}: {name}.{column} is {kind}, not a decimal"
        rows = arrow.to_pylist()
        for row in rows:
            for column in money:
                value = row[column]
                assert value is None or value == value.quantize(decimal.Decimal("0.01")), (
                    f"{engine}: {name}.{column} = {value} is not whole pennies"
                )
        tables[name] = sorted(rows, key=_sort_key)
    return Dump(engine, tables, documents)


def _sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple((v is None, str(v)) for v in row.values())


def pipeline(backend: Backend, request: pytest.FixtureRequest, workspace: Workspace) -> Dump:
    """Copy the workspace's imported, classified tables to the backend, run the stages there, dump."""
    con = open_engine(backend, request)
    try:
        copy_tables(workspace, con)
        documents = run_stages(con, workspace)
        return dump(con, backend.name, documents)
    finally:
        con.disconnect()


def differences(reference: Dump, other: Dump) -> list[str]:
    """Return what differs between two dumps (empty: identical row for row, to the penny)."""
    found = []
    for name, rows in reference.tables.items():
        theirs = other.tables[name]
        if len(rows) != len(theirs):
            found.append(
                f"{name}: {len(rows)} rows on {reference.engine}, {len(theirs)} on {other.engine}"
            )
            continue
        for i, (a, b) in enumerate(zip(rows, theirs, strict=True)):
            if a != b:
                diff = {k: (a.get(k), b.get(k)) for k in a if a.get(k) != b.get(k)}
                found.append(f"{name} row {i}: {diff}")
                break
    for name, document in reference.documents.items():
        if document != other.documents[name]:
            found.append(f"{name}: the returned document differs")
    return found


def reference_dump(workspace: Workspace) -> Dump:
    """Run the stages on the workspace's own DuckDB warehouse and dump it: what every engine must match."""
    con = connect(workspace)
    try:
        return dump(con, "duckdb (workspace file)", run_stages(con, workspace))
    finally:
        con.disconnect()
