"""Fixtures shared by the ingest tests."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from totalplace.ingest.rows import install_macros


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """Return an in-memory DuckDB connection with the parsing macros installed (one per module)."""
    connection = duckdb.connect()
    install_macros(connection)
    yield connection
    connection.close()
