"""``totalplace count-wards`` (also ``count --by ward``) and ``totalplace wards``: the place by ward."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rich.table import Table

from totalplace.cli.options import ExportOpt, JsonOpt, WorkspaceOpt, YearOpt
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import check_year, check_year_format, export_rows, fail, failing, load

__all__ = ["short_money", "ward_count_command", "wards_command"]


def short_money(value: Decimal | None) -> str:
    """Return an amount compactly for wide tables: £12.35m, £456.8k, £12."""
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"£{value / 1_000_000:,.2f}m"
    if magnitude >= 10_000:
        return f"£{value / 1_000:,.1f}k"
    return f"£{value:,.0f}"


def ward_count_command(
    year: YearOpt = None,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Count the place's spending by ward: each theme apportioned to wards by a stated driver."""
    from totalplace.needs.wards import count_by_ward
    from totalplace.years import default_year, year_label

    year = check_year_format(year, as_json)
    ws = load(workspace, as_json, export)
    with failing(as_json):
        result = count_by_ward(ws)
    year = check_year(year, (r["financial_year"] for r in result.rows), as_json)
    shown = year or year_label(default_year(result.rows))
    rows = [r for r in result.rows if r["financial_year"] == shown]
    written = export_rows(rows if year else result.rows, export, as_json, sheet="count_by_ward")
    if as_json:
        emit_json(result.as_json(year), written)
        return
    if not rows:
        fail("there is nothing counted to share among the wards: run 'totalplace import'", as_json)
    themes = sorted({r["theme"] for r in rows})
    cells: dict[tuple[str, str], Decimal] = {}
    totals: dict[str, Decimal] = {}
    populations: dict[str, int] = {}
    for r in rows:
        key = (r["ward_code"], r["theme"])
        cells[key] = cells.get(key, Decimal(0)) + r["counted_amount"]
        totals[r["ward_code"]] = totals.get(r["ward_code"], Decimal(0)) + r["counted_amount"]
        populations[r["ward_code"]] = r["population"]
    table = Table(
        title=f"{safe(ws.place.name)} ({safe(ws.place.code)}): public spending counted by ward, "
        f"{safe(shown)}"
    )
    table.add_column("Ward", min_width=12)
    table.add_column("Population", justify="right")
    for theme in themes:
        table.add_column(safe(theme), justify="right")
    table.add_column("Total", justify="right")
    table.add_column("Per head", justify="right")
    for ward in result.wards:
        if ward.code not in totals:
            continue
        table.add_row(
            safe(ward.name),
            f"{populations[ward.code]:,}",
            *[short_money(cells.get((ward.code, t))) for t in themes],
            short_money(totals[ward.code]),
            f"£{totals[ward.code] / populations[ward.code]:,.0f}",
        )
    table.add_section()
    grand = sum(totals.values(), Decimal(0))
    people = sum(populations.values())
    table.add_row(
        "[bold]All wards[/]",
        f"{people:,}",
        *[
            short_money(sum((v for (_, t), v in cells.items() if t == theme), Decimal(0)))
            for theme in themes
        ],
        f"[bold]{short_money(grand)}[/]",
        f"£{grand / people:,.0f}" if people else "—",
    )
    out.print(table)
    out.print(
        f"All wards: {money(grand)}, {money(grand / people) if people else '—'} per head "
        f"(population {people:,}, ONS mid-{rows[0]['population_year']} shared by ward)."
    )
    for theme in themes:
        driver = result.drivers.get(theme, result.default_driver)
        out.print(
            f"[dim]{safe(theme)}: apportioned by {safe(driver)} — {safe(_driver_words(driver))}.[/]"
        )
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {safe(note)}")
    out.print(
        f"[green]Reconciled:[/] in every count cell ({result.cells}) the wards add up to the cell, to the penny."
        if result.reconciles
        else "[red]Does not reconcile:[/] ward amounts differ from the count."
    )
    say_exported(written, "the ward count")


def _driver_words(driver: str) -> str:
    from totalplace.needs.drivers import DRIVERS

    return DRIVERS[driver]


def wards_command(
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """List the place's wards: population by age band and deprivation, with sources."""
    from totalplace.needs.wards import place_wards

    ws = load(workspace, as_json, export)
    with failing(as_json):
        found = place_wards(ws)
    written = export_rows([w.as_dict() for w in found], export, as_json, sheet="wards")
    if as_json:
        emit_json(
            {
                "place": {"code": ws.place.code, "name": ws.place.name},
                "wards": [w.as_dict() for w in found],
            }
        )
        return
    first = found[0]
    table = new_table(
        f"Wards of {safe(ws.place.name)} ({safe(ws.place.code)}): {safe(first.geography)}",
        (
            "Ward",
            "Population",
            "Aged 0-15",
            f"Aged {first.working_band}",
            f"Aged {first.older_band}",
            "IMD rank (mean)",
            "LSOAs in most deprived 10%",
        ),
    )
    for w in found:
        table.add_row(
            f"{safe(w.name)} ({safe(w.code)})",
            f"{w.population:,}",
            f"{w.age_0_15:,}",
            f"{w.age_working:,}",
            f"{w.age_older:,}",
            f"{w.imd_rank:,.0f}" if w.imd_rank is not None else "—",
            f"{w.imd_most_deprived_decile_share:.0%} of {w.lsoas}"
            if w.imd_most_deprived_decile_share is not None
            else "—",
        )
    table.add_section()
    table.add_row("[bold]All wards[/]", f"{sum(w.population for w in found):,}", "", "", "", "", "")
    out.print(table)
    out.print(f"[dim]Population: {safe(first.population_source)} (mid-{first.population_year}).[/]")
    out.print(f"[dim]IMD: {safe(first.imd_source)}.[/]")
    say_exported(written)
