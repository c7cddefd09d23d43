"""Which engine holds a workspace's warehouse: the URL in ``[warehouse] url`` or the environment.

Forms (see docs/decisions/0010-engine-seam.md):

* none, or ``duckdb:///absolute/path.duckdb`` / ``duckdb://relative/path.duckdb``: DuckDB,
  a file (by default ``.totalplace/warehouse.duckdb``);
* ``postgresql://user[:password]@host[:port]/database``: PostgreSQL;
* ``spark-local`` or ``spark-local:///database``: Spark in local mode on this machine;
  ``spark://host:7077/database``: any Spark master (``database`` defaults to ``totalplace``).

The environment variable wins over the file, so a password need not be written in a
file kept in git. No message ever shows a password: :attr:`EngineUrl.masked` is the
form to print.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

ENV_VAR = "TOTALPLACE_WAREHOUSE_URL"
ENGINES = ("duckdb", "postgres", "spark")
DEFAULT_SPARK_DATABASE = "totalplace"
FORMS = (
    "duckdb:///path/to/warehouse.duckdb (or no url: the workspace's own DuckDB file), "
    "postgresql://user[:password]@host[:port]/database, spark-local, "
    "spark-local:///database or spark://host:7077/database"
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class EngineUrl:
    """A parsed warehouse URL: the engine and what it needs to open the warehouse."""

    engine: str  # "duckdb" | "postgres" | "spark"
    url: str
    path: str | None = None  # DuckDB: the file ("" for the workspace's default)
    master: str | None = None  # Spark: "local[*]" or "spark://host:port"
    database: str | None = None  # PostgreSQL database, or Spark database (namespace)

    @property
    def masked(self) -> str:
        """Return the URL with any password replaced by ***, safe to print."""
        return mask(self.url)


def mask(url: str) -> str:
    """Return ``url`` with the password of its user part (if any) replaced by ***."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^:/@]*):[^@/]*@", r"\1:***@", url, flags=re.I)


def from_environment() -> str | None:
    """Return the warehouse URL set in the environment (empty counts as unset), or None."""
    value = os.environ.get(ENV_VAR, "").strip()
    return value or None


def parse(url: str | None) -> EngineUrl:
    """Return the engine a warehouse URL names; raises ValueError saying the forms allowed."""
    if url is None or not url.strip():
        return EngineUrl("duckdb", "", path="")
    text = url.strip()
    scheme = text.split(":", 1)[0].lower()
    if scheme == "duckdb":
        rest = text.split(":", 1)[1]
        return EngineUrl("duckdb", text, path=rest[2:] if rest.startswith("//") else rest)
    if scheme in ("postgresql", "postgres"):
        parts = urlsplit(text)
        database = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not database:
            raise ValueError(
                f"the warehouse url {mask(text)!r} names no host or no database; write it as "
                "postgresql://user[:password]@host[:port]/database"
            )
        try:
            parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
        except ValueError as exc:
            raise ValueError(f"the warehouse url {mask(text)!r} has a bad port ({exc})") from exc
        return EngineUrl("postgres", text, database=database)
    if scheme in ("spark-local", "spark"):
        parts = urlsplit(text if "://" in text else f"{scheme}://")
        database = parts.path.strip("/") or DEFAULT_SPARK_DATABASE
        if not _NAME.match(database):
            raise ValueError(
                f"the Spark database {database!r} in {mask(text)!r} is not a plain name "
                "(letters, digits and _, not starting with a digit)"
            )
        if scheme == "spark-local":
            return EngineUrl("spark", text, master="local[*]", database=database)
        if not parts.hostname:
            raise ValueError(f"the warehouse url {mask(text)!r} names no Spark master host")
        master = f"spark://{parts.hostname}:{parts.port or 7077}"
        return EngineUrl("spark", text, master=master, database=database)
    raise ValueError(
        f"the warehouse url {mask(text)!r} names no engine totalplace knows; use {FORMS}"
    )
