"""``totalplace reference load KIND FILE``: a newer reference file of a published layout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from totalplace.cli.support import (
    EXIT_BAD_INPUT,
    JsonOpt,
    WorkspaceOpt,
    emit_json,
    fail,
    load,
    out,
    safe,
)

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
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Load a newer reference file of a published layout; it is used instead of the shipped copy."""
    from totalplace.reference.layouts import LayoutError
    from totalplace.reference.loaded import load_reference

    ws = load(workspace, as_json)
    try:
        item = load_reference(kind, file, ws)
    except FileNotFoundError as exc:
        fail(exc, as_json)
    except LayoutError as exc:
        fail(exc, as_json, EXIT_BAD_INPUT)
    if as_json:
        emit_json(item.__dict__)
        return
    out.print(
        f"Loaded {item.rows:,} rows of {safe(kind)} from {safe(file)} into "
        f".totalplace/reference/{safe(item.file)}; "
        "it replaces the shipped data for this workspace."
    )
