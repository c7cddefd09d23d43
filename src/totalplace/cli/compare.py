"""``totalplace compare``: spend per head against need, for the place, its wards and similar places."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, YearOpt, export_option
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import check_choice, check_year_format, export_rows, failing, load
from totalplace.cli.wards import short_money

__all__ = ["compare_command"]


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
    export: Annotated[Path | None, export_option("the comparison")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Compare spend per head with need: the place, its wards and similar places."""
    from totalplace.classify.rules import THEMES
    from totalplace.needs.compare import compare

    check_choice(theme, THEMES, "theme", as_json)
    year = check_year_format(year, as_json)
    ws = load(workspace, as_json, export)
    with failing(as_json):
        result = compare(ws, theme=theme, comparators=comparator, n=n, year=year)
    written = export_rows(result.to_arrow(), export, as_json, sheet="compare")
    if as_json:
        emit_json(result.as_json(), written)
        return
    _print_comparison(result, ws.place.name)
    say_exported(written, "the comparison")


def _print_comparison(result: Any, place_name: str) -> None:
    """Print the comparison: the place and wards by layer, then like for like with comparators."""
    subject = result.theme or "all themes"
    cohort = result.cohort
    place = result.place
    year, td_year = result.financial_year, place["top_down_year"]
    columns = ["Area", f"Bottom-up {year}", f"Top-down {td_year}", "All agencies"]
    columns += ["Population", "Per head"]
    if cohort:
        columns += [f"Aged {cohort}", f"Per head {cohort}"]
    columns += ["Ward IMD rank"]
    layers = new_table(
        f"{safe(place_name)}: what all agencies spend on {safe(subject)} — the place and its wards",
        columns,
    )
    for row in [place, *result.wards]:
        cells = [
            _area(row),
            short_money(row["spend"]),
            short_money(row.get("top_down")),
            short_money(row.get("all_agency")),
            f"{row['population']:,}",
            money(row.get("all_agency_per_head")),
        ]
        if cohort:
            cells += _cohort_cells(row, "all_agency")
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
    columns = ["Area", f"Top-down {td_year}, all bodies", "Population", "Per head"]
    if cohort:
        columns += [f"Aged {cohort}", f"Per head {cohort}"]
    columns += [f"Bottom-up {year}", "IMD 2025 score (rank)", "Distance"]
    like = new_table(
        f"Like for like: top-down estimate of every body, {safe(subject)}, {td_year} "
        "— the place and similar places",
        columns,
    )
    for row in [place, *result.comparators]:
        cells = [
            _area(row),
            short_money(row.get("top_down_all_bodies")),
            f"{row['population']:,}",
            money(row.get("top_down_all_bodies_per_head")),
        ]
        if cohort:
            cells += _cohort_cells(row, "top_down_all_bodies")
        cells += [
            short_money(row["spend"]) if row["spend"] is not None else row["spend_status"],
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
            + "; ".join(f"{safe(k['body'])} {short_money(Decimal(k['net']))}" for k in kinds)
            + "."
        )
    partly = topdown.get("partly", [])
    if partly:
        shown = partly[:5]
        out.print(
            f"Serving {safe(subject)} in part but not added above (another theme or unthemed; no "
            "shipped source splits them): "
            + "; ".join(
                f"{safe(p['body'])}: {safe(p['line'])} {short_money(Decimal(p['estimate']))} "
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


def _cohort_cells(row: dict[str, Any], spend: str) -> list[str]:
    """Return the cohort's population and the ``spend`` per head of it, for a table row."""
    people = row.get("cohort_population")
    return [
        f"{people:,}" if people is not None else "—",
        money(row.get(f"{spend}_cohort_per_head")),
    ]


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
