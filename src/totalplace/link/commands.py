"""Command function of the link stage (registered on the ``totalplace`` app by ``cli.py``).

* ``link_command`` -- ``totalplace link``: build the supplier register and show the
  suppliers paid by most partners (``--json``: the whole register).

It parses its options, calls :func:`totalplace.link.link` and renders the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from totalplace.cli_support import (
    EXIT_BAD_INPUT,
    ExportOpt,
    JsonOpt,
    WorkspaceOpt,
    check_export,
    emit_json,
    err,
    export_rows,
    fail,
    load,
    money,
    out,
    progress,
    safe,
)
from totalplace.workspace import WorkspaceError

__all__ = ["link_command"]


def link_command(
    top: Annotated[
        int,
        typer.Option(
            "--top", min=1, max=100_000, help="How many suppliers paid by most partners to list."
        ),
    ] = 20,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Resolve every partner's payees into one register of suppliers, with the evidence."""
    from totalplace.link import OverridesError, link

    check_export(export, as_json)
    ws = load(workspace, as_json)
    steps = {
        "members": "Reading payees",
        "names": "Normalising names",
        "splink": "Matching names (Splink)",
        "evidence": "Weighing evidence and overrides",
        "clusters": "Forming suppliers",
        "write": "Writing the register",
    }
    with progress(as_json) as bar:
        task = bar.add_task("Linking suppliers", total=len(steps))

        def report(step: str) -> None:
            bar.update(task, description=steps.get(step, step))
            bar.advance(task)

        try:
            register = link(ws, report)
        except OverridesError as exc:
            fail(exc, as_json, EXIT_BAD_INPUT)
        except WorkspaceError as exc:
            fail(exc, as_json)
    shared = register.top_shared(top)
    written = export_rows(shared, export, as_json, sheet="suppliers")
    if as_json:
        document = register.document()
        if written is not None:
            document["exported_to"] = str(written)
        emit_json(document)
        return
    summary = register.summary()
    kinds = summary["suppliers_by_kind"]
    out.print(
        f"{summary['payees']:,} payees of {len(ws.partners)} partners resolved into "
        f"{summary['suppliers']:,} suppliers ("
        + ", ".join(f"{n:,} {kind}" for kind, n in sorted(kinds.items()))
        + f"); {summary['suppliers_paid_by_several_partners']:,} paid by two or more partners."
    )
    table = Table(title=f"Suppliers paid by most partners (top {top})")
    for column in ("Supplier", "Kind", "Partners", "Payee names", "Payments", "Amount", "Paid by"):
        table.add_column(
            column,
            justify="right"
            if column in ("Partners", "Payee names", "Payments", "Amount")
            else "left",
        )
    for row in shared:
        table.add_row(
            safe(row["canonical_name"]),
            safe(row["kind"]),
            f"{row['partners']:,}",
            f"{row['members']:,}",
            f"{row['payments']:,}",
            money(row["amount"]),
            safe(row["partner_list"]),
        )
    out.print(table)
    for warning in register.warnings:
        err.print(f"[yellow]Warning[/] {safe(warning)}", highlight=False)
    out.print(
        "[dim]Tables suppliers, supplier_members and supplier_links are in the warehouse; "
        "review decisions go in supplier_overrides.toml.[/]"
    )
    if written is not None:
        out.print(f"Exported the table to {safe(written)}.")
