"""Find the opportunities: read the counted lines, write the ``opp_*`` tables, return them with notes."""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from totalplace import stages
from totalplace.count.months import MONTHS_TABLE
from totalplace.opportunities import tables
from totalplace.opportunities.assumptions import Assumptions, load_assumptions
from totalplace.opportunities.categories import CategorySet, load_categories
from totalplace.opportunities.notes import notes_for
from totalplace.opportunities.result import Opportunities
from totalplace.opportunities.scope import (
    OpportunitiesError,
    check_ready,
    scalar,
    scope_lines,
)
from totalplace.warehouse import connect, has_table, replace_table, transaction
from totalplace.workspace import Workspace
from totalplace.years import parse_year, year_label

#: Tables written by :func:`opportunities`, in the order they are exported.
TABLES: tuple[str, ...] = (
    "opp_shared_suppliers",
    "opp_procurement",
    "opp_procurement_partners",
    "opp_back_office",
    "opp_fragmentation",
    "opp_lines",
    "opp_assumptions",
    "opp_category_rules",
)


def opportunities(
    workspace: Workspace,
    year: int | str | None = None,
    assumptions: Assumptions | None = None,
    categories: CategorySet | None = None,
) -> Opportunities:
    """Find the opportunities, write the ``opp_*`` tables, and return them as rows with summaries.

    ``year`` (2024-25 or 2024) keeps one financial year; None keeps every year, one
    row per year. ``assumptions`` default to :func:`load_assumptions` (packaged
    benchmarks and the workspace's ``assumptions.toml``), ``categories`` to
    :func:`load_categories`. Raises YearError (a ValueError) for a malformed year,
    OpportunitiesError if nothing is imported or the year is not counted, StageNotRun or
    StageStale if classify or count (or link, once it has run) have not run or are out
    of date, AssumptionsError or CategoriesError if a file is wrong.
    """
    start = parse_year(year)
    assumptions = assumptions or load_assumptions(workspace)
    categories = categories or load_categories(workspace)
    con = connect(workspace)
    try:
        return find_on(con, workspace, start, assumptions, categories)
    finally:
        con.disconnect()


def _years(con: Any, workspace: Workspace) -> list[int | None]:
    cl = con.table("count_lines")
    cl = cl.filter(cl.partner.isin([p.slug for p in workspace.partners]))
    values = cl.select("fy_start_year").distinct().to_pyarrow().column(0).to_pylist()
    return sorted(values, key=lambda y: (y is None, y or 0))


def _rows(con: Any, name: str) -> list[dict[str, Any]]:
    return list(con.table(name).to_pyarrow().to_pylist())


def find_on(
    con: Any,
    workspace: Workspace,
    start: int | None = None,
    assumptions: Assumptions | None = None,
    categories: CategorySet | None = None,
) -> Opportunities:
    """Find the opportunities on an open warehouse connection; write ``opp_*`` and return them.

    ``start`` is a financial year's start year (None: every year); assumptions and
    categories default to the workspace's. See :func:`opportunities`.
    """
    assumptions = assumptions or load_assumptions(workspace)
    categories = categories or load_categories(workspace)
    check_ready(con, workspace)
    years = _years(con, workspace)
    if start is not None and start not in years:
        known = ", ".join(year_label(y) for y in years if y is not None) or "none"
        raise OpportunitiesError(
            f"no counted spending in financial year {year_label(start)}; years in the count: {known}."
        )
    expr, register = scope_lines(con, workspace, start, categories)
    # Computed once and read by every table below: Ibis's cache is a temporary table on
    # DuckDB and PostgreSQL and a cached DataFrame on Spark (which has no temporary tables).
    scope = expr.cache()
    back_rows, back_lines = tables.back_office(scope, assumptions)
    proc_rows, proc_lines = tables.procurement(scope, assumptions)
    shared_rows, shared_lines = tables.shared_suppliers(scope, assumptions)
    frag_rows, frag_lines = tables.fragmentation(scope)
    exprs = {
        "opp_shared_suppliers": shared_rows,
        "opp_procurement": proc_rows,
        "opp_procurement_partners": tables.procurement_by_partner(scope, proc_rows),
        "opp_back_office": back_rows,
        "opp_fragmentation": frag_rows,
        "opp_lines": tables.union_lines([shared_lines, proc_lines, back_lines, frag_lines]),
        "opp_assumptions": ibis.memtable(_assumptions_table(assumptions)),
        "opp_category_rules": ibis.memtable(_category_rules_table(categories)),
    }
    with transaction(con):
        for name, table in exprs.items():
            replace_table(con, name, table)
    stages.record(con, workspace, "opportunities")
    counts = {name: scalar(con.table(name).count()) for name in TABLES}
    partner_totals = tables.partner_totals(scope).to_pyarrow().to_pylist()
    coverage = tables.procurement_coverage(scope).to_pyarrow().to_pylist()
    unlinked = 0
    if register:
        unlinked = scalar(
            scope.filter(scope.payee_key.notnull() & scope.supplier_id.isnull())
            .select("partner", "supplier_name")
            .distinct()
            .count()
        )
    scope.release()
    names = {p.slug: p.name for p in workspace.partners}
    result = Opportunities(
        place={
            "code": workspace.place.code,
            "name": workspace.place.name,
            "partners": [p.name for p in workspace.partners],
        },
        financial_years=[year_label(y) for y in years if start is None or y == start],
        assumptions=assumptions,
        categories=categories,
        register=register,
        shared_suppliers=_rows(con, "opp_shared_suppliers"),
        procurement=_rows(con, "opp_procurement"),
        procurement_by_partner=_rows(con, "opp_procurement_partners"),
        back_office=_rows(con, "opp_back_office"),
        fragmentation=_rows(con, "opp_fragmentation"),
        partner_totals=partner_totals,
        procurement_coverage=coverage,
        tables=counts,
        partner_names=names,
        months=_months(con, workspace),
    )
    result.notes = notes_for(result, unlinked)
    return result


def _months(con: Any, workspace: Workspace) -> list[dict[str, Any]]:
    """Return the count's months loaded per partner and year (``count_months``; [] before it exists)."""
    if not has_table(con, MONTHS_TABLE):
        return []
    t = con.table(MONTHS_TABLE)
    t = t.filter(t.partner.isin([p.slug for p in workspace.partners]))
    return list(
        t.select("partner", "financial_year", "months_loaded", "months").to_pyarrow().to_pylist()
    )


def _assumptions_table(assumptions: Assumptions) -> pa.Table:
    rows = [b.as_json() for b in assumptions.benchmarks()]
    names = ("key", "label", "low", "central", "high", "source", "origin")
    table = pa.Table.from_pylist(rows, schema=pa.schema([(n, pa.string()) for n in names]))
    return (
        table.set_column(
            2, "low", pa.array([b.low for b in assumptions.benchmarks()], pa.decimal128(18, 6))
        )
        .set_column(
            3,
            "central",
            pa.array([b.central for b in assumptions.benchmarks()], pa.decimal128(18, 6)),
        )
        .set_column(
            4, "high", pa.array([b.high for b in assumptions.benchmarks()], pa.decimal128(18, 6))
        )
    )


def _category_rules_table(categories: CategorySet) -> pa.Table:
    schema = pa.schema(
        [
            ("rule_id", pa.string()),
            ("position", pa.int64()),
            ("category", pa.string()),
            ("conditions", pa.string()),
            ("influenceable", pa.bool_()),
            ("note", pa.string()),
            ("origin", pa.string()),
        ]
    )
    return pa.Table.from_pylist(categories.as_rows(), schema=schema)
