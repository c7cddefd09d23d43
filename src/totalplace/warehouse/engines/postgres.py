"""PostgreSQL: Ibis's postgres backend on a psycopg 3 connection, with real transactions.

Arrow goes in by COPY ... FROM STDIN as CSV written by Arrow itself (no Python loop over
rows; PostgreSQL's CSV reads an unquoted empty field as NULL, and Arrow quotes every
string, so empty text stays empty text). Errors in opening the server are told apart
(unreachable, authentication, no such database) with what to do; the password is never
shown.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pyarrow.csv as pacsv

from totalplace.warehouse.errors import WarehouseEnvironmentError, WarehouseInterrupted
from totalplace.warehouse.interrupts import is_interrupt, note_commit, signals_deferred
from totalplace.workspace.engine_url import EngineUrl

# Rows per COPY chunk: bounded memory whatever the size of the input.
_CHUNK = 100_000


def open_warehouse(target: EngineUrl) -> Any:
    """Return an Ibis postgres backend on the URL's database; raises WarehouseEnvironmentError."""
    try:
        import ibis
        import psycopg
    except ImportError as exc:
        raise WarehouseEnvironmentError(
            f"the warehouse is PostgreSQL ({target.masked}) but psycopg is not installed "
            f"({exc}): pip install 'totalplace[postgres]'"
        ) from exc
    parts = urlsplit(target.url)
    try:
        raw = psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            dbname=target.database,
            connect_timeout=10,
            autocommit=True,
        )
    except psycopg.Error as exc:
        raise _opening_error(target, exc) from exc
    return ibis.postgres.from_connection(raw)


def _opening_error(target: EngineUrl, exc: BaseException) -> WarehouseEnvironmentError:
    text = str(exc).replace(urlsplit(target.url).password or "\0", "***").strip()
    where = f"the PostgreSQL warehouse {target.masked}"
    if "does not exist" in text and "database" in text:
        advice = (
            f"create it (e.g. createdb -h HOST -U USER {target.database}) or point "
            "[warehouse] url (or TOTALPLACE_WAREHOUSE_URL) at a database that exists"
        )
    elif "authentication" in text or "password" in text or "role" in text:
        advice = (
            "check the user and password: set TOTALPLACE_WAREHOUSE_URL="
            "postgresql://USER:PASSWORD@HOST/DB rather than writing a password in place.toml"
        )
    else:
        advice = (
            "check that the server is running and reachable at that host and port "
            "(pg_isready -h HOST -p PORT), then run the command again"
        )
    return WarehouseEnvironmentError(f"cannot open {where}: {text}. What to do: {advice}.")


def usage_error(target: EngineUrl, exc: BaseException) -> WarehouseEnvironmentError:
    """Return the error for a server that opened but refused the tables (rights, space)."""
    return WarehouseEnvironmentError(
        f"the PostgreSQL warehouse {target.masked} refused to make or read totalplace's "
        f"tables: {str(exc).strip()}. What to do: give the user the right to create tables "
        "in the database's schema (GRANT CREATE ON SCHEMA public TO USER), or use a database "
        "it owns, and run the command again."
    )


def run(con: Any, sql: str) -> pa.Table | None:
    """Run one PostgreSQL statement; return its rows as Arrow, or None for a statement without."""
    with con.con.cursor() as cursor:
        cursor.execute(sql)
        if cursor.description is None:
            return None
        names = [d.name for d in cursor.description]
        found = cursor.fetchall()
    columns = list(zip(*found, strict=True)) if found else [() for _ in names]
    # from_arrays, not a dict: unnamed expressions share a name ("coalesce") in PostgreSQL.
    return pa.Table.from_arrays([pa.array(list(values)) for values in columns], names=names)


def append(con: Any, name: str, reader: pa.RecordBatchReader) -> None:
    """Insert Arrow batches into a table by COPY (CSV written by Arrow), columns by name."""
    columns = ", ".join(f'"{c}"' for c in reader.schema.names)
    copy_sql = f'COPY "{name}" ({columns}) FROM STDIN (FORMAT csv)'
    options = pacsv.WriteOptions(include_header=False, batch_size=_CHUNK)
    with con.con.cursor() as cursor:
        with cursor.copy(copy_sql) as copy:
            for batch in reader:
                for start in range(0, batch.num_rows, _CHUNK):
                    buffer = io.BytesIO()
                    pacsv.write_csv(batch.slice(start, _CHUNK), buffer, options)
                    copy.write(buffer.getvalue())
        _analyse(cursor, name)


def replace_table(con: Any, name: str, expr: Any) -> None:
    """Write an Ibis expression or Arrow table as table ``name`` (Arrow by COPY, not row by row)."""
    if isinstance(expr, pa.Table):
        with con.con.transaction():
            con.create_table(name, schema=_ibis_schema(expr.schema), overwrite=True)
            append(con, name, pa.RecordBatchReader.from_batches(expr.schema, expr.to_batches()))
        return
    con.create_table(name, expr, overwrite=True)
    with con.con.cursor() as cursor:
        _analyse(cursor, name)


def _analyse(cursor: Any, name: str) -> None:
    # A table just filled has no statistics until autovacuum gets to it; planned
    # without them, a join of thousands of rows can be read as one and nest-looped
    # for minutes. ANALYZE samples a bounded number of rows, so it stays cheap.
    cursor.execute(f'ANALYZE "{name}"')


def _ibis_schema(schema: pa.Schema) -> Any:
    import ibis

    return ibis.Schema.from_pyarrow(schema)


def base_tables(con: Any) -> set[str]:
    """Return the base tables of the connection's current schema (views excluded)."""
    table = run(
        con,
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    assert table is not None
    return set(table.column(0).to_pylist())


@contextmanager
def transaction(con: Any, checkpoint: bool = False) -> Iterator[Any]:
    """Run a block in one PostgreSQL transaction: all of it is committed or none.

    Statements Ibis runs inside it become savepoints of it. Ctrl-C before COMMIT rolls
    back (WarehouseInterrupted(stored=False)); during COMMIT it is held until the commit
    ends (stored=True). ``checkpoint`` has no meaning here (the server manages its WAL).
    """
    del checkpoint
    raw = con.con
    block = raw.transaction()
    block.__enter__()
    try:
        yield con
    except BaseException as exc:
        with suppress(Exception):  # a broken connection has rolled back already
            block.__exit__(type(exc), exc, exc.__traceback__)
        if is_interrupt(exc):
            raise WarehouseInterrupted(stored=False) from exc
        raise
    with signals_deferred() as caught:
        block.__exit__(None, None, None)
        note_commit()
    if caught:
        raise WarehouseInterrupted(stored=True)
