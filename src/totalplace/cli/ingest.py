"""``totalplace import``: load published spending files, every row loaded or quarantined."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from totalplace.cli import support
from totalplace.cli.options import ExportOpt, JsonOpt, WorkspaceOpt
from totalplace.cli.output import emit_json, err, money, out, progress, safe, say_exported
from totalplace.cli.support import check_choice, check_export, export_rows, fail, failing, load
from totalplace.cli.workspace import partner_json
from totalplace.errors import EXIT_BAD_INPUT

__all__ = ["import_command"]


def _readable(file: str) -> str:
    """Return a file's path relative to the current folder when it lies inside it (shorter to read)."""
    path = Path(file)
    try:
        return str(path.relative_to(Path.cwd())) if path.is_absolute() else file
    except ValueError:
        return file


def import_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Files to import (default: every partner's sources)."),
    ] = None,
    partner: Annotated[
        str | None, typer.Option(help="Partner the files belong to (added to place.toml if new).")
    ] = None,
    allow_truncated: Annotated[
        bool, typer.Option(help="Load the complete rows of a truncated file; quarantine the rest.")
    ] = False,
    keep: Annotated[
        str | None,
        typer.Option(
            help="When a file re-publishes rows already loaded for its partner: 'new' "
            "replaces the loaded file's rows, 'old' skips the new file, 'both' loads both."
        ),
    ] = None,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Import published spending files: every row loaded or quarantined with a reason."""
    from totalplace.api import import_batches_for
    from totalplace.ingest import (
        KEEP_CHOICES,
        ImportFailed,
        NewPartner,
        RepublicationFound,
        import_batches,
    )
    from totalplace.workspace import WorkspaceError

    check_export(export, as_json)
    check_choice(keep, KEEP_CHOICES, "--keep choice", as_json)
    ws = load(workspace, as_json)
    with failing(as_json):
        batches = import_batches_for(ws, files, partner)
    # Asked before the progress bar starts: a prompt under a live display is unreadable.
    answers = {name: _choose_body(name, as_json) for name, _ in batches if ws.partner(name) is None}
    added: list[NewPartner] = []
    with progress(as_json) as bar:
        task = bar.add_task("Importing", total=sum(len(paths) for _, paths in batches))
        advance: Callable[[str], None] = lambda _name: bar.advance(task)  # noqa: E731
        try:
            reports = import_batches(
                ws,
                batches,
                allow_truncated,
                advance,
                keep,
                choose=lambda found: answers.get(found.name),
                on_partner=added.append,
            )
        except WorkspaceError as exc:
            fail(exc, as_json)
        except RepublicationFound as exc:
            fail(exc, as_json, EXIT_BAD_INPUT, [o.as_json() for o in exc.overlaps])
        except ImportFailed as exc:
            details = [
                {"file": p.file, "problem": p.problem, "advice": p.advice} for p in exc.problems
            ]
            for p in exc.problems:
                err.print(
                    f"[bold red]{safe(p.file)}[/]: {safe(p.problem)}.\n"
                    f"  [bold]What to do:[/] {safe(p.advice)}.",
                    highlight=False,
                )
            fail(
                f"{len(exc.problems)} file(s) could not be imported; nothing was stored.",
                as_json,
                EXIT_BAD_INPUT,
                details,
            )
    rows = [
        {
            "partner": r.partner,
            "file": r.file,
            "sheet": r.sheet,
            "status": r.status,
            "rows_read": r.rows_read,
            "rows_loaded": r.rows_loaded,
            "rows_quarantined": r.rows_quarantined,
            "amount_loaded": r.amount_loaded,
            "amount_quarantined": r.amount_quarantined,
            "notes": r.notes,
        }
        for r in reports
    ]
    written = export_rows(rows, export, as_json, sheet="import")
    if as_json:
        document: dict[str, Any] = {"files": [r.as_json() for r in reports]}
        if added:
            document["partners_added"] = [
                {
                    **partner_json(n.partner),
                    "identified_as": n.body.text() if n.body else None,
                    "message": n.text(),
                }
                for n in added
            ]
        emit_json(document, written)
        return
    table = Table(title="Import")
    for column in (
        "Partner",
        "File",
        "Sheet",
        "Status",
        "Read",
        "Loaded",
        "Quarantined",
        "Amount loaded",
    ):
        numeric = column in ("Read", "Loaded", "Quarantined", "Amount loaded")
        # Long names wrap rather than being cut, so files that differ at the end stay apart.
        table.add_column(
            column, justify="right" if numeric else "left", overflow="fold", no_wrap=numeric
        )
    for r in reports:
        table.add_row(
            safe(r.partner),
            safe(_readable(r.file)),
            safe(r.sheet),
            safe(r.status),
            f"{r.rows_read:,}",
            f"{r.rows_loaded:,}",
            f"{r.rows_quarantined:,}",
            money(r.amount_loaded),
        )
    out.print(table)
    for r in reports:
        for note in r.notes:
            where = safe(_readable(r.file)) + (f" \\[{safe(r.sheet)}]" if r.sheet else "")
            err.print(f"[yellow]Note[/] {where}: {safe(note)}", highlight=False)
    for n in added:
        if n.body is not None:
            out.print(safe(n.text()), highlight=False)
        else:
            err.print(f"[bold yellow]Warning:[/] {safe(n.text())}", highlight=False)
    say_exported(written)


def _choose_body(name: str, as_json: bool) -> Any:
    """Return the body a new partner's name is, asked in a terminal when several fit; else None."""
    from totalplace.identify import identify_body

    found = identify_body(name)
    if found.body is not None or not found.candidates or as_json or not support.asks_in_terminal():
        return None
    err.print(f"[bold]{safe(name)}[/] may be one of these bodies:", highlight=False)
    for number, candidate in enumerate(found.candidates, start=1):
        err.print(f"  {number}. {safe(candidate.text())} ({candidate.sector})", highlight=False)
    err.print("  0. none of them: add it with sector 'unknown'", highlight=False)
    while True:
        choice = typer.prompt("Which is it (number)", type=int, default=0)
        if 0 <= choice <= len(found.candidates):
            return found.candidates[choice - 1] if choice else None
        err.print(f"Type a number from 0 to {len(found.candidates)}.")
