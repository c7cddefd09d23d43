"""The engine fixtures themselves: each gives a fresh, empty, working warehouse."""

from __future__ import annotations

from tests.engines import Backend


def test_each_engine_gives_a_fresh_empty_warehouse(backend: Backend) -> None:
    """Every engine the suite claims is really there, and each test gets its own store."""
    if backend.name == "duckdb":
        assert backend.url is None
    elif backend.name == "postgres":
        import psycopg

        assert backend.url is not None and backend.url.startswith("postgresql://")
        with psycopg.connect(backend.url) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
        assert tables == (0,)
    else:
        assert backend.url is not None and backend.url.startswith("spark-local:///")
