"""Coverage of the classification: how much spend each dimension explains, and what it misses.

Amounts are summed two ways: ``net`` (signed, as published) and ``gross`` (the
absolute value of each line, so a credit note counts as spend to explain rather
than cancelling a payment). Shares are gross shares. Totals are read from
``transactions`` with a left join, so lines loaded after the last classify run
count as unclassified and classified + unclassified always equals the total.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from totalplace.classify.engine import BACK_OFFICE
from totalplace.errors import WorkspaceStateError
from totalplace.money import ZERO
from totalplace.warehouse import connect, has_table
from totalplace.workspace import Workspace

#: Rule-id and value columns of each dimension in the classifications table.
DIMENSION_COLUMNS: dict[str, tuple[str, str]] = {
    "subjective": ("subjective_rule", "subjective"),
    "back_office": ("back_office_rule", "back_office_function"),
    "theme": ("theme_rule", "theme"),
    "transfer": ("transfer_rule", "transfer"),
}

DESCRIPTION_FIELDS = ("expense_type", "service_area", "purpose")

#: Every transaction column that says what a line bought or which service bought it.
DESCRIBING = ("expense_type", "expense_code", "purpose", "service_area", "department", "proclass")

SHARE_MEANS = {
    "subjective": "share of gross spend given a CIPFA subjective group by a rule",
    "back_office": (
        "share of gross spend a rule decided (back office, or front line on purpose); "
        "the rest is front line by default. back_office_share is the back-office part"
    ),
    "theme": "share of gross spend given a theme by a rule",
    "transfer": (
        "share of gross spend passed on to another public body (precepts, levies, "
        "business-rate shares) or back to ratepayers (council-tax and business-rate "
        "refunds): excluded from the count, which counts money where it is finally spent"
    ),
}


class NotClassifiedError(WorkspaceStateError):
    """The warehouse has no classifications table yet: run classify first."""


@dataclass(frozen=True)
class Amounts:
    """Line count and net and gross sums of a set of transactions."""

    rows: int = 0
    net: Decimal = ZERO
    gross: Decimal = ZERO

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.rows + other.rows, self.net + other.net, self.gross + other.gross)

    def as_json(self) -> dict[str, Any]:
        """Return the amounts with money as decimal strings."""
        return {"rows": self.rows, "net": f"{self.net:.2f}", "gross": f"{self.gross:.2f}"}


@dataclass(frozen=True)
class DimensionCoverage:
    """How much of the spend one dimension classifies (a rule matched) and how much it does not."""

    dimension: str
    classified: Amounts
    unclassified: Amounts

    @property
    def total(self) -> Amounts:
        """Return classified plus unclassified: all transactions."""
        return self.classified + self.unclassified

    @property
    def share(self) -> float | None:
        """Return the classified share of gross spend (None when there is no spend)."""
        total = self.total.gross
        return round(float(self.classified.gross / total), 4) if total else None

    def as_json(self) -> dict[str, Any]:
        """Return the coverage as JSON-ready data."""
        return {
            "classified": self.classified.as_json(),
            "unclassified": self.unclassified.as_json(),
            "total": self.total.as_json(),
            "share": self.share,
        }


def _amounts(row: dict[str, Any]) -> Amounts:
    return Amounts(int(row["rows"] or 0), row["net"] or ZERO, row["gross"] or ZERO)


def _sums(amount: ir.NumericColumn) -> dict[str, Any]:
    return {"rows": amount.count(), "net": amount.sum(), "gross": amount.abs().sum()}


def joined(con: Any) -> ir.Table:
    """Return transactions left-joined to their classifications (NULLs where none)."""
    if not has_table(con, "classifications"):
        raise NotClassifiedError(
            "the warehouse has no classifications yet; run classify (totalplace classify) first."
        )
    t = con.table("transactions")
    c = con.table("classifications")
    c = c.rename(c_key="txn_key")
    return t.left_join(c, t.txn_key == c.c_key)


def _by_partner(table: ir.Table, rule_col: str) -> list[dict[str, Any]]:
    grouped = table.group_by("partner", matched=table[rule_col].notnull()).aggregate(
        **_sums(table.amount)
    )
    return grouped.order_by("partner", "matched").to_pyarrow().to_pylist()


def dimension_coverage(con: Any) -> dict[str, DimensionCoverage]:
    """Return the coverage of each dimension over all transactions."""
    table = joined(con)
    result: dict[str, DimensionCoverage] = {}
    for dimension, (rule_col, _) in DIMENSION_COLUMNS.items():
        classified, unclassified = Amounts(), Amounts()
        for row in _by_partner(table, rule_col):
            if row["matched"]:
                classified += _amounts(row)
            else:
                unclassified += _amounts(row)
        result[dimension] = DimensionCoverage(dimension, classified, unclassified)
    return result


def _partner_rows(
    table: ir.Table, rule_col: str, names: dict[str, tuple[str, str]]
) -> list[dict[str, Any]]:
    per: dict[str, dict[bool, Amounts]] = {}
    for row in _by_partner(table, rule_col):
        per.setdefault(row["partner"], {})[bool(row["matched"])] = _amounts(row)
    out = []
    for slug, parts in per.items():
        cov = DimensionCoverage("", parts.get(True, Amounts()), parts.get(False, Amounts()))
        name, sector = names.get(slug, (slug, "unknown"))
        out.append({"partner": slug, "name": name, "sector": sector, **cov.as_json()})
    return out


def _by_value(table: ir.Table, value_col: str) -> list[dict[str, Any]]:
    grouped = table.group_by(value=table[value_col]).aggregate(**_sums(table.amount))
    rows = grouped.order_by(ibis.desc("gross")).to_pyarrow().to_pylist()
    return [{"value": r["value"], **_amounts(r).as_json()} for r in rows]


def _front_back(table: ir.Table) -> list[dict[str, Any]]:
    side = ibis.ifelse(table.back_office_function.notnull(), BACK_OFFICE, "front line")
    by = "by rule"
    how = ibis.ifelse(table.back_office_rule.notnull(), by, "no rule (default)")
    grouped = table.group_by(front_back=side, decided=how).aggregate(**_sums(table.amount))
    rows = grouped.order_by("front_back", "decided").to_pyarrow().to_pylist()
    return [
        {"front_back": r["front_back"], "decided": r["decided"], **_amounts(r).as_json()}
        for r in rows
    ]


def largest_unclassified(
    table: ir.Table, rule_col: str, top: int, *, counted_only: bool = False
) -> list[dict[str, Any]]:
    """Return the largest groups of lines no rule classified, by partner and description.

    With ``counted_only``, lines passed on to another body (a transfer rule matched)
    are left out: the count does not count them, so they need no theme.
    """
    missing = table.filter(table[rule_col].isnull())
    if counted_only:
        missing = missing.filter(missing.transfer_rule.isnull())
    grouped = missing.group_by("partner", *DESCRIPTION_FIELDS).aggregate(
        **_sums(missing.amount),
        largest_supplier=missing.supplier_name.argmax(missing.amount.abs()),
    )
    ordered = grouped.order_by(ibis.desc("gross"), "partner", *DESCRIPTION_FIELDS).limit(top)
    return [
        {
            "partner": r["partner"],
            **{f: r[f] for f in DESCRIPTION_FIELDS},
            "largest_supplier": r["largest_supplier"],
            **_amounts(r).as_json(),
        }
        for r in ordered.to_pyarrow().to_pylist()
    ]


def theme_coverage_by_partner(con: Any) -> list[dict[str, Any]]:
    """Return per partner the gross spend, the part passed on, and the themed part of the rest.

    Gross is the sum of absolute line amounts. ``passed_on`` is the gross of lines a
    transfer rule matched (the count leaves them out); ``themed`` is the gross of the
    other lines that a theme rule matched, so ``themed / (gross - passed_on)`` is the
    share of counted spend the themes explain. ``described`` is the gross of lines
    with any description (expense type, code, purpose, service area, department or
    ProClass): a publisher whose files have none can be themed by supplier only.
    """
    table = joined(con)
    passed = table.transfer_rule.notnull()
    gross = table.amount.abs()
    zero = ibis.literal(ZERO).cast(table.amount.type())
    described = functools.reduce(
        operator.or_,
        [table[f].strip().length().fill_null(0) > 0 for f in DESCRIBING if f in table.columns],
    )
    grouped = table.group_by("partner").aggregate(
        rows=table.count(),
        gross=gross.sum(),
        passed_on=ibis.ifelse(passed, gross, zero).sum(),
        themed=ibis.ifelse(~passed & table.theme_rule.notnull(), gross, zero).sum(),
        described=ibis.ifelse(described, gross, zero).sum(),
    )
    return grouped.order_by("partner").to_pyarrow().to_pylist()


def theme_gaps(con: Any, top: int) -> list[dict[str, Any]]:
    """Return the ``top`` largest groups of counted lines (not passed on) that no theme rule matched."""
    return largest_unclassified(joined(con), "theme_rule", top, counted_only=True)


def coverage(workspace: Workspace, top: int = 15) -> dict[str, Any]:
    """Return JSON-ready coverage of each dimension: totals, per value, per partner, and gaps.

    For each of subjective, back_office and theme: classified and unclassified rows,
    net and gross amounts (decimal strings) and the gross share; the same per partner;
    the amount per value; and the ``top`` largest unclassified descriptions. For
    back_office "classified" means a rule decided the line (back office or explicitly
    front line); lines no rule matched default to front line and are listed as gaps.
    Raises NotClassifiedError if classify has not been run.
    """
    con = connect(workspace, read_only=True)
    try:
        return coverage_on(con, workspace, top)
    finally:
        con.disconnect()


def coverage_on(con: Any, workspace: Workspace, top: int = 15) -> dict[str, Any]:
    """Return JSON-ready coverage of each dimension on an open warehouse connection (see :func:`coverage`)."""
    names = {p.slug: (p.name, p.sector) for p in workspace.partners}
    table = joined(con)
    totals = dimension_coverage(con)
    dimensions: dict[str, Any] = {}
    for dimension, (rule_col, value_col) in DIMENSION_COLUMNS.items():
        entry = totals[dimension].as_json()
        entry["by_value"] = _by_value(table, value_col)
        entry["share_means"] = SHARE_MEANS[dimension]
        if dimension == "back_office":
            entry["front_back"] = _front_back(table)
            back = [r for r in entry["front_back"] if r["front_back"] == BACK_OFFICE]
            gross = sum((Decimal(r["gross"]) for r in back), ZERO)
            total = totals[dimension].total.gross
            entry["back_office_share"] = round(float(gross / total), 4) if total else None
        entry["by_partner"] = _partner_rows(table, rule_col, names)
        entry["largest_unclassified"] = largest_unclassified(table, rule_col, top)
        dimensions[dimension] = entry
    return {
        "basis": (
            "net: signed sum as published; gross: sum of absolute line amounts. "
            "share = classified gross / total gross."
        ),
        "dimensions": dimensions,
    }
