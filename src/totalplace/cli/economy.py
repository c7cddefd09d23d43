"""``totalplace economy``: the local share of spend with suppliers, LM3, and the jobs behind a cut.

It parses its options, calls :func:`totalplace.economy.economy` (or, with
``--template``, :func:`totalplace.economy.write_location_template`) and renders the
result as Rich tables or one JSON document.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, export_option, year_option
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import check_year_format, export_rows, fail, failing, load

__all__ = ["economy_command"]


def _amount(text: str | None, as_json: bool) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value >= Decimal("1e13"):
        fail(
            f"--cut {text!r} is not an amount of pounds above 0, e.g. 1000000 or 1,000,000", as_json
        )
    return value


def economy_command(
    year: Annotated[str | None, year_option("every year, the latest shown")] = None,
    cut: Annotated[
        str | None,
        typer.Option(
            "--cut",
            help="An amount of pounds cut (or shifted) from a partner's spend: show the jobs, "
            "income and output it affects (needs --partner; --theme or --category narrow it).",
        ),
    ] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="The partner whose spend --cut falls on.")
    ] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", help="The theme the cut falls on (default: all).")
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="The procurement category the cut falls on."),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            help="Write the supplier-location file to fill in (suppliers by spend, empty "
            "postcode / district / local cells) to this CSV and stop. Save it as "
            "supplier_locations.csv in the workspace.",
            dir_okay=False,
        ),
    ] = None,
    export: Annotated[
        Path | None, export_option("the local share by partner, year and status")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """The local economy: spend with suppliers in the place, LM3, and the jobs behind a cut."""
    from totalplace.economy import Cut, economy, write_location_template

    year = check_year_format(year, as_json)
    amount = _amount(cut, as_json)
    if amount is not None and partner is None:
        fail("--cut needs --partner: the partner whose spend is cut", as_json)
    if amount is None and (partner or theme or category):
        fail("--partner, --theme and --category go with --cut AMOUNT", as_json)
    ws = load(workspace, as_json, export)
    if template is not None:
        if template.suffix.lower() != ".csv":
            fail(f"--template {template.name}: write it as a .csv file", as_json)
        with failing(as_json):
            path, n = write_location_template(ws, template, year)
        if as_json:
            emit_json({"template": str(path), "suppliers": n})
        else:
            out.print(
                f"Wrote {n} suppliers to {safe(path)}: fill in postcode, district or local, "
                "and save it as supplier_locations.csv in the workspace."
            )
        return
    plan = Cut(partner or "", amount, theme, category) if amount is not None else None
    with failing(as_json):
        result = economy(ws, year, plan)
    written = export_rows(result.local_share, export, as_json, "local_share")
    if as_json:
        emit_json(result.as_json(), written)
        return
    _print(result)
    say_exported(written, "the local share")


def _print(result: Any) -> None:
    from totalplace.economy.run import year_shown

    shown = year_shown(result)
    names = result.place["partner_names"]
    table = new_table(
        f"{safe(result.place['name'])}: spend with suppliers by where they are, {safe(shown)} "
        "(place amounts)",
        ["Partner", "Local", "Not local", "Unknown", "Local share"],
    )
    by_partner: dict[str, dict[str, Decimal]] = {}
    for row in result.local_share:
        if row["financial_year"] == shown:
            by_partner.setdefault(row["partner"], {})[row["status"]] = row["place_amount"]
    for slug, amounts in by_partner.items():
        total = sum(amounts.values(), Decimal(0))
        local = amounts.get("local", Decimal(0))
        table.add_row(
            safe(names.get(slug, slug)),
            money(local),
            money(amounts.get("not local", Decimal(0))),
            money(amounts.get("unknown", Decimal(0))),
            f"{local / total * 100:.1f}%" if total else "—",
        )
    out.print(table)
    methods = new_table(
        f"How the {result.suppliers} suppliers were located",
        ["Status", "Method", "Confidence", "Suppliers", "Spend (ledgers)"],
        words=("Status", "Method", "Confidence"),
    )
    for row in result.methods:
        methods.add_row(
            row["status"],
            safe(row["method"]),
            row["confidence"] or "—",
            str(row["suppliers"]),
            money(row["spend"]),
        )
    out.print(methods)
    if shown in result.lm3:
        _print_lm3(result.lm3[shown], shown)
    if result.jobs is not None:
        _print_jobs(result.jobs)
    for note in result.notes:
        out.print(f"Note: {safe(note)}")


def _print_lm3(value: Any, year: str | None) -> None:
    i = value.inputs
    table = new_table(
        f"LM3 (nef), {safe(year)}", ["Round", "Amount", "What"], words=("Round", "What")
    )
    table.add_row("R1", money(value.r1), "spend with suppliers (and staff pay, if given)")
    table.add_row("R2", money(value.r2), "spent with local suppliers (and local staff)")
    table.add_row(
        "R3",
        money(value.r3),
        f"re-spent locally: local suppliers {i['respend_local_suppliers']}, non-local "
        f"{i['respend_non_local_suppliers']}, staff {i['respend_staff']}",
    )
    table.add_row("LM3", str(value.lm3 or "—"), "(R1 + R2 + R3) / R1; unknown as not local")
    table.add_row("LM3", str(value.lm3_if_unknown_local or "—"), "if every unknown were local")
    out.print(table)
    out.print(f"Re-spend rates: {safe(i['respend_source'])}")


def _print_jobs(jobs: Any) -> None:
    table = new_table(
        f"Jobs behind a cut of {money(jobs.amount)} from {safe(jobs.partner)}"
        + (f", theme {safe(jobs.theme)}" if jobs.theme else "")
        + (f", category {safe(jobs.category)}" if jobs.category else ""),
        ["Sector", "Cut", "Local part", "Direct jobs", "Total jobs", "Local income", "Output"],
    )
    for row in jobs.by_sector:
        table.add_row(
            f"{row['section']} {safe(row['sector'])}",
            money(row["amount"]),
            money(row["local_amount"]),
            f"{row['direct_jobs']:.2f}",
            f"{row['total_jobs']:.2f}",
            money(row["local_income"]),
            money(row["output"]),
        )
    table.add_row(
        "All sectors",
        money(jobs.amount),
        money(jobs.local_amount),
        f"{jobs.direct_jobs:.2f}",
        f"{jobs.total_jobs:.2f}",
        money(jobs.local_income),
        money(jobs.output),
    )
    out.print(table)
    for note in jobs.notes:
        out.print(f"Note: {safe(note)}")
