"""``totalplace board-pack --export pack.pdf|pack.html``: the board pack, as the web service makes it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from totalplace.cli.options import WorkspaceOpt
from totalplace.cli.output import out, safe
from totalplace.cli.support import fail, failing, load, writing

__all__ = ["board_pack_command"]


def board_pack_command(
    export: Annotated[
        Path, typer.Option("--export", help="Write the pack to this .pdf or .html file.")
    ],
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", "-s", help="A scenario to include (repeat; default: all)."),
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws", min=1, max=1_000_000, help="Monte Carlo draws (default: each file's)."
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Make the board pack: the count, what it covers, the opportunities and the scenarios."""
    fmt = export.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "html"):
        fail(f"--export must name a .pdf or .html file, not {export.name!r}", False)
    ws = load(workspace, False)  # not a table export: .pdf or .html, checked above
    from totalplace.scenario import list_scenarios
    from totalplace.web.boardpack import board_pack, run_documents

    with failing(False):
        names = scenario or [Path(r["file"]).stem for r in list_scenarios(ws) if not r["problem"]]
        made = board_pack(ws, names, fmt, run_documents(ws, names, draws))  # type: ignore[arg-type]
    with writing(export, False):
        export.write_bytes(made)
    out.print(f"Wrote the board pack to {safe(export)} ({len(names)} scenarios).")
