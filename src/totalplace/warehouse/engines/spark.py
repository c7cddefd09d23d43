"""Spark: Ibis's PySpark backend, local mode by default or any Spark master by URL.

A command is its own process, so the catalog must outlive it: the session keeps its
tables as Parquet under ``.totalplace/spark/warehouse`` and their names in an embedded
Derby metastore beside them (Hive support; pyspark ships both). A process that already
runs a session (a notebook, the test suite) has it reused, with the URL's database.

Spark has no multi-table transactions and its Parquet tables no DELETE: rows are
written keyed by source hash and made live only by the ``sources`` insert that the
views require; a delete rewrites the table under a new name and swaps it in (a crash in
the swap is finished on the next connect). See docs/decisions/0010-engine-seam.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace.warehouse.errors import WarehouseEnvironmentError, WarehouseInterrupted
from totalplace.warehouse.interrupts import is_interrupt, note_commit, signals_deferred
from totalplace.workspace.engine_url import EngineUrl

#: Suffix of a table being rewritten (a delete); swapped in for the table when done.
REWRITE = "__rewrite"
# Rows per Arrow DataFrame appended: bounded memory whatever the input's size.
_CHUNK = 1_000_000


def local_session(
    warehouse_dir: str,
    master: str = "local[2]",
    metastore: str | None = None,
    memory: str = "2g",
) -> Any:
    """Return a SparkSession (local mode unless ``master`` says otherwise), quiet, for one machine.

    With ``metastore`` (a folder), table names persist there in an embedded Derby
    catalog, so a later process finds them; without it the catalog lives in memory.
    ``memory`` is the driver's heap (in local mode, all of Spark's).
    """
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("totalplace")
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.driver.memory", memory)
    )
    if metastore is not None:
        builder = (
            builder.config("spark.sql.catalogImplementation", "hive")
            .config(
                "javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={metastore}/metastore_db;create=true",
            )
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={metastore}")
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def open_warehouse(target: EngineUrl, state_dir: Path) -> Any:
    """Return an Ibis PySpark backend on the URL's database (made if missing).

    The running session is reused if there is one (it is not stopped on disconnect);
    otherwise a session is started on the URL's master with the catalog kept in
    ``state_dir/spark``. Raises WarehouseEnvironmentError without pyspark or Java.
    """
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise WarehouseEnvironmentError(
            f"the warehouse is Spark ({target.masked}) but pyspark is not installed ({exc}): "
            "pip install 'totalplace[spark]' (Spark also needs Java 17)"
        ) from exc
    session = SparkSession.getActiveSession()
    if session is None:
        folder = state_dir / "spark"
        folder.mkdir(parents=True, exist_ok=True)
        master = "local[*]" if target.master is None else target.master
        try:
            session = local_session(str(folder / "warehouse"), master, str(folder))
        except Exception as exc:  # Java missing or the master unreachable: py4j, RuntimeError
            raise WarehouseEnvironmentError(
                f"cannot start Spark for the warehouse {target.masked} ({str(exc).strip()[:300]}). "
                "What to do: Spark needs Java 17 (java -version; install a JDK or set JAVA_HOME) "
                "and, for spark://, a reachable master"
            ) from exc
    con = ibis.pyspark.connect(session)
    con.disconnect = lambda: None  # the session outlives a command's connection
    con._create_cached_table = lambda name, expr: _eager_cache(con, name, expr)
    database = target.database or "totalplace"
    session.sql(f"CREATE DATABASE IF NOT EXISTS `{database}`")
    con.tp_database = database
    use(con)
    return con


def _eager_cache(con: Any, name: str, expr: Any) -> Any:
    """Cache ``expr`` as the temporary view ``name``, computed now; return the view as a table.

    Ibis's own PySpark cache is lazy and does not register the expression's in-memory
    tables. Lazy, a stage that caches step by step (each integrity tier reads the one
    before) still hands Spark one query of every step, with each shared step inlined
    wherever it is used; its many concurrent aggregations exhausted a 2 GB driver on
    15,000 payments. A cached plan keeps its whole lineage, which every later query is
    matched against (minutes on a deep stage); a local checkpoint is computed now and
    keeps only its rows, so each later query reads them as a leaf.
    """
    con._run_pre_execute_hooks(expr)
    frame = con._session.sql(con.compile(expr)).localCheckpoint(eager=True)
    frame.createTempView(name)
    con._cached_dataframes[name] = frame
    return con.table(name)


def use(con: Any) -> None:
    """Make the connection's database current (a shared session may have moved it)."""
    session = con._session
    if session.catalog.currentDatabase() != con.tp_database:
        session.catalog.setCurrentDatabase(con.tp_database)


def run(con: Any, sql: str) -> pa.Table | None:
    """Run one Spark SQL statement; return its rows as Arrow (None for DDL and inserts)."""
    use(con)
    frame = con._session.sql(sql)
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if head not in ("SELECT", "WITH", "SHOW", "DESCRIBE", "VALUES", "("):
        return None
    return frame.toArrow()


def append(con: Any, name: str, reader: pa.RecordBatchReader) -> None:
    """Insert Arrow batches into a table through Arrow DataFrames, columns by name."""
    use(con)
    session = con._session
    columns = ", ".join(f"`{c}`" for c in reader.schema.names)
    pending: list[pa.RecordBatch] = []
    count = 0

    def flush() -> None:
        if not pending:
            return
        frame = session.createDataFrame(pa.Table.from_batches(pending, reader.schema))
        frame.createOrReplaceTempView("_tp_append")
        session.sql(f"INSERT INTO `{name}` ({columns}) SELECT {columns} FROM _tp_append")
        session.catalog.dropTempView("_tp_append")
        pending.clear()

    for batch in reader:
        pending.append(batch)
        count += batch.num_rows
        if count >= _CHUNK:
            flush()
            count = 0
    flush()


def replace_table(con: Any, name: str, expr: Any) -> None:
    """Write an Ibis expression or Arrow table as table ``name`` (Arrow through a DataFrame)."""
    use(con)
    if isinstance(expr, pa.Table):
        frame = con._session.createDataFrame(expr) if expr.num_rows else _empty(con, expr.schema)
        frame.write.saveAsTable(name, format="parquet", mode="overwrite")
        return
    con.create_table(name, expr, overwrite=True)


def _empty(con: Any, schema: pa.Schema) -> Any:
    import ibis
    from ibis.backends.pyspark.datatypes import PySparkSchema

    return con._session.createDataFrame(
        [], PySparkSchema.from_ibis(ibis.Schema.from_pyarrow(schema))
    )


def base_tables(con: Any) -> set[str]:
    """Return the base tables of the connection's database (views and temporary views excluded)."""
    use(con)
    return {
        t.name
        for t in con._session.catalog.listTables(con.tp_database)
        if not t.isTemporary and t.tableType != "VIEW"
    }


def delete_where(con: Any, name: str, condition: str) -> None:
    """Delete rows by rewriting the table without them, then swapping it in (no DELETE on Parquet)."""
    use(con)
    session = con._session
    session.sql(f"DROP TABLE IF EXISTS `{name}{REWRITE}`")
    session.sql(
        f"CREATE TABLE `{name}{REWRITE}` USING parquet AS "
        f"SELECT * FROM `{name}` WHERE NOT coalesce({condition}, false)"
    )
    session.sql(f"DROP TABLE `{name}`")
    session.sql(f"ALTER TABLE `{name}{REWRITE}` RENAME TO `{name}`")


def finish_rewrites(con: Any) -> None:
    """Finish a rewrite a crash interrupted: a table missing but its rewrite made is swapped in."""
    tables = base_tables(con)
    for table in tables:
        if table.endswith(REWRITE):
            name = table.removesuffix(REWRITE)
            if name in tables:
                con._session.sql(f"DROP TABLE `{table}`")  # the swap had not begun
            else:
                con._session.sql(f"ALTER TABLE `{table}` RENAME TO `{name}`")


@contextmanager
def transaction(con: Any, checkpoint: bool = False) -> Iterator[Any]:
    """Run a block; Spark cannot roll it back, so callers write rows live only at the end.

    What the block wrote before an error stays, but the views read nothing that no live
    ``sources`` record names (see the module docstring). Ctrl-C is reported as on the
    other engines: WarehouseInterrupted(stored=False) before the block ended.
    """
    del checkpoint
    try:
        yield con
    except BaseException as exc:
        if is_interrupt(exc):
            raise WarehouseInterrupted(stored=False) from exc
        raise
    with signals_deferred() as caught:
        note_commit()
    if caught:
        raise WarehouseInterrupted(stored=True)


def replace_rows(con: Any, name: str, condition: str, new: pa.Table) -> None:
    """Rewrite ``name`` without the rows matching ``condition`` and with ``new``, swapped in at once."""
    use(con)
    session = con._session
    fields = session.table(name).schema.fields
    if new.num_rows:
        session.createDataFrame(new).createOrReplaceTempView("_tp_new")
        added = "SELECT " + ", ".join(
            f"CAST(`{f.name}` AS {f.dataType.simpleString()}) AS `{f.name}`" for f in fields
        )
        added = f" UNION ALL {added} FROM _tp_new"
    else:
        added = ""
    session.sql(f"DROP TABLE IF EXISTS `{name}{REWRITE}`")
    session.sql(
        f"CREATE TABLE `{name}{REWRITE}` USING parquet AS "
        f"SELECT * FROM `{name}` WHERE NOT coalesce({condition}, false){added}"
    )
    session.sql(f"DROP TABLE `{name}`")
    session.sql(f"ALTER TABLE `{name}{REWRITE}` RENAME TO `{name}`")
    if new.num_rows:
        session.catalog.dropTempView("_tp_new")
