"""Opportunities: where partners in a place pay twice: back offices, suppliers, purchases, themes.

Reads the count (``count_lines``), ``transactions``, ``classifications`` and, when
``totalplace link`` has built it, the supplier register (``suppliers``,
``supplier_members``), and writes, all in the engine through Ibis:

* ``opp_shared_suppliers`` -- suppliers paid by two or more partners, spend by
  supplier x partner x financial year;
* ``opp_procurement`` -- purchase categories bought by two or more partners in a
  year, with fragmentation (suppliers, partners, lines, median payment) and a
  saving range from the cited benchmarks; ``opp_procurement_partners`` splits
  each by partner;
* ``opp_back_office`` -- back-office spend per partner x function x year, with the
  saving if shared at the benchmark rates;
* ``opp_fragmentation`` -- per theme and year, how many partners and suppliers
  serve it, and the spend;
* ``opp_lines`` -- (kind, opportunity_key, txn_key, source file, row, rule) for
  every transaction behind every row above;
* ``opp_assumptions`` and ``opp_category_rules`` -- the benchmarks and category
  rules in force, so every rate and rule id resolves.

Only counted lines are used (transfers to partners and money passed on, such as
precepts, are excluded, as in the count). Every row gives ledger amounts (the
partner's whole spend) and place amounts (apportioned to the place by the count's
shares): a county-wide police back office is not all one district's.
"""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from totalplace.count.months import MONTHS_TABLE
from totalplace.opportunities import tables
from totalplace.opportunities.assumptions import (
    Assumptions,
    AssumptionsError,
    Benchmark,
    default_assumptions_path,
    load_assumptions,
    rate_overrides,
)
from totalplace.opportunities.categories import (
    CategoriesError,
    CategorySet,
    default_categories_path,
    load_categories,
)
from totalplace.opportunities.result import OVERLAP_NOTE, Opportunities
from totalplace.opportunities.scope import (
    NO_REGISTER_NOTE,
    OpportunitiesError,
    check_ready,
    scalar,
    scope_lines,
)
from totalplace.warehouse import connect, has_table, replace_table, transaction
from totalplace.workspace import Workspace
from totalplace.years import parse_year, year_label

__all__ = [
    "TABLES",
    "Assumptions",
    "AssumptionsError",
    "Benchmark",
    "CategoriesError",
    "CategorySet",
    "Opportunities",
    "OpportunitiesError",
    "default_assumptions_path",
    "default_categories_path",
    "load_assumptions",
    "load_categories",
    "opportunities",
    "rate_overrides",
]

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

_SCOPE_TABLE = "_opp_scope"


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
    OpportunitiesError if import, classify or count
    have not run (or are out of date), AssumptionsError or CategoriesError if a
    file is wrong.
    """
    start = parse_year(year)
    assumptions = assumptions or load_assumptions(workspace)
    categories = categories or load_categories(workspace)
    con = connect(workspace)
    try:
        return _find(con, workspace, start, assumptions, categories)
    finally:
        con.disconnect()


def _years(con: Any, workspace: Workspace) -> list[int | None]:
    cl = con.table("count_lines")
    cl = cl.filter(cl.partner.isin([p.slug for p in workspace.partners]))
    values = cl.select("fy_start_year").distinct().to_pyarrow().column(0).to_pylist()
    return sorted(values, key=lambda y: (y is None, y or 0))


def _rows(con: Any, name: str) -> list[dict[str, Any]]:
    return list(con.table(name).to_pyarrow().to_pylist())


def _find(
    con: Any,
    workspace: Workspace,
    start: int | None,
    assumptions: Assumptions,
    categories: CategorySet,
) -> Opportunities:
    check_ready(con, workspace)
    years = _years(con, workspace)
    if start is not None and start not in years:
        known = ", ".join(year_label(y) for y in years if y is not None) or "none"
        raise OpportunitiesError(
            f"no counted spending in financial year {year_label(start)}; years in the count: {known}."
        )
    expr, register = scope_lines(con, workspace, start, categories)
    scope = con.create_table(_SCOPE_TABLE, expr, temp=True, overwrite=True)
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
    con.drop_table(_SCOPE_TABLE, force=True)
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
    result.notes = _notes(result, unlinked)
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


def _notes(result: Opportunities, unlinked: int) -> list[str]:
    """Return plain-words notes: register state, apportionment, uncategorised spend, overlap."""
    notes = []
    if not result.register:
        notes.append(NO_REGISTER_NOTE)
    elif unlinked:
        notes.append(
            f"{unlinked:,} payee names are not in the supplier register (it is older than the "
            "imported data): run 'totalplace link' again to include them."
        )
    shares = {r["partner"]: r["share"] for r in result.partner_totals}
    apportioned = [
        f"{result.name(p)} {share * 100:.2f}%"
        for p, share in sorted(shares.items())
        if share is not None and share != 1
    ]
    if apportioned:
        notes.append(
            "Ledger amounts are each body's whole spending; place amounts are the part the count "
            "apportions to the place (" + "; ".join(apportioned) + ")."
        )
    for row in result.procurement_coverage:
        amount, categorised = row["amount"], row["categorised_amount"]
        if amount and categorised < amount:
            notes.append(
                f"{row['financial_year']}: £{amount - categorised:,.2f} of procurement spend "
                f"({row['uncategorised_lines']:,} lines) has no category (no rule, ProClass or "
                "expense type); add rules to categories.toml to include it."
            )
    for fy in result.financial_years:
        text = result.saving_on(fy)
        if text != "saving on 12 months of spend":
            notes.append(
                f"{fy}: every saving is a benchmark rate of the spend loaded, {text}; "
                "it is not a saving a year."
            )
    notes.append(OVERLAP_NOTE)
    return notes


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
