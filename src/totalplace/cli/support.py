"""Shared pieces of the command line: options, JSON output, errors, tables, progress.

Every command module in ``totalplace.cli`` uses these so that every command behaves
alike: ``--workspace``, ``--json``, ``--export``, clear errors with exit codes (see
:mod:`totalplace.errors`), user data escaped before it reaches the terminal
(:func:`safe`). Only Typer, Rich and the standard library are imported here: the
library is imported inside the functions that use it, so ``totalplace --help`` starts
fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from totalplace.errors import (
    EXIT_BAD_INPUT,
    EXIT_BUSY,
    EXIT_ENVIRONMENT,
    EXIT_INTEGRITY,
    EXIT_INTERRUPTED,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    EXIT_WORKSPACE,
    TotalplaceError,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from rich.progress import Progress

    from totalplace.workspace import Workspace

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BUSY",
    "EXIT_ENVIRONMENT",
    "EXIT_INTEGRITY",
    "EXIT_INTERRUPTED",
    "EXIT_UNEXPECTED",
    "EXIT_USAGE",
    "EXIT_WORKSPACE",
]

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


def exit_code_of(exc: BaseException, default: int | None = None) -> int | None:
    """Return the exit code of a library error, or ``default`` for any other exception.

    A :class:`totalplace.errors.TotalplaceError` carries its code (its message is meant
    for the user); Python's and other libraries' exceptions are not messages: they give
    ``default``.
    """
    return exc.exit_code if isinstance(exc, TotalplaceError) else default


def is_user_error(exc: BaseException) -> bool:
    """Return whether ``exc`` is a library error whose message is written for the user."""
    return exit_code_of(exc) is not None and bool(str(exc))


def fail(
    problem: str | BaseException,
    as_json: bool,
    code: int | None = None,
    details: Any = None,
) -> NoReturn:
    """Report an error (as JSON too when asked) and exit with a non-zero code.

    ``problem`` is a message or the exception caught. A message exits ``code``
    (default EXIT_USAGE: a wrong value); an exception exits with its own code
    (:func:`exit_code_of`), else ``code``, else EXIT_WORKSPACE.
    """
    message = str(problem)
    if isinstance(problem, BaseException):
        fallback = code if code is not None else EXIT_WORKSPACE
        exit_code = exit_code_of(problem, fallback) or fallback
    else:
        exit_code = code if code is not None else EXIT_USAGE
    if as_json:
        emit_json({"error": message, "details": details})
    # soft_wrap: a long path in the message stays on one line, to be copied whole.
    err.print(
        f"[bold red]Error:[/] {safe(message, keep_newlines=True)}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(exit_code)


def asks_in_terminal() -> bool:
    """Return True when a command may prompt (stdin and stdout are a terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def load(workspace: Path, as_json: bool) -> Workspace:
    """Return the workspace or exit with a clear message (EXIT_WORKSPACE)."""
    from totalplace.workspace import WorkspaceError, open_workspace

    try:
        return open_workspace(workspace)
    except WorkspaceError as exc:
        fail(exc, as_json, EXIT_WORKSPACE)


def check_year_format(year: str | None, as_json: bool) -> str | None:
    """Return the label ``--year`` names ('2024' or '2024/25' -> '2024-25'; None and 'date missing'
    pass through), or exit with a clear message (see :mod:`totalplace.years`)."""
    from totalplace.years import YearError, normalise_year

    try:
        return normalise_year(year)
    except YearError:
        fail(
            f"--year {year!r} is not a financial year: write it like 2024-25 (or its start "
            "year, 2024; or 'date missing' for undated lines)",
            as_json,
        )


def check_year(year: str | None, available: Iterable[str | None], as_json: bool) -> str | None:
    """Return the label ``--year`` names, or exit with a message listing the years there are."""
    year = check_year_format(year, as_json)
    years = sorted({y for y in available if y})
    if year is not None and year not in years:
        fail(
            f"there is no financial year {year} in the count; the years there are: "
            + (", ".join(years) or "none (import some files first)"),
            as_json,
        )
    return year


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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
