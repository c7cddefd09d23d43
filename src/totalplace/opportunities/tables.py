"""The four opportunity tables and the lines behind each row, as Ibis expressions over the scope.

Each builder returns ``(rows, lines)``: ``rows`` one row per opportunity (with an
``opportunity_key`` unique within its kind) and ``lines`` the (kind, key, txn_key)
of every transaction behind those rows, so each figure can be followed back to its
source file, row and rule. Ledger amounts are the partners' own; place amounts
apply each partner's place share per partner and year, rounded to the penny
exactly as the count does, so they add up to ``count_by_partner_theme_year``.
"""

from __future__ import annotations

from decimal import Decimal

import ibis
import ibis.expr.types as ir

from totalplace.classify.rules import BACK_OFFICE_FUNCTIONS
from totalplace.opportunities.assumptions import Assumptions
from totalplace.opportunities.savings import RATES, SAVINGS, place_amount, rate, with_savings
from totalplace.opportunities.scope import DECIMAL
from totalplace.years import label_of

KIND_SHARED_SUPPLIER = "shared_supplier"
KIND_PROCUREMENT = "procurement"
KIND_BACK_OFFICE = "back_office"
KIND_FRAGMENTATION = "fragmentation"
KINDS = (KIND_SHARED_SUPPLIER, KIND_PROCUREMENT, KIND_BACK_OFFICE, KIND_FRAGMENTATION)

#: Supplier kinds that are never a shared supplier: hidden payees and private persons.
NOT_SHARED_KINDS = ("redacted", "individual")

_LINE_COLUMNS = (
    "kind",
    "opportunity_key",
    "txn_key",
    "partner",
    "fy_start_year",
    "amount",
    "rule",
    "source_file",
    "sheet",
    "row_number",
)


def _lines(t: ir.Table, kind: str, key: ir.StringValue, rule: ir.StringValue) -> ir.Table:
    return t.select(
        kind=ibis.literal(kind),
        opportunity_key=key,
        txn_key=t.txn_key,
        partner=t.partner,
        fy_start_year=t.fy_start_year,
        amount=t.amount,
        rule=rule.cast("string"),
        source_file=t.source_file,
        sheet=t.sheet,
        row_number=t.row_number,
    )


def _by_partner(t: ir.Table, keys: list[str]) -> ir.Table:
    """Return ledger and place amounts per ``keys`` x partner x year (place share applied there)."""
    grouped = t.group_by([*keys, "partner", "year_key", "fy_start_year"]).aggregate(
        lines=t.count(),
        amount=t.amount.sum().cast(DECIMAL),
        share=t.share.max(),
    )
    return grouped.mutate(place_amount=place_amount(grouped.amount, grouped.share))


def _totals(by_partner: ir.Table, keys: list[str], **more: ir.Value) -> ir.Table:
    """Return per ``keys``: partners, lines, ledger and place amounts (and ``more`` aggregates)."""
    return by_partner.group_by(keys).aggregate(
        partners=by_partner.partner.nunique(),
        lines=by_partner.lines.sum(),
        amount=by_partner.amount.sum().cast(DECIMAL),
        place_amount=by_partner.place_amount.sum().cast(DECIMAL),
        **more,
    )


def _partner_list(by_partner: ir.Table, keys: list[str]) -> ir.Table:
    distinct = by_partner.select(*keys, "partner").distinct()
    # Collected, then sorted and joined: Spark has no ordered string aggregate.
    listed = distinct.group_by(keys).aggregate(partners=distinct.partner.collect())
    return listed.select(*keys, partner_list=listed.partners.sort().join(", "))


def back_office(scope: ir.Table, assumptions: Assumptions) -> tuple[ir.Table, ir.Table]:
    """Return (back-office spend per partner x function x year with savings, its lines)."""
    bo = scope.filter(scope.front_back == "back office")
    rows = _by_partner(bo, ["back_office_function"]).rename(function="back_office_function")

    def by_function(pick: str) -> ir.DecimalValue:
        branches = [
            (rows.function == name, rate(getattr(assumptions.for_function(name), pick)))
            for name in BACK_OFFICE_FUNCTIONS
        ]
        return ibis.cases(*branches, else_=rate(getattr(assumptions.back_office, pick)))

    def benchmark(pick: str) -> ir.StringValue:
        mapping = {
            name: getattr(assumptions.for_function(name), pick) for name in BACK_OFFICE_FUNCTIONS
        }
        return rows.function.substitute(mapping, else_=getattr(assumptions.back_office, pick))

    rows = with_savings(rows, by_function("low"), by_function("central"), by_function("high"))
    rows = rows.mutate(
        opportunity_key=rows.partner + "|" + rows.function + "|" + rows.year_key,
        financial_year=label_of(rows.fy_start_year),
        benchmark=benchmark("key"),
        source=benchmark("source"),
    )
    rows = rows.select(
        "opportunity_key",
        "fy_start_year",
        "financial_year",
        "partner",
        "function",
        "lines",
        "amount",
        "share",
        "place_amount",
        *RATES,
        *SAVINGS,
        "benchmark",
        "source",
    ).order_by(["fy_start_year", "partner", "function"])
    key = bo.partner + "|" + bo.back_office_function + "|" + bo.year_key
    return rows, _lines(bo, KIND_BACK_OFFICE, key, bo.back_office_rule)


def exact_median(table: ir.Table, keys: list[str], value: str) -> ir.Table:
    """Return ``keys`` and ``median_payment``: the exact median of ``value`` per group, to the penny.

    The middle row (or the half-sum of the middle two) by rank, in decimals: the
    engines' own medians differ (DuckDB interpolates decimals, PostgreSQL's
    percentile_cont and Spark's percentile give doubles).
    """
    ranked = table.select(*keys, value).mutate(
        _rank=ibis.row_number().over(group_by=keys, order_by=table[value]),
        _n=ibis._.count().over(group_by=keys),
    )
    middle = ranked.filter(
        (ranked._rank == (ranked._n - 1) // 2) | (ranked._rank == ranked._n // 2)
    )
    halves = middle.group_by(keys).aggregate(
        _sum=middle[value].sum().cast("decimal(38,2)"), _rows=middle.count()
    )
    factor = ibis.ifelse(
        halves._rows == 2, ibis.literal(Decimal("0.5")), ibis.literal(Decimal("1.0"))
    )
    exact = (halves._sum * factor.cast("decimal(2,1)")).round(2).cast(DECIMAL)
    return halves.select(*keys, median_payment=exact)


def procurement(scope: ir.Table, assumptions: Assumptions) -> tuple[ir.Table, ir.Table]:
    """Return (categories bought by several partners in a year with fragmentation and savings, lines)."""
    p = scope.filter(scope.procurement & scope.category_key.notnull())
    keys = ["category_key", "year_key", "fy_start_year"]
    by_partner = _by_partner(p, ["category_key"])
    totals = _totals(by_partner, keys)
    totals = totals.filter(totals.partners >= assumptions.procurement_min_partners)
    detail = p.group_by(keys).aggregate(
        category=p.category.max(),
        category_source=p.category_source.max(),
        influenceable=p.influenceable.min(),
        suppliers=p.supplier_ref.nunique(),
        largest_payment=p.amount.max().cast(DECIMAL),
        rules=p.category_rule.nunique(),
    )
    medians = exact_median(p.filter(p.amount > 0), keys, "amount")
    detail = detail.left_join(medians, keys).drop(*[f"{k}_right" for k in keys])
    rows = totals.join(detail, keys).join(_partner_list(by_partner, keys), keys)
    bench = assumptions.procurement
    open_ = rows.influenceable

    def open_rate(value: Decimal) -> ir.DecimalValue:
        return ibis.ifelse(open_, rate(value), rate(Decimal(0)))

    rows = with_savings(rows, open_rate(bench.low), open_rate(bench.central), open_rate(bench.high))
    rows = rows.mutate(
        opportunity_key=rows.category_key + "|" + rows.year_key,
        financial_year=label_of(rows.fy_start_year),
        benchmark=ibis.literal(bench.key),
        source=ibis.ifelse(
            open_,
            ibis.literal(bench.source),
            ibis.literal("not influenceable by joint buying: no saving estimated"),
        ),
    )
    rows = rows.select(
        "opportunity_key",
        "fy_start_year",
        "financial_year",
        "category",
        "category_source",
        "category_key",
        "influenceable",
        "partners",
        "partner_list",
        "suppliers",
        "lines",
        "median_payment",
        "largest_payment",
        "amount",
        "place_amount",
        *RATES,
        *SAVINGS,
        "benchmark",
        "source",
    ).order_by([ibis.asc("fy_start_year"), ibis.desc("amount"), ibis.asc("category_key")])
    qualifying = totals.select("category_key", "year_key")
    lines = p.semi_join(qualifying, ["category_key", "year_key"])
    rule = lines.category_rule.coalesce(lines.category_source)
    key = lines.category_key + "|" + lines.year_key
    return rows, _lines(lines, KIND_PROCUREMENT, key, rule)


def procurement_by_partner(scope: ir.Table, rows: ir.Table) -> ir.Table:
    """Return each partner's spend in each shared category (opportunity_key, partner, amounts)."""
    p = scope.filter(scope.procurement & scope.category_key.notnull())
    p = p.mutate(opportunity_key=p.category_key + "|" + p.year_key)
    p = p.semi_join(rows.select("opportunity_key"), "opportunity_key")
    rows = _by_partner(p, ["opportunity_key"]).select(
        "opportunity_key", "partner", "fy_start_year", "lines", "amount", "share", "place_amount"
    )
    return rows.order_by([ibis.asc("opportunity_key"), ibis.desc("amount")])


def shared_suppliers(scope: ir.Table, assumptions: Assumptions) -> tuple[ir.Table, ir.Table]:
    """Return (spend with suppliers paid by several partners, by supplier x partner x year; lines)."""
    s = scope.filter(
        scope.supplier_id.notnull() & ~scope.supplier_kind.isin(list(NOT_SHARED_KINDS))
    )
    suppliers = s.group_by("supplier_id").aggregate(
        supplier_partners=s.partner.nunique(),
        supplier_lines=s.count(),
        supplier_amount=s.amount.sum().cast(DECIMAL),
    )
    suppliers = suppliers.filter(suppliers.supplier_partners >= assumptions.shared_min_partners)
    rows = _by_partner(s, ["supplier_id", "supplier_name_canonical", "supplier_kind"])
    rows = rows.join(suppliers, "supplier_id")
    rows = rows.mutate(
        opportunity_key=rows.supplier_id + "|" + rows.partner + "|" + rows.year_key,
        financial_year=label_of(rows.fy_start_year),
    )
    rows = rows.select(
        "opportunity_key",
        "supplier_id",
        supplier_name=rows.supplier_name_canonical,
        kind=rows.supplier_kind,
        partners=rows.supplier_partners,
        supplier_amount=rows.supplier_amount,
        supplier_lines=rows.supplier_lines,
        partner=rows.partner,
        fy_start_year=rows.fy_start_year,
        financial_year=rows.financial_year,
        lines=rows.lines,
        amount=rows.amount,
        share=rows.share,
        place_amount=rows.place_amount,
    ).order_by(
        [
            ibis.desc("partners"),
            ibis.desc("supplier_amount"),
            ibis.asc("supplier_id"),
            ibis.asc("fy_start_year"),
            ibis.desc("amount"),
        ]
    )
    lines = s.semi_join(suppliers.select("supplier_id"), "supplier_id")
    key = lines.supplier_id + "|" + lines.partner + "|" + lines.year_key
    return rows, _lines(lines, KIND_SHARED_SUPPLIER, key, lines.match_rule)


def fragmentation(scope: ir.Table) -> tuple[ir.Table, ir.Table]:
    """Return (per theme and year: partners, suppliers, lines, ledger and place spend; lines)."""
    keys = ["theme", "year_key", "fy_start_year"]
    by_partner = _by_partner(scope, ["theme"])
    totals = _totals(by_partner, keys, largest_partner_amount=by_partner.amount.max().cast(DECIMAL))
    suppliers = scope.group_by(keys).aggregate(suppliers=scope.supplier_ref.nunique())
    rows = totals.join(suppliers, keys).join(_partner_list(by_partner, keys), keys)
    rows = rows.mutate(
        opportunity_key=rows.theme + "|" + rows.year_key,
        financial_year=label_of(rows.fy_start_year),
        largest_partner_share=ibis.ifelse(
            rows.amount == 0,
            ibis.null().cast("decimal(9,4)"),
            (rows.largest_partner_amount.cast("decimal(38,2)") / rows.amount.cast("decimal(38,2)"))
            .round(4)
            .cast("decimal(9,4)"),
        ),
    )
    rows = rows.select(
        "opportunity_key",
        "fy_start_year",
        "financial_year",
        "theme",
        "partners",
        "partner_list",
        "suppliers",
        "lines",
        "amount",
        "place_amount",
        "largest_partner_share",
    ).order_by([ibis.asc("fy_start_year"), ibis.desc("place_amount"), ibis.asc("theme")])
    key = scope.theme + "|" + scope.year_key
    return rows, _lines(scope, KIND_FRAGMENTATION, key, scope.theme_rule)


def partner_totals(scope: ir.Table) -> ir.Table:
    """Return each partner's counted (non-transfer) spend per year: ledger, place share, place."""
    rows = _by_partner(scope, [])
    return rows.mutate(financial_year=label_of(rows.fy_start_year)).order_by(
        ["fy_start_year", "partner"]
    )


def procurement_coverage(scope: ir.Table) -> ir.Table:
    """Return per year: procurement-scope spend, the part with a category, and by category source."""
    p = scope.filter(scope.procurement)
    p = p.mutate(financial_year=label_of(p.fy_start_year))
    return (
        p.group_by(["year_key", "fy_start_year", "financial_year"])
        .aggregate(
            lines=p.count(),
            amount=p.amount.sum().cast(DECIMAL),
            categorised_amount=p.amount.sum(where=p.category_key.notnull())
            .fill_null(0)
            .cast(DECIMAL),
            by_rule_amount=p.amount.sum(where=p.category_source == "rule")
            .fill_null(0)
            .cast(DECIMAL),
            uncategorised_lines=p.count(where=p.category_key.isnull()),
        )
        .order_by("fy_start_year")
    )


def union_lines(parts: list[ir.Table]) -> ir.Table:
    """Return the lines of every kind as one table (kind, opportunity_key, txn_key, ...)."""
    cast = [p.select(*_LINE_COLUMNS) for p in parts]
    out = cast[0]
    for part in cast[1:]:
        out = out.union(part, distinct=False)
    return out.order_by(["kind", "opportunity_key", "txn_key"])
