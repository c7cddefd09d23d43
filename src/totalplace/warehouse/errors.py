"""The warehouse's typed failures, each with the exit code the command line gives it.

They subclass WorkspaceError, so every command that already reports a WorkspaceError
prints their message (which says what was wrong and what to do).
"""

from __future__ import annotations

from totalplace.errors import (
    EXIT_BUSY,
    EXIT_ENVIRONMENT,
    EXIT_INTEGRITY,
    EXIT_INTERRUPTED,
    EXIT_WORKSPACE,
)
from totalplace.workspace import WorkspaceError


class WarehouseError(WorkspaceError):
    """The warehouse cannot be used; the message says why and what to do."""

    exit_code = EXIT_WORKSPACE


class WarehouseBusy(WarehouseError):
    """Another totalplace command (or program) holds the warehouse: wait and run again."""

    exit_code = EXIT_BUSY


class WarehouseEnvironmentError(WarehouseError):
    """The disk is full, read-only or not writable by this user: nothing was stored."""

    exit_code = EXIT_ENVIRONMENT


class IntegrityError(WarehouseError):
    """The loaded ledger does not reconcile to its source records (see 'totalplace check')."""

    exit_code = EXIT_INTEGRITY


class WarehouseInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a write: ``stored`` says whether the work was committed."""

    def __init__(self, stored: bool) -> None:
        self.stored = stored
        self.exit_code = 0 if stored else EXIT_INTERRUPTED
        super().__init__(
            "interrupted after the work was stored: the warehouse holds the new state"
            if stored
            else "interrupted before the work was stored: nothing was changed"
        )
