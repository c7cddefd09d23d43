"""Shared pieces of the command line: options, JSON output, errors, tables, progress.

Stage commands (``totalplace.<stage>.commands``) use these so that every command
behaves alike: ``--workspace``, ``--json``, clear errors with exit codes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from totalplace.workspace import Workspace, WorkspaceError, open_workspace

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


def fail(message: str, as_json: bool, code: int = EXIT_USAGE, details: Any = None) -> NoReturn:
    """Report an error (as JSON too when asked) and exit with a non-zero code."""
    if as_json:
        emit_json({"error": message, "details": details})
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def load(workspace: Path, as_json: bool) -> Workspace:
    """Return the workspace or exit with a clear message."""
    try:
        return open_workspace(workspace)
    except WorkspaceError as exc:
        fail(str(exc), as_json)


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
