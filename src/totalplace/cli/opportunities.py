"""``totalplace opportunities``: savings from working together.

It parses its options, calls
:func:`totalplace.opportunities.opportunities` and renders the result (Rich tables,
a short summary with ``--summary``, or one JSON document with ``--json``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from totalplace.cli.options import (
    JsonOpt,
    WorkspaceOpt,
    export_option,
    flag,
    top_option,
    year_option,
)
from totalplace.cli.output import emit_json, money, new_table, out, safe
from totalplace.cli.support import (
    check_export,
    check_year,
    check_year_format,
    fail,
    failing,
    load,
    writing,
)
from totalplace.years import default_year, year_label

__all__ = ["opportunities_command", "print_summary"]


def opportunities_command(
    year: Annotated[
        str | None,
        year_option("every year in the tables; the terminal shows the latest all partners cover"),
    ] = None,
    back_office_saving: Annotated[
        float | None,
        typer.Option(
            "--back-office-saving",
            help="Saving rate if back offices were shared, e.g. 0.15 for 15%, applied to every "
            "function (default: the cited benchmarks in the assumptions file).",
        ),
    ] = None,
    procurement_saving: Annotated[
        float | None,
        typer.Option(
            "--procurement-saving",
            help="Saving rate from buying shared categories together, e.g. 0.08 (default: the "
            "cited benchmarks).",
        ),
    ] = None,
    top: Annotated[int, top_option("rows of each table")] = 10,
    summary: Annotated[
        bool, flag("--summary", "Show only the opportunity summary and top shared suppliers.")
    ] = False,
    export: Annotated[
        Path | None,
        export_option(
            "every table",
            "to one .xlsx workbook (a sheet each), or one .csv or .parquet file per table "
            "(NAME_procurement.csv, ...)",
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Find savings from working together: shared back offices, joint buying, shared suppliers, themes."""
    from totalplace.opportunities import (
        load_assumptions,
        opportunities,
        rate_overrides,
    )
    from totalplace.opportunities.export import export_opportunities

    year = check_year_format(year, as_json)
    check_export(export, as_json)
    for option, rate in (
        ("--back-office-saving", back_office_saving),
        ("--procurement-saving", procurement_saving),
    ):
        if rate is not None and not 0 <= rate <= 1:
            fail(
                f"{option} {rate:g} is not between 0 and 1 (a fraction: "
                f"{rate / 100:g} for {rate:g}%)",
                as_json,
            )
    ws = load(workspace, as_json)
    with failing(as_json):
        assumptions = load_assumptions(
            ws, rate_overrides(back_office=back_office_saving, procurement=procurement_saving)
        )
        result = opportunities(ws, year, assumptions=assumptions)
    if year is not None:
        year = check_year(year, (row["financial_year"] for row in result.partner_totals), as_json)
    written: list[Path] = []
    if export is not None:
        with writing(export, as_json):
            written = export_opportunities(ws, export)
    if as_json:
        document = result.as_json()
        if written:
            document["exported_to"] = [str(p) for p in written]
        emit_json(document)
        return
    shown = year_to_show(result)
    if summary:
        print_summary(result, shown, top=min(top, 5))
    else:
        _print_all(result, shown, top)
    if written:
        out.print("Exported to " + safe(", ".join(str(p) for p in written)) + ".")


def year_to_show(result: Any) -> str | None:
    """Return the financial year to display (:func:`totalplace.years.default_year`; None: no rows)."""
    return year_label(default_year(result.partner_totals)) if result.partner_totals else None


def _short(value: Decimal | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f}m"
    if abs(value) >= 1_000:
        return f"£{value / 1_000:,.0f}k"
    return f"£{value:,.0f}"


def _range(item: dict[str, Any], prefix: str = "") -> str:
    return f"{_short(item[prefix + 'saving_low'])}–{_short(item[prefix + 'saving_high'])}"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _rate(value: Decimal) -> str:
    return f"{format((value * 100).normalize(), 'f')}%"


def print_summary(result: Any, year: str | None, top: int = 5) -> None:
    """Print the opportunity summary of one year and its top shared suppliers (used by make demo)."""
    item = next((s for s in result.summary() if s["financial_year"] == year), None)
    if item is None:
        out.print("No counted spending to look for opportunities in.")
        return
    place = safe(result.place["name"])
    table = Table(
        title=f"{place}: opportunities from working together, financial year {safe(year)} "
        f"({safe(item['saving_on'])})"
    )
    for column in (
        "Opportunity",
        "What",
        "Spend (ledgers)",
        "Saving on it (central)",
        "Range",
        "Spend in the place",
        "Saving in the place (central)",
    ):
        table.add_column(
            column,
            justify="left" if column in ("Opportunity", "What") else "right",
            no_wrap=column == "Opportunity",
        )
    back, proc = item["back_office"], item["procurement"]
    # Each saving sits beside the spend it is a rate of: ledger savings on ledger
    # spend, place savings on the place's part (never a ledger saving beside place spend).
    saved = (
        ("Shared back office", f"{_percent(back['share_of_spend'])} of counted spend", back),
        (
            "Collaborative procurement",
            f"{proc['shared_categories']} categories, "
            f"≥ {result.assumptions.procurement_min_partners} partners",
            proc,
        ),
    )
    for name, what, saving in saved:
        table.add_row(
            name,
            what,
            money(saving["saving_base"]),
            money(saving["saving_central"]),
            _range(saving),
            money(saving["place_saving_base"]),
            money(saving["place_saving_central"]),
        )
    shared = item["shared_suppliers"]
    table.add_row(
        "Shared suppliers",
        f"{shared['suppliers']} suppliers, ≥ {result.assumptions.shared_min_partners} partners"
        if shared["available"]
        else "no register yet",
        money(shared["amount"]) if shared["available"] else "—",
        "not estimated",
        "",
        money(shared["place_amount"]) if shared["available"] else "—",
        "",
    )
    frag = item["fragmentation"]
    table.add_row(
        "Fragmentation",
        f"{frag['themes_served_by_all_partners']} of {frag['themes']} themes: all partners",
        money(item["counted_spend"]["amount"]),
        "",
        "",
        money(item["counted_spend"]["place_amount"]),
        "",
    )
    out.print(table)
    _print_shared(result, year, top)
    out.print(
        "[dim]Savings are benchmark rates × the spend beside them (see the assumptions file): "
        "ledger savings on the partners' whole ledgers, place savings on the part of them "
        "counted in the place; back-office and procurement savings overlap, so they are not "
        "added together.[/]"
    )
    saving_on = safe(item["saving_on"])
    out.print(
        f"[yellow]Months:[/] {saving_on}."
        if saving_on != "saving on 12 months of spend"
        else f"[dim]Months: {saving_on}.[/]"
    )


def _print_shared(result: Any, year: str | None, top: int) -> None:
    if not result.register:
        out.print(
            "[yellow]Shared suppliers:[/] the supplier register has not been built; run "
            "'totalplace link', then 'totalplace opportunities'."
        )
        return
    rows = result.top_shared_suppliers(top, year, kinds=("organisation",))
    table = new_table(
        f"Top shared suppliers (organisations), {safe(year)}",
        ("Supplier", "Kind", "Partners", "Paid by", "Spend (ledgers)", "Lines"),
        figures=("Partners", "Spend (ledgers)", "Lines"),
    )
    for row in rows:
        table.add_row(
            safe(row["supplier_name"] or row["supplier_id"]),
            safe(row["kind"]),
            str(row["partners"]),
            safe(row["partner_list"]),
            money(row["amount"]),
            f"{row['lines']:,}",
        )
    if rows:
        out.print(table)
    else:
        out.print(f"No organisation was paid by several partners in {year}.")
    public = len(result.top_shared_suppliers(0, year, kinds=("public body",)))
    if public:
        out.print(
            f"[dim]{public} public bodies are also paid by several partners (for services, "
            "not purchases): see --json or --export.[/]"
        )


def _print_all(result: Any, year: str | None, top: int) -> None:
    print_summary(result, year, top=top)
    _print_back_office(result, year)
    _print_procurement(result, year, top)
    _print_fragmentation(result, year)
    bench = new_table(
        "Benchmarks used (change them in assumptions.toml or with --*-saving)",
        ("Benchmark", "Low", "Central", "High", "Source"),
        figures=("Low", "Central", "High"),
    )
    for b in result.assumptions.benchmarks():
        bench.add_row(safe(b.key), _rate(b.low), _rate(b.central), _rate(b.high), safe(b.source))
    out.print(bench)
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {safe(note)}")


def _print_back_office(result: Any, year: str | None) -> None:
    rows = result.back_office_by_partner(year)
    functions = [f["function"] for f in result.back_office_by_function(year)]
    table = Table(
        title=f"Back office by partner, {safe(year)} (ledger spend; saving at the benchmark on "
        "the same ledger spend)"
    )
    table.add_column("Partner")
    for name in (
        *functions,
        "Back office (ledger)",
        "Share of spend",
        "Saving on ledger (central)",
        "Months of spend",
        "In the place",
        "Saving in the place (central)",
    ):
        table.add_column(safe(name), justify="right")
    for row in rows:
        table.add_row(
            safe(row["partner_name"]),
            *[
                _short(row["by_function"].get(f)) if f in row["by_function"] else "—"
                for f in functions
            ],
            _short(row["amount"]),
            _percent(row["share_of_spend"]),
            _short(row["saving_central"]),
            str(row["months_loaded"]) if row["months_loaded"] else "—",
            _short(row["place_amount"]),
            _short(row["place_saving_central"]),
        )
    out.print(table)


def _reach(row: dict[str, Any]) -> list[str]:
    """Return the Partners, Suppliers and Lines cells of a category's or a theme's row."""
    return [str(row["partners"]), f"{row['suppliers']:,}", f"{row['lines']:,}"]


def _print_procurement(result: Any, year: str | None, top: int) -> None:
    rows = result.top_categories(top, year)
    table = new_table(
        f"Categories bought by several partners, {safe(year)} (top {top} by spend)",
        (
            "Category",
            "Partners",
            "Suppliers",
            "Lines",
            "Median payment",
            "Spend (ledgers)",
            "Saving on ledgers (central)",
            "Range",
        ),
    )
    for row in rows:
        table.add_row(
            safe(row["category"])
            if row["influenceable"]
            else f"{safe(row['category'])} [dim](not influenceable)[/]",
            *_reach(row),
            money(row["median_payment"]),
            money(row["amount"]),
            money(row["saving_central"]),
            _range(row) if row["influenceable"] else "—",
        )
    out.print(table)


def _print_fragmentation(result: Any, year: str | None) -> None:
    rows = [r for r in result.fragmentation if r["financial_year"] == year]
    table = new_table(
        f"Who serves each theme, {safe(year)}",
        (
            "Theme",
            "Partners",
            "Suppliers",
            "Lines",
            "Spend (ledgers)",
            "In the place",
            "Largest partner's share",
        ),
    )
    for row in rows:
        table.add_row(
            safe(row["theme"]),
            *_reach(row),
            money(row["amount"]),
            money(row["place_amount"]),
            _percent(row["largest_partner_share"]),
        )
    out.print(table)
