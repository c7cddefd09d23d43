"""The one error base of totalplace and the exit codes the command line gives each kind.

A library error a user can act on derives from :class:`TotalplaceError` (through the
kind it is: usage, workspace state, bad input); its message says what was wrong and what
to do.
The command line prints that message and exits with the error's code; anything else
that escapes a command is a bug, logged with its traceback (exit 1). The codes are
listed in the README and in ``docs/decisions/0015-cli-package-and-exit-codes.md``.

This module imports nothing, so every package may use it.
"""

from __future__ import annotations

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BUSY",
    "EXIT_ENVIRONMENT",
    "EXIT_INTEGRITY",
    "EXIT_INTERRUPTED",
    "EXIT_UNEXPECTED",
    "EXIT_USAGE",
    "EXIT_WORKSPACE",
    "BadInputError",
    "TotalplaceError",
    "UsageError",
    "WorkspaceStateError",
    "caused_by_ctrl_c",
]

EXIT_UNEXPECTED = 1  # a bug: the traceback is in a log the message names
EXIT_USAGE = 2  # a wrong command, option or value (Click's own code for usage errors)
EXIT_INTEGRITY = 3  # the warehouse does not reconcile to its sources (see 'totalplace check')
EXIT_BUSY = 4  # another totalplace command holds the warehouse: wait and run again
EXIT_ENVIRONMENT = 5  # the disk is full or read-only, or a file cannot be written
EXIT_WORKSPACE = 6  # no workspace, an invalid place.toml or workspace file, or a stage not run yet
EXIT_BAD_INPUT = 7  # a file given to read cannot be imported or loaded (nothing stored)
EXIT_INTERRUPTED = 130  # Ctrl-C before the work was stored: nothing changed


class TotalplaceError(Exception):
    """An error a user can act on; the message says what was wrong and what to do."""

    exit_code: int = EXIT_WORKSPACE


class UsageError(TotalplaceError):
    """A value given on the command line or to a library function is not one of the valid ones."""

    exit_code = EXIT_USAGE


class WorkspaceStateError(TotalplaceError):
    """The workspace is missing, invalid, or lacks what an earlier stage makes ("run X first")."""

    exit_code = EXIT_WORKSPACE


class BadInputError(TotalplaceError):
    """A file given to read cannot be imported or loaded; nothing was stored."""

    exit_code = EXIT_BAD_INPUT


def caused_by_ctrl_c(exc: BaseException) -> bool:
    """Return whether ``exc`` is a KeyboardInterrupt or was raised from (or while handling) one.

    A Ctrl-C while a C extension is first imported (DuckDB's, say) surfaces as
    "ImportError: initialization failed" raised from the KeyboardInterrupt.
    """
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False
