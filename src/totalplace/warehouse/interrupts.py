"""Ctrl-C and SIGTERM around a commit: what counts as an interrupt, and holding them meanwhile."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


def is_interrupt(exc: BaseException) -> bool:
    """Return whether the exception is a Ctrl-C: Python's, or an engine's "query interrupted"."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    name = type(exc).__name__
    if name in ("InterruptException", "QueryCanceled"):  # DuckDB's, psycopg's
        return True
    return isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()


@contextmanager
def signals_deferred() -> Iterator[list[int]]:
    """Hold SIGINT and SIGTERM (main thread only) and yield the list of those that arrived."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def note(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield caught
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


# Transactions this process has committed: a Ctrl-C that lands after the last commit
# (while the command prints its report) must not be reported as "nothing was changed".
_COMMITS: list[int] = [0]


def commits_in_this_process() -> int:
    """Return how many warehouse transactions this process has committed."""
    return _COMMITS[0]


def note_commit() -> None:
    """Count one committed transaction (see :func:`commits_in_this_process`)."""
    _COMMITS[0] += 1
