"""Where the linker meets the warehouse engine: SQL run, Arrow in and out, Splink's backend.

The linker's SQL is written once, in DuckDB's dialect, and runs on the warehouse's own
Ibis connection (DuckDB, PostgreSQL or Spark): on DuckDB as written, elsewhere transpiled
by sqlglot. Its working tables are temporary tables of that connection, dropped by
:func:`drop_working_tables`; the linker opens no connection of its own. Splink runs
through the backend that matches the engine (:func:`splink_api`), chosen here and only
here.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

#: Ibis backend names -> the warehouse's engine names.
_ENGINES = {"duckdb": "duckdb", "postgres": "postgres", "pyspark": "spark"}
#: sqlglot dialects of the engines.
_DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark"}


def engine_of(con: Any) -> str:
    """Return the engine behind Ibis backend ``con``: 'duckdb', 'postgres' or 'spark'."""
    from totalplace import warehouse

    seam = getattr(warehouse, "engine_of", None)
    if seam is not None:
        return str(seam(con))
    name = str(getattr(con, "name", "duckdb"))
    if name not in _ENGINES:
        raise ValueError(f"the supplier register does not run on Ibis backend {name!r}")
    return _ENGINES[name]


def transpile(sql: str, engine: str) -> list[str]:
    """Return ``sql`` (DuckDB dialect) as statements for ``engine``."""
    if engine == "duckdb":
        return [sql]
    import sqlglot
    from sqlglot import exp

    statements: list[str] = []
    for tree in sqlglot.parse(sql, read="duckdb"):
        if engine == "postgres" and isinstance(tree, exp.Create) and tree.args.get("replace"):
            # PostgreSQL has no CREATE OR REPLACE TABLE: drop, then create.
            tree.set("replace", False)
            statements.append(f"DROP TABLE IF EXISTS {tree.this.sql(dialect='postgres')}")
        if tree is not None:
            statements.append(tree.sql(dialect=_DIALECTS[engine]))
    return statements


def run(con: Any, sql: str) -> None:
    """Run a statement (DuckDB dialect) that returns nothing on the warehouse connection."""
    engine = engine_of(con)
    for statement in transpile(sql, engine):
        if engine == "duckdb":
            con.con.execute(statement)
        elif engine == "spark":
            con._session.sql(statement).collect()
        else:
            with con.raw_sql(statement):
                pass


def query(con: Any, sql: str) -> pa.Table:
    """Return the result of a query (DuckDB dialect) on the warehouse connection as Arrow."""
    engine = engine_of(con)
    [statement] = transpile(sql, engine)
    if engine == "duckdb":
        return con.con.execute(statement).to_arrow_table()
    if engine == "spark":
        return con._session.sql(statement).toArrow()
    return con.sql(statement).to_pyarrow()


def scalar(con: Any, sql: str) -> Any:
    """Return the one value a query returns."""
    table = query(con, sql)
    return table.column(0)[0].as_py()


def put(con: Any, name: str, table: pa.Table) -> None:
    """Create (or replace) working table ``name`` holding the Arrow ``table``."""
    if engine_of(con) == "duckdb":
        con.con.register(f"_{name}_input", table)
        try:
            con.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _{name}_input")
        finally:
            con.con.unregister(f"_{name}_input")
    elif engine_of(con) == "spark":
        con._session.createDataFrame(table).createOrReplaceTempView(name)
    else:
        con.create_table(name, table, temp=True, overwrite=True)


def drop_working_tables(con: Any, names: list[str]) -> None:
    """Drop the linker's working tables (those that exist) from the connection."""
    for name in names:
        run(con, f"DROP TABLE IF EXISTS {name}")


def splink_api(con: Any) -> Any:
    """Return Splink's database API over the warehouse connection, for its engine."""
    engine = engine_of(con)
    if engine == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI(con.con)
    if engine == "spark":
        from splink import SparkAPI

        return SparkAPI(spark_session=con._session)
    from splink import PostgresAPI
    from sqlalchemy import create_engine  # the [postgres] extra

    return PostgresAPI(engine=create_engine(_postgres_url(con)))


def _postgres_url(con: Any) -> str:
    """Return a SQLAlchemy URL (psycopg 3) for the database behind an Ibis postgres backend."""
    info = con.con.info
    user = info.user or ""
    host = info.host or "localhost"
    return f"postgresql+psycopg://{user}@{host}:{info.port}/{info.dbname}"
