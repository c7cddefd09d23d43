"""The app-state database: an engine, sessions, and migrations run by Alembic to the newest schema.

:func:`migrate` brings a database (SQLite file or PostgreSQL) to the newest revision in
``migrations/versions``; it is safe to run on every start (a current database is left as
it is), so an upgraded totalplace upgrades its state the first time it serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database", "migrate"]


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")  # SQLite leaves them off unless asked
    cursor.execute("PRAGMA journal_mode = WAL")  # readers do not wait for a writer
    cursor.close()


def _engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema revision (a no-op when it is current)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    folder = resources.files("totalplace.web.state").joinpath("migrations")
    config.set_main_option("script_location", str(folder))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = _engine(url)
    command.upgrade(config, "head")


class Database:
    """The app-state database of one running service: migrated on opening, sessions on demand."""

    def __init__(self, url: str) -> None:
        migrate(url)
        self.url = url
        self.engine = _engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session that commits when the block ends and rolls back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        """Release the database's connections."""
        self.engine.dispose()
