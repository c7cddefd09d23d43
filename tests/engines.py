"""The warehouse engines the suite runs on: DuckDB always, PostgreSQL and Spark when present.

PostgreSQL is a throwaway cluster made and started here from Debian's binaries (run as
the ``postgres`` user when the suite runs as root: ``initdb`` refuses root), on a free
loopback port, removed at the end of the session. Spark is a local-mode session on the
machine's Java. ``scripts/install-engines.sh`` (run by ``make test``) installs both.

Outside CI an engine that is missing skips its tests with the reason; under CI=true its
absence fails them: CI must prove the claim that totalplace runs on all three.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ENGINES = ("duckdb", "postgres", "spark")


def missing(message: str) -> None:
    """Skip with ``message`` outside CI; fail under CI=true (an engine CI must have)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    """Return the folder of Debian's PostgreSQL server binaries, newest version first."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster on loopback; ``new_url()`` gives a fresh database."""

    port: int
    user: str = "postgres"
    host: str = "127.0.0.1"
    made: list[str] = field(default_factory=list)

    def new_url(self) -> str:
        """Return the URL of a new, empty database on this server."""
        import psycopg

        name = f"tp_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.url(name)

    def url(self, database: str) -> str:
        """Return the URL of ``database`` on this server."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"


@dataclass
class SparkEngine:
    """A local-mode Spark session; ``new_url()`` gives a fresh Spark database (namespace)."""

    session: Any
    made: list[str] = field(default_factory=list)

    def new_url(self) -> str:
        """Return the URL of a new, empty database in the session's catalog."""
        name = f"tp_{uuid.uuid4().hex[:12]}"
        self.made.append(name)
        return f"spark-local:///{name}"


def _run_as_postgres(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL cluster for the session (skip/fail if not installed)."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        missing(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: run "
            "scripts/install-engines.sh (make test does) to install Debian's postgresql"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg is not installed: pip install -e '.[postgres]'")
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="totalplace-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    init = _run_as_postgres(
        [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
    )
    if init.returncode != 0:
        missing(f"initdb failed: {init.stderr.strip()[-500:]}")
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
    )
    start = _run_as_postgres(
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w"]
        + ["start"]
    )
    if start.returncode != 0:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        missing(f"PostgreSQL did not start: {start.stderr.strip()} {log[-500:]}")
    server = PostgresServer(port=port)
    try:
        yield server
    finally:
        _run_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkEngine]:
    """Start a local-mode Spark session for the session (skip/fail if not installed)."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing("Java is not installed: Spark needs Java 17 (scripts/install-engines.sh)")
    try:
        from totalplace.warehouse.engines.spark import local_session
    except ImportError as exc:
        missing(f"pyspark is not installed ({exc}): pip install -e '.[spark]'")
    started = time.monotonic()
    session = local_session(str(tmp_path_factory.mktemp("spark-warehouse")))
    engine = SparkEngine(session=session)
    try:
        yield engine
    finally:
        del started
        session.stop()


@dataclass(frozen=True)
class Backend:
    """One engine for one test: its name and the URL of a fresh, empty warehouse on it."""

    name: str
    url: str | None  # None: the DuckDB file inside the workspace (the default)


@pytest.fixture(params=ENGINES)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Return a fresh warehouse on each engine in turn: DuckDB, PostgreSQL, Spark."""
    name = request.param
    if name == "duckdb":
        return Backend("duckdb", None)
    if name == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return Backend("postgres", server.new_url())
    spark: SparkEngine = request.getfixturevalue("spark_engine")
    return Backend("spark", spark.new_url())
