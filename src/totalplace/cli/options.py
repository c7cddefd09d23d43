"""The options the commands share, declared once: one name, one help text, one meaning each.

``--workspace``, ``--json`` and ``--export`` are on every command; ``--year`` means what
:mod:`totalplace.years` says wherever it appears (checked by
:func:`totalplace.cli.support.check_year_format`); ``--top`` is always a count of rows
from 1. A command whose option needs its own words (what it exports, what its year
defaults to) builds it with :func:`export_option`, :func:`year_option` or
:func:`top_option` rather than writing a ``typer.Option`` of its own. Only Typer is
imported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = [
    "ExportOpt",
    "JsonOpt",
    "WorkspaceOpt",
    "YearOpt",
    "export_option",
    "flag",
    "top_option",
    "year_option",
]


def export_option(
    what: str = "the table",
    to: str = "to a .csv, .xlsx or .parquet file",
) -> Any:
    """Return the ``--export FILE`` option of a command that exports ``what``."""
    return typer.Option(
        "--export",
        help=f"Also write {what} {to} (formula-like text is prefixed with ' so spreadsheets "
        "show it as text).",
        dir_okay=False,
    )


def year_option(default: str = "the latest all partners cover") -> Any:
    """Return the ``--year`` option (a financial year, as :mod:`totalplace.years` reads one)."""
    return typer.Option(
        "--year",
        help=f"Financial year, e.g. 2024-25 or its start year 2024 (default: {default}).",
    )


def top_option(what: str, most: int | None = 10_000) -> Any:
    """Return the ``--top N`` option: how many rows of ``what`` to list (1 to ``most``)."""
    return typer.Option("--top", min=1, max=most, help=f"How many {what} to list.")


def flag(name: str, help: str) -> Any:
    """Return an on/off option ``name`` (``--x``, or ``--x/--no-x``) with its help."""
    return typer.Option(name, help=help)


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
ExportOpt = Annotated[Path | None, export_option()]
YearOpt = Annotated[str | None, year_option()]
