"""Run the local economy: locate suppliers, write the two ``economy_*`` tables, LM3 per year, a cut's jobs."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from totalplace import stages
from totalplace.economy.assumptions import EconomyAssumptions, load_economy_assumptions
from totalplace.economy.jobs import jobs_effect
from totalplace.economy.lm3 import lm3
from totalplace.economy.local_figures import local_figures
from totalplace.economy.location_file import LOCATION_FILE, read_location_file, write_template
from totalplace.economy.locations import (
    LOCAL,
    NOT_LOCAL,
    UNKNOWN,
    file_keys,
    locate_suppliers,
    member_keys,
    supplier_table,
)
from totalplace.economy.postcodes import GP_SOURCE, lookup_table, read_directory
from totalplace.economy.result import EconomyResult
from totalplace.economy.scope import supplier_lines
from totalplace.extent import extent
from totalplace.opportunities.savings import place_amount
from totalplace.warehouse import connect, replace_table, transaction
from totalplace.workspace import Workspace
from totalplace.years import DATE_MISSING, label_of, parse_year

__all__ = ["TABLES", "Cut", "economy", "economy_on", "write_location_template", "year_shown"]

#: Tables written by :func:`economy`.
TABLES = ("economy_supplier_locations", "economy_local_share")
POSTCODE_FILE = "postcodes.csv"


class Cut:
    """A cut (or shift) of ``amount`` from a partner's spend in a theme or category, to price in jobs."""

    def __init__(
        self, partner: str, amount: Decimal, theme: str | None = None, category: str | None = None
    ) -> None:
        self.partner, self.amount, self.theme, self.category = partner, amount, theme, category


def _directory(
    workspace: Workspace, assumptions: EconomyAssumptions
) -> tuple[pa.Table | None, str]:
    given = assumptions.postcode_directory
    path = Path(given) if given else workspace.root / POSTCODE_FILE
    if not path.is_absolute():
        path = workspace.root / path
    if not given and not path.exists():
        return None, ""
    return read_directory(path), f"postcode directory {path}"


def _local_share(lines: ir.Table, locations: pa.Table) -> ir.Table:
    """Return spend with suppliers per partner x year x status, ledger and place amounts."""
    status = ibis.memtable(locations.select(["supplier_ref", "status"]))
    joined = lines.left_join(status, "supplier_ref").drop("supplier_ref_right")
    joined = joined.mutate(status=joined.status.fill_null(UNKNOWN))
    grouped = joined.group_by(["partner", "year_key", "fy_start_year", "status"]).aggregate(
        lines=joined.count(),
        amount=joined.amount.sum().cast("decimal(18,2)"),
        share=joined.share.max(),
    )
    return grouped.select(
        "partner",
        "fy_start_year",
        financial_year=label_of(grouped.fy_start_year).fill_null(DATE_MISSING),
        status=grouped.status,
        lines=grouped.lines,
        amount=grouped.amount,
        place_amount=place_amount(grouped.amount, grouped.share),
    ).order_by(["partner", "fy_start_year", "status"])


def economy(
    workspace: Workspace, year: int | str | None = None, cut: Cut | None = None
) -> EconomyResult:
    """Locate suppliers, write ``economy_supplier_locations`` and ``economy_local_share``, and return them.

    ``year`` (2024-25 or 2024) keeps one financial year (None: every year). With
    ``cut``, also the jobs it affects (:func:`~totalplace.economy.jobs.jobs_effect`).
    Raises StageNotRun/StageStale unless classify and count (and link, once run) are
    up to date, EconomyError or SupplierLocationError for a bad file or missing figures.
    """
    start = parse_year(year)
    con = connect(workspace)
    try:
        return economy_on(con, workspace, start, cut)
    finally:
        con.disconnect()


def economy_on(
    con: Any,
    workspace: Workspace,
    start: int | None = None,
    cut: Cut | None = None,
    assumptions: EconomyAssumptions | None = None,
) -> EconomyResult:
    """Run the local economy on an open connection; see :func:`economy`."""
    assumptions = assumptions or load_economy_assumptions(workspace)
    file_path = workspace.root / LOCATION_FILE
    file_rows = read_location_file(file_path) if file_path.exists() else None
    keyed = file_keys(con, file_rows) if file_rows is not None else None
    directory, directory_source = _directory(workspace, assumptions)
    known = lookup_table(directory, directory_source)
    figures_first = cut is not None  # a missing multipliers folder fails before any write
    if figures_first:
        local_figures(workspace, assumptions)
    # Read by every step below: a temporary table (DuckDB, PostgreSQL) or a cached DataFrame (Spark).
    lines = supplier_lines(con, workspace, start).cache()
    try:
        return _run(
            con,
            workspace,
            start,
            cut,
            assumptions,
            lines,
            file_path,
            file_rows,
            keyed,
            known,
            directory_source,
        )
    finally:
        lines.release()


def _run(
    con: Any,
    workspace: Workspace,
    start: int | None,
    cut: Cut | None,
    assumptions: EconomyAssumptions,
    lines: ir.Table,
    file_path: Path,
    file_rows: pa.Table | None,
    keyed: pa.Table | None,
    known: pa.Table,
    directory_source: str,
) -> EconomyResult:
    suppliers = supplier_table(lines).to_pyarrow()
    locations = locate_suppliers(
        suppliers,
        member_keys(lines).to_pyarrow(),
        file_rows,
        keyed,
        LOCATION_FILE,
        known,
        extent(workspace.place),
    )
    share = _local_share(lines, locations)
    with transaction(con):
        replace_table(con, "economy_supplier_locations", locations)
        replace_table(con, "economy_local_share", share)
    stages.record(con, workspace, "economy")
    share_rows = con.table("economy_local_share").to_pyarrow().to_pylist()
    redacted = lines.filter(lines.supplier_ref.isnull()).amount.sum().to_pyarrow().as_py()
    result = EconomyResult(
        place={
            "code": workspace.place.code,
            "name": workspace.place.name,
            "partners": [p.name for p in workspace.partners],
            "partner_names": {p.slug: p.name for p in workspace.partners},
        },
        financial_years=sorted({r["financial_year"] for r in share_rows}),
        assumptions=assumptions,
        local_share=share_rows,
        lm3=_lm3_by_year(share_rows, assumptions),
        methods=_methods(locations),
        suppliers=locations.num_rows,
        location_file=str(file_path) if file_rows is not None else None,
        postcode_lookups=[s for s in (directory_source, GP_SOURCE) if s],
        notes=_notes(locations, redacted, file_rows is not None),
    )
    if cut is not None:
        result.jobs = jobs_effect(
            con,
            workspace,
            cut.partner,
            cut.theme,
            cut.amount,
            start,
            category=cut.category,
            assumptions=assumptions,
        )
    return result


def _lm3_by_year(rows: list[dict[str, Any]], assumptions: EconomyAssumptions) -> dict[str, Any]:
    """Return LM3 per financial year on the place amounts (a loop over years and statuses)."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:  # partners x years x 3 statuses
        totals[row["financial_year"]][row["status"]] += row["place_amount"]
    return {
        year: lm3(t[LOCAL], t[NOT_LOCAL], t[UNKNOWN], assumptions)
        for year, t in sorted(totals.items())
    }


def _methods(locations: pa.Table) -> list[dict[str, Any]]:
    grouped = locations.group_by(["status", "method", "confidence"], use_threads=False).aggregate(
        [("supplier_ref", "count"), ("spend", "sum")]
    )
    rows = grouped.rename_columns(["status", "method", "confidence", "suppliers", "spend"])
    return sorted(rows.to_pylist(), key=lambda r: (r["status"], -(r["spend"] or 0)))


def _notes(locations: pa.Table, redacted: Decimal | None, has_file: bool) -> list[str]:
    notes = []
    if redacted:
        notes.append(
            f"£{redacted:,.2f} of spend with suppliers is paid to redacted or withheld payees: "
            "their location is unknown and stays so."
        )
    if not has_file:
        notes.append(
            f"No {LOCATION_FILE} in the workspace: only postcodes the payers published place "
            "suppliers. 'totalplace economy --template FILE' lists the suppliers by spend to fill in."
        )
    return notes


def write_location_template(
    workspace: Workspace, path: Path, year: int | str | None = None
) -> tuple[Path, int]:
    """Write the supplier-location file to fill in (suppliers by spend, empty location cells).

    Returns the path and the number of suppliers. Reads classify and count (and link)
    like :func:`economy`; writes no table.
    """
    con = connect(workspace, read_only=True)
    try:
        lines = supplier_lines(con, workspace, parse_year(year))
        suppliers = supplier_table(lines).to_pyarrow()
    finally:
        con.disconnect()
    table = pa.table(
        {
            "supplier_id": suppliers.column("supplier_id"),
            "supplier": suppliers.column("supplier"),
            "partners": suppliers.column("partners"),
            "spend": suppliers.column("spend"),
            "published_postcode": suppliers.column("published_postcode"),
        }
    )
    return write_template(table, path), table.num_rows


def year_shown(result: EconomyResult) -> str | None:
    """Return the latest dated financial year of the result (the one a terminal shows)."""
    dated = [y for y in result.financial_years if y != DATE_MISSING]
    return dated[-1] if dated else None
