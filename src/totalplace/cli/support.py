"""Shared steps of every command: open the workspace, check option values, fail, export.

Every command module in ``totalplace.cli`` uses these (with the options of
:mod:`totalplace.cli.options` and the printing of :mod:`totalplace.cli.output`) so that
every command behaves alike: the workspace opened or a clear error (:func:`load`),
library errors turned into a message and an exit code (:func:`failing`,
:mod:`totalplace.errors`), ``--export`` checked before any work and written
(:func:`export_rows`). Only Typer, Rich and the standard library are imported here:
the library is imported inside the functions that use it, so ``totalplace --help``
starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from totalplace.cli.output import emit_json, err, out, safe
from totalplace.errors import (
    EXIT_ENVIRONMENT,
    EXIT_USAGE,
    EXIT_WORKSPACE,
    TotalplaceError,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from totalplace.workspace import Workspace

# ``out`` and ``safe`` are imported from here by tests that set the console's width.
__all__ = [
    "asks_in_terminal",
    "check_choice",
    "check_export",
    "check_year",
    "check_year_format",
    "counted_years",
    "exit_code_of",
    "export_rows",
    "fail",
    "failing",
    "is_user_error",
    "load",
    "out",
    "safe",
    "writing",
]


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


def load(workspace: Path, as_json: bool, export: Path | None = None) -> Workspace:
    """Return the workspace or exit with a clear message (EXIT_WORKSPACE).

    An ``export`` file name is checked first (:func:`check_export`), so that a name
    that cannot be written is refused before any work.
    """
    from totalplace.workspace import WorkspaceError, open_workspace

    check_export(export, as_json)
    try:
        return open_workspace(workspace)
    except WorkspaceError as exc:
        fail(exc, as_json, EXIT_WORKSPACE)


@contextmanager
def failing(as_json: bool, *errors: type[BaseException], code: int | None = None) -> Iterator[None]:
    """Run the block; turn a library error (or any of ``errors``) into :func:`fail` (a message and exit code)."""
    caught: tuple[type[BaseException], ...] = (TotalplaceError, *errors)
    try:
        yield
    except caught as exc:
        fail(exc, as_json, code)


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
    with writing(path, as_json):
        return export_table(table, path, sheet=sheet)


@contextmanager
def writing(path: Path, as_json: bool) -> Iterator[None]:
    """Run a block that writes ``path``; a table the format refuses (ValueError) exits with
    its message, a file that cannot be written (OSError) with EXIT_ENVIRONMENT and the reason."""
    try:
        yield
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
