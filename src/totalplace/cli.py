"""The ``totalplace`` command line: a thin layer that parses, calls one library function, renders.

Every command acts on the workspace in the current folder or the one named by
``--workspace``; every command takes ``--json`` and then prints one JSON document.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from totalplace.cli_support import (
    EXIT_BAD_INPUT,
    ExportOpt,
    JsonOpt,
    SafeGroup,
    WorkspaceOpt,
    check_choice,
    check_export,
    check_year,
    check_year_format,
    emit_json,
    err,
    export_rows,
    fail,
    handle_exception,
    load,
    money,
    out,
    progress,
    safe,
)
from totalplace.warehouse import commits_in_this_process
from totalplace.workspace import (
    SECTORS,
    Partner,
    WorkspaceError,
    add_partner,
    describe_place,
    init_workspace,
    open_workspace,
)
from totalplace.years import default_year, year_label

app = typer.Typer(
    cls=SafeGroup,  # one top-level handler: no traceback ever reaches a user
    help="Count every pound of public money spent in a place, across every body that serves it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
partner_app = typer.Typer(
    help="List and add the bodies that serve the place.", no_args_is_help=True
)
app.add_typer(partner_app, name="partner")


def _asks_in_terminal() -> bool:
    """Return True when init may prompt for the place (stdin and stdout are a terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@app.command()
def init(
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
    as_json: JsonOpt = False,
) -> None:
    """Make a workspace: a commented place.toml and the .totalplace/ state folder."""
    if place is None:
        if as_json or not _asks_in_terminal():
            fail(
                "no place given: pass --place CODE with the place's ONS code, e.g. "
                "--place E07000120 for Hyndburn, E10000017 for Lancashire, E11000001 for "
                "Greater Manchester.",
                as_json,
            )
        place = typer.prompt(
            "ONS code of the place (e.g. E07000120 Hyndburn, E11000001 Greater Manchester)"
        )
    try:
        path = init_workspace(directory, place, name, population_year)
        summary = describe_place(open_workspace(directory).place)
    except WorkspaceError as exc:
        fail(exc, as_json)
    if as_json:
        emit_json(
            {
                "workspace": str(directory.resolve()),
                "place_file": str(path),
                "place": {
                    "code": summary.code,
                    "name": summary.name,
                    "kind": summary.kind,
                    "districts": list(summary.districts),
                    "wards": list(summary.wards),
                    "population": summary.population,
                    "population_year": summary.population_year,
                },
            }
        )
    else:
        out.print(safe(summary.text()), highlight=False)
        out.print(
            f"Created {safe(str(path))}. Next: [bold]totalplace partner add[/] or "
            "[bold]totalplace import[/]."
        )


@partner_app.command("add")
def partner_add(
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
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Add a partner to place.toml."""
    ws = load(workspace, as_json)
    partner = Partner(
        name=name,
        sector=sector,
        areas=tuple(area or ()),
        fy_start_month=fy_start_month,
        sources=tuple(source or ()),
        aliases=tuple(alias or ()),
    )
    try:
        partner = add_partner(ws, partner)
    except WorkspaceError as exc:
        fail(exc, as_json)
    document = _partner_json(partner)
    if as_json:
        emit_json(document)
    else:
        out.print(
            f"Added {partner.name} ({partner.sector}), covering "
            f"{len(partner.districts())} district(s).",
            markup=False,
            highlight=False,
        )


def _partner_json(partner: Partner) -> dict[str, Any]:
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


@partner_app.command("list")
def partner_list(
    export: ExportOpt = None, workspace: WorkspaceOpt = Path("."), as_json: JsonOpt = False
) -> None:
    """List the partners in place.toml."""
    check_export(export, as_json)
    ws = load(workspace, as_json)
    rows = [_partner_json(p) for p in ws.partners]
    written = export_rows(rows, export, as_json, sheet="partners")
    if as_json:
        emit_json(rows)
        return
    table = Table(title=f"Partners serving {safe(ws.place.name)}")
    for column in ("Partner", "Sector", "Districts covered", "Sources"):
        table.add_column(column, overflow="fold")
    for p in ws.partners:
        table.add_row(
            safe(p.name), safe(p.sector), str(len(p.districts())), safe(", ".join(p.sources))
        )
    out.print(table)
    _say_exported(written)


def _readable(file: str) -> str:
    """Return a file's path relative to the current folder when it lies inside it (shorter to read)."""
    path = Path(file)
    try:
        return str(path.relative_to(Path.cwd())) if path.is_absolute() else file
    except ValueError:
        return file


def _say_exported(path: Path | None) -> None:
    if path is not None:
        out.print(f"Exported the table to {safe(path)}.")


@app.command("import")
def import_(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Files to import (default: every partner's sources)."),
    ] = None,
    partner: Annotated[
        str | None, typer.Option(help="Partner the files belong to (added to place.toml if new).")
    ] = None,
    allow_truncated: Annotated[
        bool, typer.Option(help="Load the complete rows of a truncated file; quarantine the rest.")
    ] = False,
    keep: Annotated[
        str | None,
        typer.Option(
            help="When a file re-publishes rows already loaded for its partner: 'new' "
            "replaces the loaded file's rows, 'old' skips the new file, 'both' loads both."
        ),
    ] = None,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Import published spending files: every row loaded or quarantined with a reason."""
    from totalplace.ingest import (
        KEEP_CHOICES,
        ImportFailed,
        NewPartner,
        RepublicationFound,
        import_batches,
    )

    check_export(export, as_json)
    check_choice(keep, KEEP_CHOICES, "--keep choice", as_json)
    ws = load(workspace, as_json)
    if files and not partner:
        fail("say which partner the files belong to: --partner NAME", as_json)
    batches: list[tuple[str, list[Path]]]
    if files:
        batches = [(partner or "", list(files))]
    else:
        if partner and ws.partner(partner) is None:
            check_choice(partner, [p.name for p in ws.partners], "partner", as_json)
        chosen = [ws.partner(partner)] if partner else ws.partners
        batches = [(p.name, ws.source_files(p)) for p in chosen if p is not None]
        if not any(paths for _, paths in batches):
            fail(
                "no files to import: name files, or list sources for partners in place.toml",
                as_json,
            )
    # Asked before the progress bar starts: a prompt under a live display is unreadable.
    answers = {name: _choose_body(name, as_json) for name, _ in batches if ws.partner(name) is None}
    added: list[NewPartner] = []
    with progress(as_json) as bar:
        task = bar.add_task("Importing", total=sum(len(paths) for _, paths in batches))
        advance: Callable[[str], None] = lambda _name: bar.advance(task)  # noqa: E731
        try:
            reports = import_batches(
                ws,
                batches,
                allow_truncated,
                advance,
                keep,
                choose=lambda found: answers.get(found.name),
                on_partner=added.append,
            )
        except WorkspaceError as exc:
            fail(exc, as_json)
        except RepublicationFound as exc:
            fail(exc, as_json, EXIT_BAD_INPUT, [o.as_json() for o in exc.overlaps])
        except ImportFailed as exc:
            details = [
                {"file": p.file, "problem": p.problem, "advice": p.advice} for p in exc.problems
            ]
            for p in exc.problems:
                err.print(
                    f"[bold red]{safe(p.file)}[/]: {safe(p.problem)}.\n"
                    f"  [bold]What to do:[/] {safe(p.advice)}.",
                    highlight=False,
                )
            fail(
                f"{len(exc.problems)} file(s) could not be imported; nothing was stored.",
                as_json,
                EXIT_BAD_INPUT,
                details,
            )
    rows = [
        {
            "partner": r.partner,
            "file": r.file,
            "sheet": r.sheet,
            "status": r.status,
            "rows_read": r.rows_read,
            "rows_loaded": r.rows_loaded,
            "rows_quarantined": r.rows_quarantined,
            "amount_loaded": r.amount_loaded,
            "amount_quarantined": r.amount_quarantined,
            "notes": r.notes,
        }
        for r in reports
    ]
    written = export_rows(rows, export, as_json, sheet="import")
    if as_json:
        document: dict[str, Any] = {"files": [r.as_json() for r in reports]}
        if added:
            document["partners_added"] = [
                {
                    **_partner_json(n.partner),
                    "identified_as": n.body.text() if n.body else None,
                    "message": n.text(),
                }
                for n in added
            ]
        if written is not None:
            document["exported_to"] = str(written)
        emit_json(document)
        return
    table = Table(title="Import")
    for column in (
        "Partner",
        "File",
        "Sheet",
        "Status",
        "Read",
        "Loaded",
        "Quarantined",
        "Amount loaded",
    ):
        numeric = column in ("Read", "Loaded", "Quarantined", "Amount loaded")
        # Long names wrap rather than being cut, so files that differ at the end stay apart.
        table.add_column(
            column, justify="right" if numeric else "left", overflow="fold", no_wrap=numeric
        )
    for r in reports:
        table.add_row(
            safe(r.partner),
            safe(_readable(r.file)),
            safe(r.sheet),
            safe(r.status),
            f"{r.rows_read:,}",
            f"{r.rows_loaded:,}",
            f"{r.rows_quarantined:,}",
            money(r.amount_loaded),
        )
    out.print(table)
    for r in reports:
        for note in r.notes:
            where = safe(_readable(r.file)) + (f" \\[{safe(r.sheet)}]" if r.sheet else "")
            err.print(f"[yellow]Note[/] {where}: {safe(note)}", highlight=False)
    for n in added:
        if n.body is not None:
            out.print(safe(n.text()), highlight=False)
        else:
            err.print(f"[bold yellow]Warning:[/] {safe(n.text())}", highlight=False)
    _say_exported(written)


def _choose_body(name: str, as_json: bool) -> Any:
    """Return the body a new partner's name is, asked in a terminal when several fit; else None."""
    from totalplace.identify import identify_body

    found = identify_body(name)
    if found.body is not None or not found.candidates or as_json or not _asks_in_terminal():
        return None
    err.print(f"[bold]{safe(name)}[/] may be one of these bodies:", highlight=False)
    for number, candidate in enumerate(found.candidates, start=1):
        err.print(f"  {number}. {safe(candidate.text())} ({candidate.sector})", highlight=False)
    err.print("  0. none of them: add it with sector 'unknown'", highlight=False)
    while True:
        choice = typer.prompt("Which is it (number)", type=int, default=0)
        if 0 <= choice <= len(found.candidates):
            return found.candidates[choice - 1] if choice else None
        err.print(f"Type a number from 0 to {len(found.candidates)}.")


@app.command("classify")
def classify_(
    report: Annotated[
        bool,
        typer.Option(
            "--report", help="Show coverage by amount and the largest unclassified lines."
        ),
    ] = False,
    top: Annotated[
        int, typer.Option(min=1, max=10_000, help="How many unclassified groups to list.")
    ] = 15,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Tag every line with CIPFA subjective group, front/back office, theme and transfer kind."""
    from totalplace.classify import RulesError, classify, coverage

    check_export(export, as_json)
    ws = load(workspace, as_json)
    try:
        result = classify(ws)
        detail = coverage(ws, top) if report or as_json else None
    except (RulesError, WorkspaceError) as exc:
        fail(exc, as_json)
    written = export_rows(
        [
            {
                "dimension": name,
                "classified": dim.classified.gross,
                "unclassified": dim.unclassified.gross,
                "share": dim.share,
            }
            for name, dim in result.coverage.items()
        ],
        export,
        as_json,
        sheet="classify",
    )
    if as_json:
        emit_json(
            {
                "lines": result.rows,
                "rules": result.rules,
                "disabled": list(result.disabled),
                "workspace_rules": str(result.workspace_rules) if result.workspace_rules else None,
                "coverage": detail,
                **({"exported_to": str(written)} if written else {}),
            }
        )
        return
    table = Table(title=f"Classified {result.rows:,} lines with {result.rules} rules")
    for column in ("Dimension", "Classified", "Unclassified", "Share of spend classified"):
        table.add_column(column, justify="left" if column == "Dimension" else "right")
    for name, dim in result.coverage.items():
        table.add_row(
            name,
            money(dim.classified.gross),
            money(dim.unclassified.gross),
            "—" if dim.share is None else f"{dim.share * 100:.1f}%",
        )
    out.print(table)
    out.print("[dim]Amounts are gross (absolute values), so refunds do not hide spend.[/]")
    _say_exported(written)
    if detail is None:
        out.print("Run with --report for the largest unclassified lines.")
        return
    for name, entry in detail["dimensions"].items():
        gaps = entry.get("largest_unclassified") or []
        if not gaps:
            continue
        gap_table = Table(title=f"Largest unclassified lines: {safe(name)}")
        for column in ("Partner", "Expense type", "Service area", "Purpose", "Lines", "Amount"):
            gap_table.add_column(
                column, justify="right" if column in ("Lines", "Amount") else "left"
            )
        for gap in gaps:
            gap_table.add_row(
                safe(gap.get("partner")),
                safe(gap.get("expense_type")),
                safe(gap.get("service_area")),
                safe(str(gap.get("purpose") or "")[:40]),
                f"{gap.get('rows', 0):,}",
                money(Decimal(str(gap.get("gross", gap.get("amount", 0))))),
            )
        out.print(gap_table)


@app.command("count")
def count_(
    year: Annotated[
        str | None,
        typer.Option(
            help="Financial year to show, e.g. 2024-25 (default: latest all partners cover)."
        ),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Also write the whole count (with --by ward: the ward count) to a .csv, .xlsx "
            "or .parquet file.",
            dir_okay=False,
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by", help="'partner' (default) or 'ward' (the count apportioned to wards)."
        ),
    ] = "partner",
    with_layers: Annotated[
        bool,
        typer.Option(
            "--layers/--no-layers",
            help="Also show the layers: loaded actual, apportioned and top-down estimates.",
        ),
    ] = True,
    annualise: Annotated[
        bool,
        typer.Option(
            "--annualise",
            help="Also show part years scaled to 12 months (× 12 / months loaded): an estimate, "
            "labelled as such, never the count.",
        ),
    ] = False,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Count all spending in the place by partner, theme and financial year, with per-head figures."""
    from totalplace.count import CountError, count
    from totalplace.count.months import month_label
    from totalplace.needs.commands import ward_count_command

    check_choice(by, ("partner", "ward"), "--by value", as_json)
    year = check_year_format(year, as_json)
    check_export(export, as_json)
    ws = load(workspace, as_json)
    if by == "ward":
        try:
            count(ws)
        except (CountError, WorkspaceError) as exc:
            fail(exc, as_json)
        ward_count_command(year=year, export=export, workspace=workspace, as_json=as_json)
        return
    try:
        result = count(ws)
    except (CountError, WorkspaceError) as exc:
        fail(exc, as_json)
    year = check_year(year, (r["financial_year"] for r in result.rows), as_json)
    written = export_rows(result.rows, export, as_json, sheet="count")
    layered = _layers_or_none(ws, year) if with_layers else None
    if as_json:
        document = result.as_json()
        if written is not None:
            document["exported_to"] = str(written)
        if layered is not None:
            document["layers"] = layered.as_json()
        emit_json(document)
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
    partners = Table(title=title)
    for column in (
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
    ):
        partners.add_column(
            column, justify="left" if column in ("Partner", "Method", "Months loaded") else "right"
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
    themes = Table(title=f"By theme, {safe(shown)}")
    for column in ("Theme", "Counted", "Per head", "Share of count"):
        themes.add_column(column, justify="left" if column == "Theme" else "right")
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
    if layered is not None:
        _print_layers(layered)
    bad = [r for r in result.reconciliation if not r["reconciles"]]
    out.print(
        "[green]Reconciled:[/] every partner's counted lines add up to what was imported, to the penny."
        if not bad
        else f"[red]Does not reconcile:[/] {safe(', '.join(r['partner'] for r in bad))}"
    )
    if written is not None:
        out.print(f"Exported the whole count to {safe(written)}.")


def _layers_or_none(ws: Any, year: str | None) -> Any:
    """Return the count's layers with top-down estimates, or None where they cannot be made."""
    from totalplace.coverage import layers

    try:
        return layers(ws, year)
    except Exception as exc:  # top-down is an extra view: the count stands without it
        err.print(f"[yellow]Top-down layer not shown:[/] {safe(exc)}")
        return None


def _print_layers(layered: Any) -> None:
    table = Table(
        title=f"Layers of the count ({safe(layered.financial_year)}): never silently added"
    )
    for column in ("Layer", "Amount", "Year", "Method", "Confidence", "Bodies"):
        table.add_column(column, justify="right" if column == "Amount" else "left")
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


def _register_stage_commands() -> None:
    """Attach the commands that live beside their stage (thin wrappers over each stage)."""
    from totalplace.check_command import check_command
    from totalplace.coverage.commands import coverage_command, outturn_command
    from totalplace.link.commands import link_command
    from totalplace.link.review import link_review_command
    from totalplace.needs.commands import (
        compare_command,
        reference_load_command,
        ward_count_command,
        wards_command,
    )
    from totalplace.opportunities.commands import opportunities_command

    app.command("link")(link_command)
    app.command("link-review")(link_review_command)
    app.command("opportunities")(opportunities_command)
    app.command("coverage")(coverage_command)
    app.command("outturn")(outturn_command)
    app.command("count-wards")(ward_count_command)
    app.command("compare")(compare_command)
    app.command("wards")(wards_command)
    reference_app = typer.Typer(help="Load newer reference files of the published layouts.")
    reference_app.command("load")(reference_load_command)
    app.add_typer(reference_app, name="reference")
    app.command("check")(check_command)


_register_stage_commands()


def main() -> None:
    """Run the CLI (the ``totalplace`` entry point); nothing escapes as a traceback."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    start = commits_in_this_process()
    try:
        app()
    except (Exception, KeyboardInterrupt) as exc:  # outside any command (start-up, parsing)
        try:
            handle_exception(exc, sys.argv[1:], committed=commits_in_this_process() > start)
        except typer.Exit as done:
            sys.exit(done.exit_code)


if __name__ == "__main__":
    main()
