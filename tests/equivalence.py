"""Run the pipeline on an engine and dump every output table, to compare engines row for row.

A reference workspace is imported and classified on DuckDB. For each engine a copy of
the workspace folder is pointed at a fresh warehouse on it (``[warehouse] url``, the
real path a user takes); the base tables import and classify wrote are copied in
through the warehouse seam, and the later stages run there as a user would run them
(``con`` left to the workspace). Every output table is read back as Arrow, money
checked to be exact decimals, and sorted, so two engines' dumps compare equal only if
they hold the same rows to the penny.

To add a stage (link, opportunities): add its tables to OUTPUT_TABLES and a call to
``run_stages``; to import or classify on the engine itself, drop their tables from
BASE_TABLES and call them in ``run_stages``.
"""

from __future__ import annotations

import decimal
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from tests.engines import Backend
from totalplace import warehouse
from totalplace.count import count
from totalplace.count.pooled import pooled
from totalplace.coverage import coverage
from totalplace.needs import compare, count_by_ward
from totalplace.report.documents import jsonable
from totalplace.workspace import Workspace, open_workspace
from totalplace.workspace.model import STATE_DIR

#: What the import and classify stages leave for the later stages to read: base
#: tables appended into the engine's own (the views over them come with the schema),
#: derived tables written whole.
BASE_TABLES = ("sources", "transaction_rows", "quarantine_rows")
DERIVED_TABLES = ("classifications", "classification_rules")

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
    "count_pooled": (
        "counted_amount",
        "paid_to_partners",
        "pooled_contribution",
        "aligned_contribution",
        "theme_spend",
        "theme_pooled",
        "theme_separate",
    ),
}


@dataclass
class Dump:
    """One engine's run: each output table as sorted plain rows, and the returned documents."""

    engine: str
    tables: dict[str, list[dict[str, Any]]]
    documents: dict[str, Any] = field(default_factory=dict)


def on_engine(reference: Workspace, backend: Backend, root: Path) -> Workspace:
    """Return a copy of the workspace at ``root`` whose warehouse is the backend's, holding the same base tables."""
    shutil.copytree(reference.root, root, ignore=shutil.ignore_patterns(STATE_DIR))
    if backend.url:
        with (root / "place.toml").open("a", encoding="utf-8") as fh:
            fh.write(f'\n[warehouse]\nurl = "{backend.url}"\n')
    ws = open_workspace(root)
    source = warehouse.connect(reference, read_only=True)
    target = warehouse.connect(ws)
    try:
        for name in BASE_TABLES:
            warehouse.append(target, name, source.table(name).to_pyarrow())
        for name in DERIVED_TABLES:
            if warehouse.has_table(source, name):
                warehouse.replace_table(target, name, source.table(name).to_pyarrow())
    finally:
        target.disconnect()
        source.disconnect()
    return ws


def run_stages(workspace: Workspace, con: Any | None = None) -> dict[str, Any]:
    """Run count, count by ward, coverage and compare (on ``con``, default the workspace's); return their documents."""
    return {
        "count": count(workspace, con=con).as_json(),
        "count_pooled": pooled(workspace, con=con).as_json(),
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


def pipeline(reference: Workspace, backend: Backend, root: Path) -> Dump:
    """Copy the workspace's imported, classified tables to the backend, run the stages there, dump."""
    ws = on_engine(reference, backend, root)
    con = warehouse.connect(ws)  # one connection for every stage: Spark pays per connect
    try:
        assert warehouse.engine_of(con) == backend.name
        return dump(con, backend.name, run_stages(ws, con))
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
    documents = run_stages(workspace)
    con = warehouse.connect(workspace)
    try:
        return dump(con, "duckdb (the reference workspace)", documents)
    finally:
        con.disconnect()
