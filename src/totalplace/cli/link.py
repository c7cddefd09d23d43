"""``totalplace link`` and ``totalplace link-review``: the supplier register and its review queue.

* ``link_command`` -- ``totalplace link``: build the supplier register and show the
  suppliers paid by most partners (``--json``: the whole register).

It parses its options, calls :func:`totalplace.link.link` and renders the result.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import pyarrow as pa

    from totalplace.workspace import Workspace

from totalplace.cli.options import ExportOpt, JsonOpt, WorkspaceOpt, export_option, top_option
from totalplace.cli.output import (
    emit_json,
    err,
    money,
    new_table,
    out,
    progress,
    safe,
    say_exported,
)
from totalplace.cli.support import export_rows, failing, load

__all__ = ["link_command", "link_review_command"]


def link_command(
    top: Annotated[int, top_option("suppliers paid by most partners", most=100_000)] = 20,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Resolve every partner's payees into one register of suppliers, with the evidence."""
    from totalplace.link import link

    ws = load(workspace, as_json, export)
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

        with failing(as_json):
            register = link(ws, report)
    shared = register.top_shared(top)
    written = export_rows(shared, export, as_json, sheet="suppliers")
    if as_json:
        emit_json(register.document(), written)
        return
    summary = register.summary()
    kinds = summary["suppliers_by_kind"]
    out.print(
        f"{summary['payees']:,} payees of {len(ws.partners)} partners resolved into "
        f"{summary['suppliers']:,} suppliers ("
        + ", ".join(f"{n:,} {kind}" for kind, n in sorted(kinds.items()))
        + f"); {summary['suppliers_paid_by_several_partners']:,} paid by two or more partners."
    )
    table = new_table(
        f"Suppliers paid by most partners (top {top})",
        ("Supplier", "Kind", "Partners", "Payee names", "Payments", "Amount", "Paid by"),
        figures=("Partners", "Payee names", "Payments", "Amount"),
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
    say_exported(written)


def _document(table: pa.Table) -> list[dict[str, Any]]:
    return [{**r, "at_stake": str(r["at_stake"])} for r in table.to_pylist()]


def link_review_command(
    accept: Annotated[
        list[str] | None,
        typer.Option(
            "--accept", help="Pair id to record as one supplier ([[merge]]).", metavar="PAIR"
        ),
    ] = None,
    reject: Annotated[
        list[str] | None,
        typer.Option(
            "--reject", help="Pair id to record as different suppliers ([[apart]]).", metavar="PAIR"
        ),
    ] = None,
    top: Annotated[int, top_option("pairs (most at stake first)", most=None)] = 20,
    export: Annotated[Path | None, export_option("the whole queue")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """List the register's uncertain pairs by money at stake; accept or reject them."""
    from totalplace.link.overrides import OVERRIDES_FILE
    from totalplace.link.review import record_decision, review_queue

    ws = load(workspace, as_json, export)
    decisions: list[dict[str, Any]] = []
    with failing(as_json):
        for pair in accept or []:
            decisions.append(record_decision(ws, pair, True))
        for pair in reject or []:
            decisions.append(record_decision(ws, pair, False))
        queue = review_queue(ws)
    interactive = not (accept or reject or as_json or export) and sys.stdin.isatty()
    exported = export_rows(queue, export, as_json, sheet="review")
    if as_json:
        emit_json(
            {
                "decisions": decisions,
                "pairs": len(queue),
                "queue": _document(queue.slice(0, top)),
                "exported_to": str(exported) if exported else None,
            }
        )
        return
    for d in decisions:
        out.print(
            f"Recorded \\[[{d['decision']}]] for {d['pair']}: {safe(d['name_a'])} "
            f"({safe(d['partner_a'])}) / {safe(d['name_b'])} ({safe(d['partner_b'])}) "
            f"in {OVERRIDES_FILE}.",
            highlight=False,
        )
    _print_queue(queue, top)
    if exported:
        out.print(f"Wrote the whole queue ({len(queue):,} pairs) to {exported}.")
    if interactive and len(queue):
        _prompt(ws, queue.slice(0, top))
    if decisions:
        out.print("[dim]Run `totalplace link` to apply the decisions to the register.[/]")


def _print_queue(queue: pa.Table, top: int) -> None:
    table = new_table(
        f"Uncertain pairs by money at stake ({min(top, len(queue))} of {len(queue):,})",
        ("Pair", "Payee A", "Payee B", "Evidence", "P(match)", "Joined", "At stake"),
        figures=("P(match)", "At stake"),
    )
    for r in queue.slice(0, top).to_pylist():
        table.add_row(
            r["pair"],
            f"{safe(r['name_a'])} [dim]({safe(r['partner_a'])})[/]",
            f"{safe(r['name_b'])} [dim]({safe(r['partner_b'])})[/]",
            safe(r["evidence"]),
            "" if r["match_probability"] is None else f"{r['match_probability']:.2f}",
            "yes" if r["joined"] else "no",
            money(r["at_stake"]),
        )
    out.print(table)
    if len(queue):
        out.print("[dim]Record a decision: --accept PAIR (one supplier) or --reject PAIR.[/]")
    else:
        out.print("Nothing to review: no uncertain pairs.")


def _prompt(ws: Workspace, queue: pa.Table) -> None:
    from totalplace.link.overrides import OVERRIDES_FILE
    from totalplace.link.review import record_decision

    recorded = 0
    for r in queue.to_pylist():
        answer = (
            typer.prompt(
                f"{r['pair']}: {safe(r['name_a'], markup=False)} ({safe(r['partner_a'], markup=False)})"
                f" / {safe(r['name_b'], markup=False)} ({safe(r['partner_b'], markup=False)})"
                " -- same supplier? [y]es / [n]o / [s]kip / [q]uit",
                default="s",
            )
            .strip()
            .lower()
        )
        if answer.startswith("q"):
            break
        if answer[:1] in ("y", "n"):
            record_decision(ws, r["pair"], answer.startswith("y"))
            recorded += 1
    if recorded:
        err.print(f"Recorded {recorded} decision(s) in {OVERRIDES_FILE}; run `totalplace link`.")
