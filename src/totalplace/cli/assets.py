"""``totalplace assets``: the bodies' buildings, and buildings of different bodies close together.

It parses its options, calls :func:`totalplace.assets.assets` and renders the result
(Rich tables of the registers and the clusters, or one JSON document with ``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, export_option, top_option
from totalplace.cli.output import emit_json, money, new_table, out, safe
from totalplace.cli.support import check_export, failing, load, writing

__all__ = ["assets_command"]


def assets_command(
    radius: Annotated[
        float,
        typer.Option(
            "--radius",
            help="Walking distance in metres within which buildings of different bodies count "
            "as close together (default 400: a 5-minute walk, CIHT 2000).",
        ),
    ] = 400.0,
    top: Annotated[int, top_option("clusters")] = 20,
    export: Annotated[
        Path | None,
        export_option(
            "the clusters and their buildings",
            "to one .xlsx workbook (a sheet each), or a .csv or .parquet file of the clusters",
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Load the asset registers in place.toml and find buildings of different bodies close together."""
    from totalplace.assets import assets

    check_export(export, as_json)
    ws = load(workspace, as_json)
    with failing(as_json):
        result = assets(ws, radius_m=radius)
    written = None
    if export is not None:
        with writing(export, as_json):
            written = _export(ws, export)
    if as_json:
        emit_json(result.as_json(), written)
        return
    _print(result, top)
    if written is not None:
        out.print(f"Exported the clusters to {safe(written)}.")


def _export(workspace: Any, path: Path) -> Path:
    from totalplace.report import export_table, write_workbook
    from totalplace.warehouse import connect

    con = connect(workspace, read_only=True)
    try:
        clusters = con.table("asset_clusters").to_pyarrow()
        members = con.table("asset_cluster_members").to_pyarrow()
        registers = con.table("assets").to_pyarrow()
    finally:
        con.disconnect()
    if path.suffix.lower() == ".xlsx":
        return write_workbook(
            {"clusters": clusters, "buildings": members, "assets": registers}, path
        )
    return export_table(clusters, path, sheet="clusters")


def _metres(value: Any) -> str:
    return "—" if value is None else f"{value:,.0f} m"


def _area(value: Any) -> str:
    return "—" if value is None else f"{value:,.0f} m²"


def _print(result: Any, top: int) -> None:
    place = safe(result.place["name"])
    registers = new_table(
        f"{place}: asset registers",
        (
            "Body",
            "File",
            "Layout",
            "Rows",
            "Not located",
            "Outside the place",
            "District unknown",
            "In the place",
            "Buildings there",
        ),
        words=("Body", "File", "Layout"),
    )
    for r in result.registers:
        registers.add_row(
            safe(r.body),
            safe(r.source_file),
            safe(r.layout),
            f"{r.loaded:,}",
            f"{r.not_located:,}",
            f"{r.outside:,}",
            f"{r.district_unknown:,}",
            f"{r.in_place:,}",
            f"{r.buildings_in_place:,}",
        )
    out.print(registers)
    if not result.clusters:
        out.print(
            f"No buildings of different bodies within {result.radius_m:g} m of each other "
            "(try a larger --radius)."
        )
    else:
        shown = result.top(top)
        table = new_table(
            f"{place}: buildings of different bodies within {result.radius_m:g} m "
            f"({len(result.clusters)} clusters, {result.pairs} pairs; top {len(shown)})",
            ("Cluster", "Bodies", "Buildings", "Span", "Size", "Uses", "Running cost (estimate)"),
            words=("Bodies", "Uses"),
            overflow="fold",
        )
        for c in shown:
            table.add_row(
                str(c["cluster_id"]),
                safe(c["bodies"]),
                str(c["buildings"]),
                _metres(c["span_m"]),
                _area(c["size_m2"])
                + (
                    f" ({c['sized_buildings']} of {c['buildings']})"
                    if c["sized_buildings"] != c["buildings"]
                    else ""
                ),
                safe(c["uses"]),
                money(c["running_cost"]),
            )
        out.print(table)
    for note in result.notes:
        out.print(safe(note))
