"""``totalplace reference load KIND FILE``: a newer reference file of a published layout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, export_option
from totalplace.cli.output import emit_json, out, safe, say_exported
from totalplace.cli.support import export_rows, failing, load

__all__ = ["reference_load_command"]


def reference_load_command(
    kind: Annotated[
        str,
        typer.Argument(
            help="lsoa_ward, lsoa_population, lsoa_imd, ward_population, district_population "
            "or district_deprivation."
        ),
    ],
    file: Annotated[Path, typer.Argument(help="The published file (CSV, or gzipped CSV).")],
    export: Annotated[Path | None, export_option("what was loaded (one row)")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Load a newer reference file of a published layout; it is used instead of the shipped copy."""
    from totalplace.reference.loaded import load_reference

    ws = load(workspace, as_json, export)
    # A LayoutError exits EXIT_BAD_INPUT (its kind); a missing file, EXIT_WORKSPACE.
    with failing(as_json, FileNotFoundError):
        item = load_reference(kind, file, ws)
    written = export_rows([item.__dict__], export, as_json, sheet="reference")
    if as_json:
        emit_json(item.__dict__, written)
        return
    out.print(
        f"Loaded {item.rows:,} rows of {safe(kind)} from {safe(file)} into "
        f".totalplace/reference/{safe(item.file)}; "
        "it replaces the shipped data for this workspace."
    )
    say_exported(written, "what was loaded")
