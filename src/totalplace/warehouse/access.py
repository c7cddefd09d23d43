"""What a stage may do to the warehouse, the same on every engine.

SQL is written once, in DuckDB's dialect, and transpiled by sqlglot for PostgreSQL and
Spark; ``?`` parameters become literals (sqlglot quotes them). Arrow goes in with
:func:`append` by each engine's fast path (DuckDB's scan of Arrow, PostgreSQL's COPY,
Spark's Arrow DataFrames) and comes out of :func:`run_sql` as a pyarrow.Table.
"""

from __future__ import annotations

import datetime as _dt
import importlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from types import ModuleType
from typing import Any, TypeAlias

import pyarrow as pa
import sqlglot as sg

from totalplace.warehouse.schema import dialect

ArrowInput: TypeAlias = "pa.Table | pa.RecordBatchReader | Iterable[pa.RecordBatch]"


def engine_of(con: Any) -> str:
    """Return the engine of an Ibis connection: "duckdb", "postgres" or "spark"."""
    if type(con).__name__ == "DuckDBPyConnection":
        return "duckdb"  # a raw DuckDB connection (older callers, tests): the same engine
    name = getattr(con, "name", "")
    return "spark" if name == "pyspark" else name


def engine_module(con_or_engine: Any) -> ModuleType:
    """Return the module of the connection's engine (engines/duckdb.py, postgres.py, spark.py)."""
    engine = con_or_engine if isinstance(con_or_engine, str) else engine_of(con_or_engine)
    if engine not in ("duckdb", "postgres", "spark"):
        raise ValueError(f"not a warehouse connection: {con_or_engine!r}")
    # Imported when first used: pyspark and psycopg are heavy and optional.
    return importlib.import_module(f"totalplace.warehouse.engines.{engine}")


def literal(value: Any) -> sg.exp.Expression:
    """Return a SQL literal of a Python value (text, number, Decimal, date, None, bool)."""
    if value is None:
        return sg.exp.Null()
    if isinstance(value, bool):
        return sg.exp.Boolean(this=value)
    if isinstance(value, int | Decimal):
        return sg.exp.Literal.number(str(value))
    if isinstance(value, _dt.datetime):
        return sg.exp.cast(sg.exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, _dt.date):
        return sg.exp.cast(sg.exp.Literal.string(value.isoformat()), "DATE")
    return sg.exp.Literal.string(str(value))


def transpile(sql: str, engine: str, params: Sequence[Any] = ()) -> str:
    """Return DuckDB-dialect ``sql`` in the engine's dialect, with ``?`` replaced by ``params``."""
    tree = sg.parse_one(sql, read="duckdb")
    values = iter(params)
    if params:
        tree = tree.transform(
            lambda node: literal(next(values)) if isinstance(node, sg.exp.Placeholder) else node
        )
    return tree.sql(dialect=dialect(engine))


def run_sql(con: Any, sql: str, params: Sequence[Any] = ()) -> pa.Table | None:
    """Run one statement written in DuckDB's dialect; return its rows as Arrow (None if none).

    On DuckDB it runs as written (``params`` bound natively); on other engines it is
    transpiled by sqlglot first.
    """
    engine = engine_of(con)
    module = engine_module(engine)
    if engine == "duckdb":
        return module.run(con, sql, list(params))
    return module.run(con, transpile(sql, engine, params))


def rows(con: Any, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Return a query's rows as tuples (for small results: a few per source or file)."""
    table = run_sql(con, sql, params)
    if table is None:
        return []
    columns = [column.to_pylist() for column in table.columns]
    return list(zip(*columns, strict=True)) if columns else []


def _reader(data: ArrowInput) -> pa.RecordBatchReader:
    if isinstance(data, pa.RecordBatchReader):
        return data
    if isinstance(data, pa.Table):
        return pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
    batches: list[pa.RecordBatch] = list(data)
    if not batches:
        raise ValueError("append needs a table or at least one batch (to know the columns)")
    return pa.RecordBatchReader.from_batches(batches[0].schema, batches)


def append(con: Any, name: str, data: ArrowInput) -> None:
    """Insert Arrow rows (a table, a reader or batches) into table ``name``, columns by name."""
    engine_module(con).append(con, name, _reader(data))


def replace_table(con: Any, name: str, expr: Any) -> None:
    """Write an Ibis expression (or Arrow table) as table ``name``, computed inside the engine."""
    engine_module(con).replace_table(con, name, expr)


def has_table(con: Any, name: str) -> bool:
    """Return whether the warehouse has a table (or view) of this name."""
    return name in con.list_tables()


def base_tables(con: Any) -> set[str]:
    """Return the names of the warehouse's base tables (views excluded)."""
    result: set[str] = engine_module(con).base_tables(con)
    return result


def delete_where(con: Any, name: str, condition: str, params: Sequence[Any] = ()) -> None:
    """Delete the rows of ``name`` matching a DuckDB-dialect condition (Spark rewrites the table)."""
    engine = engine_of(con)
    if engine == "spark":
        engine_module(engine).delete_where(con, name, transpile(condition, engine, params))
        return
    run_sql(con, f'DELETE FROM "{name}" WHERE {condition}', params)


def replace_rows(con: Any, name: str, condition: str, params: Sequence[Any], new: pa.Table) -> None:
    """Delete the rows of ``name`` matching ``condition`` and append ``new``, as one step.

    Inside a transaction on DuckDB and PostgreSQL; on Spark one rewrite of the table
    swapped in at once, so a reader sees the old rows or the new, never neither.
    """
    engine = engine_of(con)
    if engine == "spark":
        engine_module(engine).replace_rows(con, name, transpile(condition, engine, params), new)
        return
    if condition != "FALSE":
        delete_where(con, name, condition, params)
    if new.num_rows:
        append(con, name, new)


def matching(keys: Sequence[tuple[str, str]]) -> tuple[str, list[str]]:
    """Return a condition matching any of these (partner, source_hash) pairs, and its params."""
    condition = " OR ".join("(partner = ? AND source_hash = ?)" for _ in keys) or "FALSE"
    return condition, [value for pair in keys for value in pair]
