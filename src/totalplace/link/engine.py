"""Where the linker computes: one in-process DuckDB over Arrow, whatever the warehouse's engine.

The warehouse's own engine (DuckDB, PostgreSQL or Spark) does the part of the register
that grows with the ledgers: it aggregates the transactions to payee rows (an Ibis
group-by, :func:`totalplace.link.payees.load_payees`) and stores the register
(``warehouse.replace_table``). Between the two, the linker works on the distinct payee
names -- thousands per place -- in the one connection :func:`kernel` opens here: an
in-memory DuckDB fed with Arrow. Its SQL (name normalisation, Splink's comparisons,
the evidence) is DuckDB's, written once and run through ``warehouse.run_sql``; the
register is then the same on every engine by construction. Why not the warehouse's
engine: docs/decisions/0013-link-on-engines.md. This module is the only place in
``link`` that opens a connection.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from totalplace import warehouse


@contextmanager
def kernel() -> Iterator[Any]:
    """Yield the linker's compute connection: an in-memory Ibis DuckDB, closed afterwards."""
    import ibis

    con = ibis.duckdb.connect()
    try:
        run(con, "SET enable_progress_bar = false")  # the command line has its own
        yield con
    finally:
        con.disconnect()


def run(con: Any, sql: str) -> None:
    """Run a statement that returns nothing on the linker's connection."""
    warehouse.run_sql(con, sql)


def query(con: Any, sql: str, params: Sequence[Any] = ()) -> pa.Table:
    """Return the result of a query (``?`` bound to ``params``) on the linker's connection."""
    table = warehouse.run_sql(con, sql, params)
    if table is None:
        raise ValueError(f"not a query: {sql[:60]!r}")
    return table


def scalar(con: Any, sql: str) -> Any:
    """Return the one value a query returns."""
    return query(con, sql).column(0)[0].as_py()


def put(con: Any, name: str, table: pa.Table) -> None:
    """Create (or replace) working table ``name`` holding the Arrow ``table``."""
    raw = con.con
    raw.register(f"_{name}_input", table)
    try:
        raw.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _{name}_input")
    finally:
        raw.unregister(f"_{name}_input")


def splink_api(con: Any) -> Any:
    """Return Splink's DuckDB API over the linker's connection."""
    from splink import DuckDBAPI

    return DuckDBAPI(con.con)
