"""Shared pieces of the command line: options, JSON output, errors, tables, progress.

Stage commands (``totalplace.<stage>.commands``) use these so that every command
behaves alike: ``--workspace``, ``--json``, ``--export``, clear errors with exit codes,
user data escaped before it reaches the terminal (:func:`safe`), and one top-level
handler (:class:`SafeGroup`) so that no Python traceback ever reaches a user.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from totalplace.warehouse import commits_in_this_process, is_interrupt
from totalplace.workspace import Workspace, WorkspaceError, open_workspace

if TYPE_CHECKING:
    import pyarrow as pa

# Logs and CI are not terminals: give tables room rather than Rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 130)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 130)

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: the current folder).",
        envvar="TOTALPLACE_WORKSPACE",
        file_okay=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")]
ExportOpt = Annotated[
    Path | None,
    typer.Option(
        "--export",
        help="Also write the table to a .csv, .xlsx or .parquet file (formula-like text "
        "is prefixed with ' so spreadsheets show it as text).",
        dir_okay=False,
    ),
]

# Exit codes, documented in the README: scripts can tell these apart.
EXIT_USAGE = 1  # a wrong argument, or a missing or invalid workspace / place.toml
EXIT_BAD_INPUT = 2  # a file that cannot be imported (nothing stored)
EXIT_INTEGRITY = 3  # the warehouse does not reconcile to its sources (see 'totalplace check')
EXIT_BUSY = 4  # another totalplace command holds the warehouse: wait and run again
EXIT_ENVIRONMENT = 5  # the disk is full or read-only, or a file cannot be written
EXIT_INTERRUPTED = 130  # Ctrl-C before the work was stored: nothing changed


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout (decimals and dates as strings)."""
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


# C0 and C1 control characters (ESC starts terminal escape sequences) and the Unicode
# bidirectional overrides that can make a file name read backwards ("Trojan Source").
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
_BIDI = [0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_VISIBLE = {c: f"\\x{c:02x}" for c in _CONTROLS} | {c: f"\\u{c:04x}" for c in _BIDI}
_VISIBLE_KEEP_NEWLINES = {c: v for c, v in _VISIBLE.items() if c != 0x0A}


def safe(value: Any, keep_newlines: bool = False, markup: bool = True) -> str:
    """Return ``value`` as text that prints exactly as typed: controls shown as ``\\x1b``-style
    escapes and Rich markup escaped (``[bold]`` stays ``[bold]``). ``None`` gives ``""``.
    ``markup=False`` is for text printed without Rich (prompts): controls only.

    Use it on everything that echoes user data: file and sheet names, payees, cell text,
    place.toml values and error messages that may quote them.
    """
    if value is None:
        return ""
    text = str(value).translate(_VISIBLE_KEEP_NEWLINES if keep_newlines else _VISIBLE)
    return escape(text) if markup else text


def exit_code_of(exc: BaseException, default: int = EXIT_USAGE) -> int:
    """Return the exit code an exception carries (library errors may set ``exit_code``), else ``default``."""
    code = getattr(exc, "exit_code", None)
    return code if isinstance(code, int) and not isinstance(code, bool) else default


def fail(
    problem: str | BaseException,
    as_json: bool,
    code: int | None = None,
    details: Any = None,
) -> NoReturn:
    """Report an error (as JSON too when asked) and exit with a non-zero code.

    ``problem`` is a message or the exception caught; an exception's own ``exit_code``
    wins over ``code``, which defaults to EXIT_USAGE.
    """
    message = str(problem)
    exit_code = code if code is not None else EXIT_USAGE
    if isinstance(problem, BaseException):
        exit_code = exit_code_of(problem, exit_code)
    if as_json:
        emit_json({"error": message, "details": details})
    # soft_wrap: a long path in the message stays on one line, to be copied whole.
    err.print(
        f"[bold red]Error:[/] {safe(message, keep_newlines=True)}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(exit_code)


def load(workspace: Path, as_json: bool) -> Workspace:
    """Return the workspace or exit with a clear message."""
    try:
        return open_workspace(workspace)
    except WorkspaceError as exc:
        fail(exc, as_json)


YEAR_PATTERN = re.compile(r"^\d{4}-\d{2}$")


def check_year_format(year: str | None, as_json: bool) -> None:
    """Exit with a clear message unless ``year`` is None, a financial year like 2024-25 or 'date missing'."""
    if year is None or year == "date missing":
        return
    if not YEAR_PATTERN.match(year) or (int(year[:4]) + 1) % 100 != int(year[5:]):
        fail(
            f"--year {year!r} is not a financial year: write it like 2024-25 "
            "(or 'date missing' for undated lines)",
            as_json,
        )


def check_year(year: str | None, available: Iterable[str | None], as_json: bool) -> None:
    """Exit with a message listing the years there are unless ``year`` is None or one of them."""
    check_year_format(year, as_json)
    years = sorted({y for y in available if y})
    if year is not None and year not in years:
        fail(
            f"there is no financial year {year} in the count; the years there are: "
            + (", ".join(years) or "none (import some files first)"),
            as_json,
        )


def counted_years(workspace: Workspace) -> list[str]:
    """Return the financial years in the stored count (empty before anything is counted)."""
    from totalplace.warehouse import connect, exists, has_table

    if not exists(workspace):
        return []
    con = connect(workspace, read_only=True)
    try:
        if not has_table(con, "count_by_partner_theme_year"):
            return []
        years = con.table("count_by_partner_theme_year").financial_year.name("year")
        return sorted(
            y for y in years.as_table().distinct().to_pyarrow().column(0).to_pylist() if y
        )
    finally:
        con.disconnect()


def check_choice(value: str | None, valid: Iterable[str], what: str, as_json: bool) -> None:
    """Exit with a message listing the valid ones unless ``value`` is None or one of ``valid``."""
    choices = list(valid)
    if value is not None and value not in choices:
        fail(
            f"unknown {what} {value!r}; the {what}s are: " + ", ".join(repr(c) for c in choices),
            as_json,
        )


def check_export(path: Path | None, as_json: bool) -> None:
    """Exit at once (before any work) if ``path`` is not a .csv, .xlsx or .parquet file name."""
    from totalplace.report import EXPORT_FORMATS

    if path is not None and path.suffix.lower() not in EXPORT_FORMATS:
        fail(
            f"cannot export to {path.name}: use a name ending {', '.join(EXPORT_FORMATS)}",
            as_json,
        )


def export_rows(
    rows: pa.Table | list[dict[str, Any]], path: Path | None, as_json: bool, sheet: str
) -> Path | None:
    """Write a command's table (Arrow, or rows as dicts) to ``path`` if one was given; return it.

    Nested values (lists, dicts) become JSON text. A file that cannot be written exits
    with EXIT_ENVIRONMENT and the reason.
    """
    if path is None:
        return None
    import pyarrow as pa

    from totalplace.report import export_table

    check_export(path, as_json)
    table = rows if isinstance(rows, pa.Table) else _rows_table(rows)
    try:
        return export_table(table, path, sheet=sheet)
    except ValueError as exc:
        fail(exc, as_json)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}", as_json, EXIT_ENVIRONMENT)


def _rows_table(rows: list[dict[str, Any]]) -> pa.Table:
    import pyarrow as pa

    columns: dict[str, list[Any]] = {}
    for row in rows:  # a command's displayed table: tens of rows, not the ledger
        for key in row:
            columns.setdefault(key, [])
    for key, values in columns.items():
        values.extend(row.get(key) for row in rows)
        if any(isinstance(v, list | tuple | dict | set) for v in values):
            columns[key] = [None if v is None else json.dumps(v, default=str) for v in values]
    return pa.table(columns) if columns else pa.table({})


def progress(as_json: bool) -> Progress:
    """Return a Rich progress bar on stderr (silent under --json)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=as_json or not err.is_terminal,
        transient=True,
    )


def money(value: Any) -> str:
    """Return an amount formatted for a table: £1,234,567.89."""
    return "—" if value is None else f"£{value:,.2f}"


# ---------------------------------------------------------------------------
# The one top-level handler: no traceback ever reaches a user.

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


def handle_exception(exc: BaseException, argv: list[str], committed: bool = False) -> NoReturn:
    """Turn any exception that escaped a command into one message and an exit code.

    Ctrl-C: exit 0 if the store says the work was stored (``stored`` is True) or the
    command ``committed`` a warehouse transaction before it, else 130.
    A full, read-only or forbidden disk: EXIT_ENVIRONMENT. An exception carrying
    ``exit_code`` (a library error a command did not catch): its message and code.
    Anything else: the traceback goes to a log and the user is asked to report it.
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
    code = getattr(exc, "exit_code", None)
    if isinstance(code, int) and not isinstance(code, bool) and str(exc):
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
    fail(message, as_json, exit_code_of(exc, EXIT_USAGE), details)


class SafeGroup(typer.core.TyperGroup):
    """The app's command group: every command (and sub-command) runs inside :func:`handle_exception`."""

    def invoke(self, ctx: Any) -> Any:
        """Run the chosen command; turn anything it raises (but a clean exit) into a message."""
        argv = [*getattr(ctx, "_protected_args", []), *ctx.args]
        start = commits_in_this_process()
        try:
            return super().invoke(ctx)
        except typer.TyperException as exc:
            # A usage error (bad option value, unknown command): the framework prints it;
            # it exits EXIT_USAGE as documented, not click's 2 (EXIT_BAD_INPUT here).
            if getattr(exc, "exit_code", None) == 2:
                exc.exit_code = EXIT_USAGE
            raise
        except (typer.Exit, typer.Abort):
            raise  # clean exits and --help
        except (Exception, KeyboardInterrupt) as exc:
            # A Ctrl-C after this command committed (while it printed) changed the warehouse.
            handle_exception(exc, argv, committed=commits_in_this_process() > start)
