"""Opening the warehouse on the engine the workspace names, with its base tables and views.

The engine comes from the workspace's warehouse URL (``[warehouse] url`` in place.toml
or TOTALPLACE_WAREHOUSE_URL): the DuckDB file by default, PostgreSQL or Spark. Each
engine's own code is in ``engines/``; what differs between them stops here.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from totalplace.warehouse import access
from totalplace.warehouse.errors import IntegrityError
from totalplace.warehouse.integrity import require_sound
from totalplace.warehouse.schema import (
    LATER_SOURCE_COLUMNS,
    ROWS,
    sql_type,
    table_ddl,
    tables,
    view_ddl,
)
from totalplace.workspace import Workspace, WorkspaceError
from totalplace.workspace import engine_url as urls


def target(workspace: Workspace) -> urls.EngineUrl:
    """Return the engine and address of the workspace's warehouse; WorkspaceError if unusable."""
    url = workspace.warehouse_url
    try:
        return urls.parse(url)
    except ValueError as exc:
        where = (
            f"the environment variable {urls.ENV_VAR}"
            if urls.from_environment()
            else f"[warehouse] url in {workspace.root / 'place.toml'}"
        )
        raise WorkspaceError(f"{where}: {exc}") from exc


def describe(workspace: Workspace) -> str:
    """Return where the warehouse is, safe to print: the DuckDB file, or the URL (password masked)."""
    found = target(workspace)
    return str(workspace.warehouse_path) if found.engine == "duckdb" else found.masked


def exists(workspace: Workspace) -> bool:
    """Return whether there may be anything stored: the DuckDB file exists, or a server is named."""
    return target(workspace).engine != "duckdb" or workspace.warehouse_path.exists()


def connect(workspace: Workspace, read_only: bool = False, check: bool = True) -> Any:
    """Return an Ibis backend on the workspace warehouse, with the base tables and views.

    Raises WarehouseBusy, WarehouseEnvironmentError or IntegrityError (each a
    WorkspaceError with an ``exit_code``), or WorkspaceError for a URL naming no engine.
    ``check=False`` skips the integrity check (``totalplace check`` itself, and the
    import, which repairs what it can).
    """
    found = target(workspace)
    module = access.engine_module(found.engine)
    if found.engine == "duckdb":
        con = module.open_warehouse(workspace.warehouse_path, read_only)
    elif found.engine == "postgres":
        con = module.open_warehouse(found)
    else:
        con = module.open_warehouse(found, workspace.state_dir)
    try:
        if not read_only:
            create_schema(con)
        if check:
            require_sound(con, describe(workspace))
    except IntegrityError:
        con.disconnect()
        raise
    except Exception as exc:
        con.disconnect()
        if found.engine == "duckdb" and isinstance(exc, OSError | module.duckdb.Error):
            raise module.opening_error(workspace.warehouse_path, exc) from exc
        if found.engine == "postgres" and type(exc).__module__.startswith("psycopg"):
            raise module.usage_error(found, exc) from exc  # e.g. no right to create tables
        raise
    return con


def create_schema(con: Any) -> None:
    """Create the base tables and views that are missing; move an old DuckDB warehouse to views."""
    engine = access.engine_of(con)
    if engine == "spark":
        access.engine_module(engine).finish_rewrites(con)
    have = access.base_tables(con)
    old = have & set(ROWS)  # DuckDB warehouses made before the views kept rows in them
    if old and engine == "duckdb":
        with transaction(con):
            for view in sorted(old):
                access.run_sql(con, f"ALTER TABLE {view} RENAME TO {ROWS[view]}")
            _create_missing(con, engine, have - old)
        return
    _create_missing(con, engine, have)


def _create_missing(con: Any, engine: str, have: set[str]) -> None:
    for name in tables():
        if name not in have:
            access.engine_module(engine).run(con, table_ddl(engine, name))
    listed = set(con.list_tables())
    for view in ROWS:
        if view not in listed:
            access.engine_module(engine).run(con, view_ddl(engine, view))
    if engine == "duckdb" and "sources" in have:
        columns = access.run_sql(con, "SELECT * FROM sources LIMIT 0")
        assert columns is not None
        for name in LATER_SOURCE_COLUMNS:
            if name not in columns.schema.names:
                kind = sql_type(engine, tables()["sources"][name])
                access.run_sql(con, f"ALTER TABLE sources ADD COLUMN {name} {kind}")


def transaction(con: Any, checkpoint: bool = False) -> AbstractContextManager[Any]:
    """Return a context running a block atomically where the engine can; it yields ``con``.

    DuckDB and PostgreSQL: all of the block is committed or none. Ctrl-C or SIGTERM
    during COMMIT is held until the commit ends, then raised as
    WarehouseInterrupted(stored=True); before it, the block is rolled back and
    WarehouseInterrupted(stored=False) raised. A full disk raises
    WarehouseEnvironmentError, nothing stored. ``checkpoint`` (DuckDB) writes the
    committed work into the database file at once. Spark has no multi-table
    transactions: writers make rows live last (see engines/spark.py).
    """
    cm: AbstractContextManager[Any] = access.engine_module(con).transaction(con, checkpoint)
    return cm
