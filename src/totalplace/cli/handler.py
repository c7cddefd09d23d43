"""The one top-level handler of the command line: no traceback ever reaches a user.

:class:`SafeGroup` runs every command inside :func:`handle_exception`, which turns
what escaped into one message and an exit code (:mod:`totalplace.errors`): Ctrl-C,
a full or read-only disk, a library error with its own message, or -- for anything
else -- a line naming the log that holds the traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
import typer.core

from totalplace.cli.output import emit_json, err, safe
from totalplace.cli.support import exit_code_of, fail, is_user_error
from totalplace.errors import (
    EXIT_ENVIRONMENT,
    EXIT_INTERRUPTED,
    EXIT_UNEXPECTED,
    caused_by_ctrl_c,
)

_DISK_FULL = ("No space left", "Disk quota exceeded", "File too large")
_READ_ONLY = ("Read-only file system", "read-only file system")
_DENIED = ("Permission denied",)


def environment_problem(exc: BaseException) -> str | None:
    """Return what to tell the user when ``exc`` is a full, read-only or forbidden disk; else None."""
    import errno

    number = exc.errno if isinstance(exc, OSError) else None
    text = str(exc)
    is_os = isinstance(exc, OSError) or type(exc).__name__ == "IOException"
    if not is_os:
        return None
    if number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or any(s in text for s in _DISK_FULL):
        return (
            f"the disk is full or a file-size limit was reached ({text}). Free some space "
            "(or raise the limit) and run the command again"
        )
    if number == errno.EROFS or any(s in text for s in _READ_ONLY):
        return (
            f"the folder is read-only ({text}). Run totalplace on a copy of the workspace in a "
            "folder you can write to"
        )
    if number in (errno.EACCES, errno.EPERM) or any(s in text for s in _DENIED):
        return (
            f"permission denied ({text}). Check that you may write to the workspace folder, its "
            ".totalplace folder and any --export file"
        )
    return None


def _option_value(argv: list[str], names: tuple[str, ...]) -> str | None:
    """Return the value given to one of the options ``names`` in ``argv`` (the last one wins)."""
    value = None
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                value = argv[i + 1]
            elif name.startswith("--") and arg.startswith(name + "="):
                value = arg[len(name) + 1 :]
    return value


def write_error_log(exc: BaseException, argv: list[str]) -> Path | None:
    """Write the full traceback to ``.totalplace/logs/error-YYYYMMDD-HHMMSS.log`` of the
    command's workspace (a temporary folder when there is none); return the log, or None."""
    import datetime as dt
    import os
    import tempfile
    import traceback
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("totalplace")
    except PackageNotFoundError:  # run from a source tree
        release = "(source)"
    workspace = Path(
        _option_value(argv, ("--workspace", "-w")) or os.environ.get("TOTALPLACE_WORKSPACE") or "."
    )
    now = dt.datetime.now()
    text = (
        f"totalplace {release} at {now.isoformat(timespec='seconds')}\n"
        f"command: totalplace {' '.join(argv)}\n"
        f"workspace: {workspace.resolve()}\n\n"
        + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    )
    folders = [workspace / ".totalplace" / "logs"] if (workspace / ".totalplace").is_dir() else []
    folders.append(Path(tempfile.gettempdir()) / "totalplace-logs")
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"error-{now:%Y%m%d-%H%M%S}.log"
            with path.open("a", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except OSError:
            continue  # a read-only or full disk: try the next folder
    return None


def commits_in_this_process() -> int:
    """Return how many warehouse transactions this process has committed (0 before it opened one).

    Read from the warehouse module only if a command loaded it, so that the command
    line does not load the engines to learn that nothing was stored.
    """
    loaded = sys.modules.get("totalplace.warehouse")
    count = getattr(loaded, "commits_in_this_process", None)
    return count() if callable(count) else 0


def is_interrupt(exc: BaseException) -> bool:
    """Return whether ``exc`` is a Ctrl-C: Python's, or an engine's own "interrupted" error."""
    if caused_by_ctrl_c(exc):
        return True
    loaded = sys.modules.get("totalplace.warehouse")
    test = getattr(loaded, "is_interrupt", None)
    if callable(test):
        return bool(test(exc))
    return isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()


def handle_exception(exc: BaseException, argv: list[str], committed: bool = False) -> NoReturn:
    """Turn any exception that escaped a command into one message and an exit code.

    Ctrl-C: exit 0 if the store says the work was stored (``stored`` is True) or the
    command ``committed`` a warehouse transaction before it, else 130.
    A full, read-only or forbidden disk: EXIT_ENVIRONMENT. A library error (a
    :class:`totalplace.errors.TotalplaceError`, see :func:`exit_code_of`): its message
    and code. Anything else: the traceback goes to a log and the user is asked
    to report it (EXIT_UNEXPECTED).
    """
    as_json = "--json" in argv
    # DuckDB turns a Ctrl-C during a query into its own error, not KeyboardInterrupt.
    if is_interrupt(exc):
        if getattr(exc, "stored", False) is True or committed:
            detail = str(exc) or "the warehouse holds the finished work"
            err.print(f"[yellow]Interrupted after the work was stored:[/] {safe(detail)}")
            if as_json:
                emit_json({"interrupted": True, "stored": True, "message": detail})
            raise typer.Exit(0)
        message = "Interrupted: nothing was changed"
        if as_json:
            emit_json({"error": message, "details": {"interrupted": True, "stored": False}})
        err.print(f"[bold red]{message}[/]", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED)
    problem = environment_problem(exc)
    if problem is not None:
        fail(problem, as_json, EXIT_ENVIRONMENT)
    if is_user_error(exc):
        fail(exc, as_json)
    log = write_error_log(exc, argv)
    summary = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    where = (
        f"the details are in {log}"
        if log is not None
        else "the details could not be written to a log"
    )
    message = f"{summary} (an unexpected problem; {where} — please report it)"
    details = {"exception": type(exc).__name__, "log": str(log) if log else None}
    fail(message, as_json, exit_code_of(exc, EXIT_UNEXPECTED), details)


class SafeGroup(typer.core.TyperGroup):
    """The app's command group: every command (and sub-command) runs inside :func:`handle_exception`.

    Usage errors (an unknown command or option, a bad option value) are Click's own and
    keep its exit code 2, EXIT_USAGE.
    """

    def invoke(self, ctx: Any) -> Any:
        """Run the chosen command; turn anything it raises (but a clean exit) into a message."""
        argv = [*getattr(ctx, "_protected_args", []), *ctx.args]
        start = commits_in_this_process()
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # clean exits, --help and usage errors (printed by Click)
        except (Exception, KeyboardInterrupt) as exc:
            # A Ctrl-C after this command committed (while it printed) changed the warehouse.
            handle_exception(exc, argv, committed=commits_in_this_process() > start)
