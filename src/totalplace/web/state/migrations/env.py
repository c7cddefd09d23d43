"""Alembic's environment for the app state: run by :func:`totalplace.web.state.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from totalplace.web.state.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations on the engine the caller gave (or one made from the URL)."""
    engine = config.attributes.get("engine") or create_engine(
        str(config.get_main_option("sqlalchemy.url"))
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
