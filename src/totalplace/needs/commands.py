"""Command functions of the needs stage (registered on the ``totalplace`` app by ``cli.py``).

* ``ward_count_command`` -- ``totalplace count-wards`` (later ``count --by ward``);
* ``compare_command`` -- ``totalplace compare``;
* ``wards_command`` -- ``totalplace wards``: the place's wards, population and IMD;
* ``reference_load_command`` -- ``totalplace reference load KIND FILE``.

Each parses its options, calls one library function and renders the result.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from totalplace.cli_support import (
    EXIT_BAD_INPUT,
    ExportOpt,
    JsonOpt,
    WorkspaceOpt,
    check_choice,
    check_export,
    check_year,
    check_year_format,
    emit_json,
    export_rows,
    fail,
    load,
    money,
    out,
    safe,
)
from totalplace.workspace import WorkspaceError
from totalplace.years import default_year, year_label

__all__ = ["compare_command", "reference_load_command", "ward_count_command", "wards_command"]

YearOpt = Annotated[
    str | None,
    typer.Option(
        "--year", help="Financial year to show, e.g. 2024-25 (default: latest all partners cover)."
    ),
]


def _short(value: Decimal | None) -> str:
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
    from totalplace.count import CountError
    from totalplace.needs.wards import NeedsError, count_by_ward

    year = check_year_format(year, as_json)
    check_export(export, as_json)
    ws = load(workspace, as_json)
    try:
        result = count_by_ward(ws)
    except (NeedsError, CountError, WorkspaceError) as exc:
        fail(exc, as_json)
    year = check_year(year, (r["financial_year"] for r in result.rows), as_json)
    shown = year or year_label(default_year(result.rows))
    rows = [r for r in result.rows if r["financial_year"] == shown]
    written = export_rows(rows if year else result.rows, export, as_json, sheet="count_by_ward")
    if as_json:
        document = result.as_json(year)
        if written is not None:
            document["exported_to"] = str(written)
        emit_json(document)
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
            *[_short(cells.get((ward.code, t))) for t in themes],
            _short(totals[ward.code]),
            f"£{totals[ward.code] / populations[ward.code]:,.0f}",
        )
    table.add_section()
    grand = sum(totals.values(), Decimal(0))
    people = sum(populations.values())
    table.add_row(
        "[bold]All wards[/]",
        f"{people:,}",
        *[
            _short(sum((v for (_, t), v in cells.items() if t == theme), Decimal(0)))
            for theme in themes
        ],
        f"[bold]{_short(grand)}[/]",
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
    if written is not None:
        out.print(f"Exported the ward count to {safe(written)}.")


def _driver_words(driver: str) -> str:
    from totalplace.needs.wards import DRIVERS

    return DRIVERS[driver]


def compare_command(
    theme: Annotated[
        str | None, typer.Option("--theme", help="Theme to compare, e.g. 'Older people'.")
    ] = None,
    comparator: Annotated[
        list[str] | None,
        typer.Option("--comparator", help="ONS code of a district to compare with; repeat."),
    ] = None,
    n: Annotated[int, typer.Option("--n", min=1, max=300, help="How many nearest neighbours.")] = 5,
    year: YearOpt = None,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Also write the comparison to a .csv, .xlsx or .parquet file.", dir_okay=False
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Compare spend per head with need: the place, its wards and similar places."""
    from totalplace.classify.rules import THEMES
    from totalplace.count import CountError
    from totalplace.needs.compare import compare
    from totalplace.needs.wards import NeedsError

    check_choice(theme, THEMES, "theme", as_json)
    year = check_year_format(year, as_json)
    check_export(export, as_json)
    ws = load(workspace, as_json)
    try:
        result = compare(ws, theme=theme, comparators=comparator, n=n, year=year)
    except (NeedsError, CountError, WorkspaceError) as exc:
        fail(exc, as_json)
    written = export_rows(result.to_arrow(), export, as_json, sheet="compare")
    if as_json:
        document = result.as_json()
        if written is not None:
            document["exported_to"] = str(written)
        emit_json(document)
        return
    _print_comparison(result, ws.place.name)
    if written is not None:
        out.print(f"Exported the comparison to {safe(written)}.")


def _print_comparison(result: Any, place_name: str) -> None:
    """Print the comparison: the place and wards by layer, then like for like with comparators."""
    subject = result.theme or "all themes"
    cohort = result.cohort
    place = result.place
    year, td_year = result.financial_year, place["top_down_year"]
    layers = Table(
        title=f"{safe(place_name)}: what all agencies spend on {safe(subject)} — the place and "
        "its wards"
    )
    columns = ["Area", f"Bottom-up {year}", f"Top-down {td_year}", "All agencies"]
    columns += ["Population", "Per head"]
    if cohort:
        columns += [f"Aged {cohort}", f"Per head {cohort}"]
    columns += ["Ward IMD rank"]
    for column in columns:
        layers.add_column(column, justify="left" if column == "Area" else "right")
    for row in [place, *result.wards]:
        cells = [
            _area(row),
            _short(row["spend"]),
            _short(row.get("top_down")),
            _short(row.get("all_agency")),
            f"{row['population']:,}",
            money(row.get("all_agency_per_head")),
        ]
        if cohort:
            people = row.get("cohort_population")
            cells += [
                f"{people:,}" if people is not None else "—",
                money(row.get("all_agency_cohort_per_head")),
            ]
        cells.append(f"{row['ward_imd_rank']:,.0f}" if row.get("ward_imd_rank") is not None else "")
        layers.add_row(*cells)
        if row["kind"] == "place":
            layers.add_section()
    out.print(layers)
    out.print(
        f"[dim]Bottom-up {year}: {safe(place['bottom_up_method'])}. Top-down {td_year}: "
        f"{safe(place['top_down_method'])}. All agencies = bottom-up + top-down "
        f"({safe(place['all_agency_note'])}); the per-head columns divide it.[/]"
    )
    like = Table(
        title=(
            f"Like for like: top-down estimate of every body, {safe(subject)}, {td_year} "
            "— the place and similar places"
        )
    )
    columns = ["Area", f"Top-down {td_year}, all bodies", "Population", "Per head"]
    if cohort:
        columns += [f"Aged {cohort}", f"Per head {cohort}"]
    columns += [f"Bottom-up {year}", "IMD 2025 score (rank)", "Distance"]
    for column in columns:
        like.add_column(column, justify="left" if column == "Area" else "right")
    for row in [place, *result.comparators]:
        cells = [
            _area(row),
            _short(row.get("top_down_all_bodies")),
            f"{row['population']:,}",
            money(row.get("top_down_all_bodies_per_head")),
        ]
        if cohort:
            people = row.get("cohort_population")
            cells += [
                f"{people:,}" if people is not None else "—",
                money(row.get("top_down_all_bodies_cohort_per_head")),
            ]
        cells += [
            _short(row["spend"]) if row["spend"] is not None else row["spend_status"],
            _imd(row, 2025),
            f"{row['distance']:.3f}" if row.get("distance") is not None else "",
        ]
        like.add_row(*cells)
        if row["kind"] == "place":
            like.add_section()
    out.print(like)
    topdown = result.topdown
    kinds = [k for k in topdown.get("by_kind", []) if k["in_count"] and Decimal(k["net"])]
    if kinds:
        out.print(
            f"Top-down {safe(subject)}, {td_year}, by body with no loaded data: "
            + "; ".join(f"{safe(k['body'])} {_short(Decimal(k['net']))}" for k in kinds)
            + "."
        )
    partly = topdown.get("partly", [])
    if partly:
        shown = partly[:5]
        out.print(
            f"Serving {safe(subject)} in part but not added above (another theme or unthemed; no "
            "shipped source splits them): "
            + "; ".join(
                f"{safe(p['body'])}: {safe(p['line'])} {_short(Decimal(p['estimate']))} "
                f"({safe(p['theme']) if p['theme'] != 'Unclassified' else 'unthemed'})"
                for p in shown
            )
            + (f"; and {len(partly) - len(shown)} more (see --json)." if len(partly) > 5 else ".")
        )
    out.print(f"[dim]Comparators: {safe(result.method)}.[/]")
    out.print(
        "[dim]District IMD: average score (higher = more deprived) and its rank (1 = most "
        "deprived). Ward IMD rank: population-weighted mean of its LSOAs' IMD 2019 ranks "
        "(1 = most deprived of 32,844).[/]"
    )
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {safe(note)}")


def _area(row: dict[str, Any]) -> str:
    label = f"{safe(row['name'])} ({safe(row['code'])})"
    if row["kind"] == "place":
        return f"[bold]{label}[/]"
    if row["kind"] == "ward":
        return f"  {label}"
    return label


def _imd(row: dict[str, Any], edition: int) -> str:
    score = row.get(f"imd{edition}_score")
    if score is None:
        return "—" if row["kind"] != "ward" else ""
    return f"{score:.1f} ({row[f'imd{edition}_rank']}/{row[f'imd{edition}_districts']})"


def wards_command(
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """List the place's wards: population by age band and deprivation, with sources."""
    from totalplace.needs.wards import NeedsError, place_wards

    check_export(export, as_json)
    ws = load(workspace, as_json)
    try:
        found = place_wards(ws)
    except NeedsError as exc:
        fail(exc, as_json)
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
    table = Table(
        title=f"Wards of {safe(ws.place.name)} ({safe(ws.place.code)}): {safe(first.geography)}"
    )
    for column in (
        "Ward",
        "Population",
        "Aged 0-15",
        f"Aged {first.working_band}",
        f"Aged {first.older_band}",
        "IMD rank (mean)",
        "LSOAs in most deprived 10%",
    ):
        table.add_column(column, justify="left" if column == "Ward" else "right")
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
    if written is not None:
        out.print(f"Exported the table to {safe(written)}.")


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
