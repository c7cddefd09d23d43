"""``totalplace init`` and ``totalplace partner add|list``: make a workspace and name its partners."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli import support
from totalplace.cli.options import ExportOpt, JsonOpt, WorkspaceOpt, export_option
from totalplace.cli.output import emit_json, new_table, out, safe, say_exported
from totalplace.cli.support import check_export, export_rows, fail, failing, load
from totalplace.workspace import (
    SECTORS,
    Partner,
    add_partner,
    describe_place,
    init_workspace,
    open_workspace,
)

__all__ = [
    "init_command",
    "partner_add_command",
    "partner_json",
    "partner_list_command",
]


def init_command(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            help="ONS code of the place, e.g. E07000120 (Hyndburn), E10000017 (Lancashire), "
            "E11000001 (Greater Manchester). Asked for in a terminal if not given.",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Name of the place (default: ONS name).")] = None,
    population_year: Annotated[
        int, typer.Option(help="Mid-year population estimate to use.")
    ] = 2024,
    export: Annotated[Path | None, export_option("the place (one row)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a workspace: a commented place.toml and the .totalplace/ state folder."""
    check_export(export, as_json)
    if place is None:
        if as_json or not support.asks_in_terminal():
            fail(
                "no place given: pass --place CODE with the place's ONS code, e.g. "
                "--place E07000120 for Hyndburn, E10000017 for Lancashire, E11000001 for "
                "Greater Manchester.",
                as_json,
            )
        place = typer.prompt(
            "ONS code of the place (e.g. E07000120 Hyndburn, E11000001 Greater Manchester)"
        )
    with failing(as_json):
        path = init_workspace(directory, place, name, population_year)
        summary = describe_place(open_workspace(directory).place)
    row = {
        "code": summary.code,
        "name": summary.name,
        "kind": summary.kind,
        "districts": list(summary.districts),
        "wards": list(summary.wards),
        "population": summary.population,
        "population_year": summary.population_year,
    }
    written = export_rows([row], export, as_json, sheet="place")
    if as_json:
        document = {"workspace": str(directory.resolve()), "place_file": str(path), "place": row}
        emit_json(document, written)
        return
    out.print(safe(summary.text()), highlight=False)
    out.print(
        f"Created {safe(str(path))}. Next: [bold]totalplace partner add[/] or "
        "[bold]totalplace import[/]."
    )
    say_exported(written, "the place")


def partner_add_command(
    name: Annotated[str, typer.Argument(help="Name of the body, e.g. 'Lancashire Constabulary'.")],
    sector: Annotated[str, typer.Option(help=f"One of: {', '.join(SECTORS)}.")] = "unknown",
    area: Annotated[
        list[str] | None,
        typer.Option(
            help="ONS code it covers (district, county, police force area, fire authority); repeat."
        ),
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option(help="File or glob of its data; repeat.")
    ] = None,
    alias: Annotated[
        list[str] | None, typer.Option(help="Another name payees use for it; repeat.")
    ] = None,
    fy_start_month: Annotated[int, typer.Option(help="Month its financial year starts.")] = 4,
    export: Annotated[Path | None, export_option("the partner added (one row)")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Add a partner to place.toml."""
    ws = load(workspace, as_json, export)
    partner = Partner(
        name=name,
        sector=sector,
        areas=tuple(area or ()),
        fy_start_month=fy_start_month,
        sources=tuple(source or ()),
        aliases=tuple(alias or ()),
    )
    with failing(as_json):
        partner = add_partner(ws, partner)
    document = partner_json(partner)
    written = export_rows([document], export, as_json, sheet="partner")
    if as_json:
        emit_json(document, written)
        return
    out.print(
        f"Added {partner.name} ({partner.sector}), covering "
        f"{len(partner.districts())} district(s).",
        markup=False,
        highlight=False,
    )
    say_exported(written, "the partner")


def partner_json(partner: Partner) -> dict[str, Any]:
    """Return a partner as a JSON-ready document."""
    return {
        "name": partner.name,
        "slug": partner.slug,
        "sector": partner.sector,
        "areas": list(partner.areas),
        "districts": partner.districts(),
        "fy_start_month": partner.fy_start_month,
        "sources": list(partner.sources),
        "aliases": list(partner.aliases),
    }


def partner_list_command(
    export: ExportOpt = None, workspace: WorkspaceOpt = Path("."), as_json: JsonOpt = False
) -> None:
    """List the partners in place.toml."""
    ws = load(workspace, as_json, export)
    rows = [partner_json(p) for p in ws.partners]
    written = export_rows(rows, export, as_json, sheet="partners")
    if as_json:
        emit_json(rows)
        return
    table = new_table(
        f"Partners serving {safe(ws.place.name)}",
        ("Partner", "Sector", "Districts covered", "Sources"),
        figures=(),
        overflow="fold",
    )
    for p in ws.partners:
        table.add_row(
            safe(p.name), safe(p.sector), str(len(p.districts())), safe(", ".join(p.sources))
        )
    out.print(table)
    say_exported(written)
