"""The web service's settings: which workspace it shows, where its own state lives, its secret.

The app state (people, organisations, proposals, responses, the audit log) is a
SQLAlchemy database: SQLite in the workspace's ``.totalplace/web.sqlite`` by default, any
SQLAlchemy URL (PostgreSQL: ``postgresql+psycopg://...``) when given. The key that signs
session cookies is never in the repository: ``TOTALPLACE_SECRET_KEY`` when set, otherwise a
random key made once and kept in ``.totalplace/web_secret`` (readable by its owner only).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Settings", "secret_key"]

#: Uploads above this are refused before they are read (the import's own limits apply too).
UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """What one running web service needs: the workspace, the state database and the cookie key."""

    workspace: Path
    database_url: str | None = None  # None: SQLite in the workspace's .totalplace folder
    secret_key: str | None = None  # None: TOTALPLACE_SECRET_KEY or the workspace's own key file
    demo: bool = False  # create one demo account per role (loopback only, see totalplace serve)
    https_only: bool = False  # mark cookies Secure (behind TLS in production)
    upload_limit: int = UPLOAD_LIMIT_BYTES
    small_cell: int = 10  # other partners' cells from fewer transactions than this are suppressed
    sign_in_limit: int = 5  # failed sign-ins per account (or address) in the window before a pause
    sign_in_window_seconds: int = 15 * 60
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def state_dir(self) -> Path:
        """Return the workspace's .totalplace folder (made if missing)."""
        folder = self.workspace / ".totalplace"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def database(self) -> str:
        """Return the SQLAlchemy URL of the app-state database."""
        return self.database_url or f"sqlite:///{self.state_dir / 'web.sqlite'}"


def secret_key(settings: Settings) -> str:
    """Return the key that signs session cookies: given, from the environment, or the workspace's own."""
    if settings.secret_key:
        return settings.secret_key
    if from_env := os.environ.get("TOTALPLACE_SECRET_KEY"):
        return from_env
    path = settings.state_dir / "web_secret"
    if not path.exists():
        key = secrets.token_urlsafe(48)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key)
    return path.read_text().strip()
