"""What a command prints: the two consoles, one JSON document, escaped text, amounts, progress.

Only Rich and the standard library are imported here, so ``totalplace --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Container, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rich.progress import Progress

# Logs and CI are not terminals: give tables room rather than Rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 130)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 130)


def emit_json(document: Any, written: Path | None = None) -> None:
    """Print one JSON document on stdout (decimals and dates as strings); a command's
    document says where ``--export`` wrote (``exported_to``, last) when ``written``."""
    if written is not None:
        document = {**document, "exported_to": str(written)}
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def say_exported(written: Path | None, what: str = "the table") -> None:
    """Say where a command exported ``what``, if it did."""
    if written is not None:
        out.print(f"Exported {what} to {safe(written)}.")


def new_table(
    title: str,
    columns: Iterable[str],
    figures: Container[str] | None = None,
    words: Container[str] | None = None,
    **style: Any,
) -> Table:
    """Return a Rich table titled ``title`` with ``columns``, figures right-justified and
    words left: ``figures`` names the right-justified columns, or ``words`` the left ones
    (by default the first column only). ``style`` (``overflow="fold"``) applies to each."""
    columns = list(columns)
    left = words if words is not None else columns[:1]
    table = Table(title=title)
    for column in columns:
        figure = column in figures if figures is not None else column not in left
        table.add_column(column, justify="right" if figure else "left", **style)
    return table


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
