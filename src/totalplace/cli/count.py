"""``totalplace count``: the place count by partner, theme and financial year, with its layers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, YearOpt, export_option, flag
from totalplace.cli.output import emit_json, err, money, new_table, out, safe, say_exported
from totalplace.cli.support import (
    check_choice,
    check_year,
    check_year_format,
    export_rows,
    failing,
    is_user_error,
    load,
)

__all__ = ["count_command"]


def count_command(
    year: YearOpt = None,
    export: Annotated[
        Path | None, export_option("the whole count (with --by ward: the ward count)")
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by", help="'partner' (default) or 'ward' (the count apportioned to wards)."
        ),
    ] = "partner",
    with_layers: Annotated[
        bool,
        flag(
            "--layers/--no-layers",
            "Also show the layers: loaded actual, apportioned and top-down estimates.",
        ),
    ] = True,
    annualise: Annotated[
        bool,
        flag(
            "--annualise",
            "Also show part years scaled to 12 months (× 12 / months loaded): an estimate, "
            "labelled as such, never the count.",
        ),
    ] = False,
    driver: Annotated[
        str,
        typer.Option(
            "--driver",
            help="'declared' (default: each partner as place.toml says) or 'nhs-need': also show "
            "every NHS partner apportioned by NHS England's weighted populations beside its "
            "population share (the count itself stays as declared).",
        ),
    ] = "declared",
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Count all spending in the place by partner, theme and financial year, with per-head figures."""
    from totalplace.cli.count_extras import export_extras, print_need, print_pooled
    from totalplace.cli.wards import ward_count_command
    from totalplace.count import count
    from totalplace.count.months import month_label
    from totalplace.count.need import need_comparison
    from totalplace.count.pooled import declared, pooled
    from totalplace.years import default_year, year_label

    check_choice(by, ("partner", "ward"), "--by value", as_json)
    check_choice(driver, ("declared", "nhs-need"), "--driver value", as_json)
    year = check_year_format(year, as_json)
    ws = load(workspace, as_json, export)
    with failing(as_json):
        declared(ws)  # a fault in pooled_budgets.toml stops before anything is written
        result = count(ws)
        shared = pooled(ws)
        compared = need_comparison(ws, result, every_nhs_partner=driver == "nhs-need")
    if by == "ward":
        ward_count_command(year=year, export=export, workspace=workspace, as_json=as_json)
        return
    year = check_year(year, (r["financial_year"] for r in result.rows), as_json)
    written = export_rows(result.rows, export, as_json, sheet="count")
    written = export_extras(written, result.rows, shared.rows, compared, as_json)
    layered, problem = _layers_or_problem(ws, year) if with_layers else (None, None)
    if as_json:
        document = of_year(result.as_json(), year)
        document["pooled"] = of_year(shared.as_json(), year)
        document["nhs_need"] = of_year({"rows": compared}, year)["rows"]
        if layered is not None:
            document["layers"] = layered.as_json()
        elif problem is not None:
            document["layers"] = None
            document["layers_not_shown"] = problem
        emit_json(document, written)
        return
    shown = year or year_label(default_year(result.rows))
    rows = [r for r in result.rows if r["financial_year"] == shown]
    total = next((t for t in result.by_year if t["financial_year"] == shown), None)
    by_partner: dict[str, dict[str, Any]] = {}
    by_theme: dict[str, Any] = {}
    for r in rows:
        item = by_partner.setdefault(
            r["partner"], {**r, "gross_amount": 0, "transfers_excluded": 0, "counted_amount": 0}
        )
        for key in ("gross_amount", "transfers_excluded", "counted_amount"):
            item[key] += r[key]
        by_theme[r["theme"]] = by_theme.get(r["theme"], 0) + r["counted_amount"]
    title = (
        f"{safe(ws.place.name)} ({safe(ws.place.code)}): public spending counted, "
        f"financial year {safe(shown)}"
    )
    partners = new_table(
        title,
        (
            "Partner",
            "Method",
            "Spend in ledger",
            "Paid to partners",
            "Passed on",
            "Place share",
            "Counted",
            "Per head",
            "Months loaded",
            *(["Annualised (estimate)"] if annualise else []),
        ),
        words=("Partner", "Method", "Months loaded"),
    )
    for r in by_partner.values():
        k = int(r["months_loaded"] or 0)
        scaled = (
            [
                money(r["counted_amount"])
                if k >= 12
                else f"{money(r['counted_amount'] * 12 / k)} (× 12 / {k})"
                if k
                else "—"
            ]
            if annualise
            else []
        )
        partners.add_row(
            safe(r["partner_name"]),
            safe(r["method"]),
            money(r["gross_amount"]),
            money(r["to_partners"]),
            money(r["transfers_excluded"] - r["to_partners"]),
            f"{r['share'] * 100:.2f}%",
            money(r["counted_amount"]),
            money(r["counted_amount"] / r["population"]),
            safe(month_label(k, r["months_in_year"] or "") if k else "no date"),
            *scaled,
        )
    if total:
        partners.add_section()
        partners.add_row(
            "[bold]All partners[/]",
            "",
            "",
            "",
            "",
            "",
            f"[bold]{money(total['counted_amount'])}[/]",
            f"[bold]{money(total['per_head'])}[/]",
            "part year" if "annualised_amount" in total else "",
            *(
                [money(total.get("annualised_amount", total["counted_amount"]))]
                if annualise
                else []
            ),
        )
    out.print(partners)
    if total and "annualised_amount" in total:
        out.print(
            f"[yellow]{safe(total['months_note'][:1].upper() + total['months_note'][1:])}[/]. "
            "The counted and per-head "
            "figures are for the months loaded, not a whole year."
        )
        if annualise:
            out.print(
                f"[dim]Annualised: {money(total['annualised_amount'])}, "
                f"{money(total['annualised_per_head'])} per head — "
                f"{safe(total['annualised_how'])}.[/]"
            )
    themes = new_table(
        f"By theme, {safe(shown)}", ("Theme", "Counted", "Per head", "Share of count")
    )
    for theme, amount in sorted(by_theme.items(), key=lambda kv: -kv[1]):
        share = amount / total["counted_amount"] * 100 if total and total["counted_amount"] else 0
        themes.add_row(
            safe(theme),
            money(amount),
            money(amount / (total or {}).get("population", 1)),
            f"{share:.1f}%",
        )
    out.print(themes)
    if total:
        out.print(f"Population {total['population']:,} (ONS mid-year estimate).")
    for r in {r["partner"]: r for r in rows if r["method"] != "actual"}.values():
        out.print(f"[dim]{safe(r['partner_name'])}: {safe(r['driver'])}.[/]")
    for note in result.notes:
        out.print(f"[yellow]Coverage:[/] {safe(note)}")
    print_need([c for c in compared if c["financial_year"] == shown])
    print_pooled(shared, shown)
    if layered is not None:
        _print_layers(layered)
    bad = [r for r in result.reconciliation if not r["reconciles"]]
    out.print(
        "[green]Reconciled:[/] every partner's counted lines add up to what was imported, to the penny."
        if not bad
        else f"[red]Does not reconcile:[/] {safe(', '.join(r['partner'] for r in bad))}"
    )
    say_exported(written, "the whole count")


def of_year(document: dict[str, Any], year: str | None) -> dict[str, Any]:
    """Return the count's JSON document with only financial year ``year`` (all years if None).

    Every list of rows that carry a ``financial_year`` keeps the rows of that year and
    the document says which year it holds; per-partner lists without a year (the
    reconciliation of the whole ledger, undated lines) and notes are kept whole.
    """
    if year is None:
        return document
    kept: dict[str, Any] = {"financial_year": year}
    for key, value in document.items():
        if isinstance(value, list) and any(
            isinstance(row, dict) and "financial_year" in row for row in value
        ):
            value = [row for row in value if row.get("financial_year") == year]
        kept[key] = value
    return kept


def _layers_or_problem(ws: Any, year: str | None) -> tuple[Any, str | None]:
    """Return the count's layers with top-down estimates, or None and why they cannot be made.

    Top-down is an extra view: the count stands without it, but the reason (a broken
    ``topdown_themes.toml``, say) is said on stderr and in the JSON document. A bug is
    not a reason: it reaches the top-level handler and its log.
    """
    from totalplace.coverage import layers

    try:
        return layers(ws, year), None
    except Exception as exc:
        if not is_user_error(exc):
            raise
        err.print(f"[yellow]Top-down layer not shown:[/] {safe(exc)}")
        return None, str(exc)


def _print_layers(layered: Any) -> None:
    table = new_table(
        f"Layers of the count ({safe(layered.financial_year)}): never silently added",
        ("Layer", "Amount", "Year", "Method", "Confidence", "Bodies"),
        figures=("Amount",),
    )
    for layer in layered.layers:
        table.add_row(
            safe(layer.name),
            money(layer.amount),
            safe(layer.financial_year),
            safe(layer.method),
            safe(layer.confidence),
            safe(", ".join(layer.bodies)),
        )
    table.add_section()
    table.add_row("[bold]Total[/]", f"[bold]{money(layered.total)}[/]", "", "", "", "")
    out.print(table)
    out.print(f"[dim]{safe(layered.total_note())}. See 'totalplace coverage' for every body.[/]")
