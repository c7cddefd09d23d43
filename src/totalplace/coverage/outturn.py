"""Reconcile a council's transactions with its Revenue Outturn: what share of its service spending do they show?

A council's "spend over £500" file leaves out payroll, small payments and income; its
Revenue Outturn Summary (RS) is its whole net current expenditure by service. For a
partner with both, the transactions of one financial year are mapped to RS service
lines by the rules in ``totalplace/data/topdown/service_map.csv`` (first matching rule
wins: payee rules first, then the transaction's service area, then its department)
and compared with the outturn of the nearest year shipped (2014-15 or 2017-18). For a
single-service authority (police, fire: 95% or more of its RS service spending on one
line) transactions no rule maps go to that line.

The comparison is indicative, and says so: transactions are gross payments in their
own year's cash; the RS is net of fees, charges and recharges in its year's cash; and
the RS spreads support services (finance, ICT, HR) over front-line lines; transactions
include capital payments, the RS does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from typing import Any

import ibis
import pyarrow as pa

from totalplace import rules as engine
from totalplace.coverage import sources
from totalplace.errors import WorkspaceStateError
from totalplace.money import ZERO
from totalplace.warehouse import connect, engine_of, has_table, replace_table
from totalplace.workspace import Partner, Workspace
from totalplace.years import parse_year, start_year_of, year_label

__all__ = ["TABLE", "OutturnError", "Reconciliation", "reconcile", "reconcile_on", "service_rules"]

TABLE = "outturn_reconciliation"
MAP_FILE = "totalplace/data/topdown/service_map.csv"
OUTSIDE = "outside"
UNMAPPED = "unmapped"
#: An authority with at least this share of its service spending on one RS line is
#: single-service (police, fire): transactions no rule maps are put on that line.
SINGLE_SERVICE = Decimal("0.95")


class OutturnError(WorkspaceStateError):
    """A partner that cannot be reconciled with an outturn; the message says why."""


@dataclass(frozen=True, kw_only=True)
class Rule(engine.Rule):
    """A mapping rule: transactions whose field matches its pattern go to RS line ``rs_line``.

    Its id is its row number in the map file (what ``outturn_reconciliation.rules`` lists).
    """

    rs_line: str
    note: str = ""

    @property
    def number(self) -> int:
        """Return the rule's row number in the map file."""
        return int(self.id)

    @property
    def field(self) -> str:
        """Return the transaction column the rule tests."""
        return self.tests[0].key

    @property
    def pattern(self) -> str:
        """Return the rule's regular expression."""
        return self.tests[0].pattern


def _build(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    line = str(item.get("rs_line") or "")
    if not (line.isdigit() or line == OUTSIDE):
        raise engine.RulesError(f"{where}: rs_line {line!r} is not an RS line code or {OUTSIDE!r}.")
    return {"rs_line": line, "note": str(item.get("note") or "")}


#: The outturn service map as the rule engine reads it: ``field,pattern,rs_line,note`` rows.
KIND = engine.RuleKind(
    noun="row",
    table="row",
    fields={f: (f,) for f in ("supplier_name", "service_area", "department", "expense_type")},
    own=frozenset({"rs_line", "note"}),
    build=_build,
    make=Rule,
    negatable=False,
    partner=False,
)


@lru_cache(maxsize=1)
def service_rules() -> tuple[Rule, ...]:
    """Return the shipped rules mapping transactions to RS service lines, in the order they apply."""
    text = files("totalplace").joinpath("data", "topdown", "service_map.csv").read_text("utf-8")
    found = engine.load(KIND, engine.read_csv(KIND, text, MAP_FILE), None)
    return tuple(found.rules)


@dataclass
class Reconciliation:
    """A partner's transactions against its outturn, by RS line, with the years compared."""

    partner: str
    authority: str
    transactions_year: str
    outturn_year: str
    label: str
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the reconciliation as a JSON-ready document (decimals as strings)."""

        def plain(value: Any) -> Any:
            if isinstance(value, Decimal):
                return format(value, "f")
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return plain(
            {
                "partner": self.partner,
                "authority": self.authority,
                "transactions_year": self.transactions_year,
                "outturn_year": self.outturn_year,
                "label": self.label,
                "by_service": self.rows,
                "totals": self.totals,
                "mapping": MAP_FILE,
                "notes": self.notes,
            }
        )


def _rs_code(partner: Partner) -> str:
    candidates = [a.strip().upper() for a in partner.areas]
    districts = partner.districts()
    if len(districts) == 1:
        candidates.append(districts[0])
    for code in candidates:
        if any(sources.rs_row(code, y) is not None for y in sources.RS_YEARS):
            return code
    raise OutturnError(
        f"{partner.name}: no Revenue Outturn row for its area "
        f"({', '.join(candidates) or 'areas not set in place.toml'}); the shipped RS covers "
        "English councils, police, fire and combined authorities in 2014-15 and 2017-18."
    )


def reconcile(
    workspace: Workspace, partner: str | Partner, year: str | int | None = None
) -> Reconciliation:
    """Return a partner's transactions for one financial year against its RS outturn, by service line.

    Opens the workspace's warehouse and runs :func:`reconcile_on` on it.
    """
    con = connect(workspace)
    try:
        return reconcile_on(con, workspace, partner, year)
    finally:
        con.disconnect()


def reconcile_on(
    con: Any, workspace: Workspace, partner: str | Partner, year: str | int | None = None
) -> Reconciliation:
    """Return a partner's transactions for one financial year against its RS outturn, by service line.

    ``year`` is the transactions' financial year (default: the latest with data); the
    outturn is the shipped RS year nearest to it. Writes the rows to
    ``outturn_reconciliation`` (replacing earlier rows for this partner). Raises
    :class:`OutturnError` if the partner has no transactions or no RS row.
    """
    found = workspace.partner(partner) if isinstance(partner, str) else partner
    if found is None:
        raise OutturnError(f"no partner {partner!r} in this workspace")
    code = _rs_code(found)
    if not has_table(con, "transactions"):
        raise OutturnError("nothing imported yet: run 'totalplace import' first")
    t = con.table("transactions")
    t = t.filter(t.partner == found.slug)
    fy = start_year_of(t.txn_date, found.fy_start_month)
    t = t.mutate(fy_start_year=fy, month=t.txn_date.truncate("M"))
    years = t.group_by("fy_start_year").aggregate(n=t.count(), months=t.month.nunique())
    by_year = {
        r["fy_start_year"]: r
        for r in years.to_pyarrow().to_pylist()
        if r["fy_start_year"] is not None
    }
    if not by_year:
        raise OutturnError(f"{found.name}: no dated transactions imported")
    asked = parse_year(year)
    start = asked if asked is not None else max(by_year)
    if start not in by_year:
        raise OutturnError(
            f"{found.name}: no transactions in {year_label(start)}; it has "
            + ", ".join(year_label(y) for y in sorted(by_year))
        )
    rs_years = tuple(y for y in sources.RS_YEARS if sources.rs_row(code, y) is not None)
    rs_year = sources.nearest(rs_years, start)
    rs = sources.rs_row(code, rs_year)
    assert rs is not None
    lines = t.filter(t.fy_start_year == start)
    lines = engine.first_matches(lines, ["txn_key"], {"rule": service_rules()}, engine_of(con))
    grouped = lines.group_by("rule").aggregate(
        amount=lines.amount.sum().cast("decimal(18,2)"), n=lines.count()
    )
    by_rule = grouped.to_pyarrow().to_pylist()
    rows, totals = _compare(rs, by_rule, found.name, year_label(start))
    rows_table = pa.Table.from_pylist([{**r, "partner": found.slug} for r in rows], schema=_SCHEMA)
    new = ibis.memtable(rows_table)
    if has_table(con, TABLE):
        old = con.table(TABLE)
        new = old.filter(old.partner != found.slug).union(new)
        new = ibis.memtable(new.to_pyarrow())  # materialise before overwriting its source
    replace_table(con, TABLE, new)
    months = by_year[start]["months"]
    txn_label, rs_label = year_label(start), year_label(rs_year)
    gap = start - rs_year
    label = (
        f"{found.name}: transactions {txn_label} against the RS outturn {rs_label} of "
        f"{rs['authority']} ({rs['source_file']}, sheet {rs['sheet']!r}, row {rs['sheet_row']})"
        + (
            f" — the nearest year shipped, {abs(gap)} years {'earlier' if gap > 0 else 'later'}"
            if gap
            else ""
        )
    )
    notes = [
        "Transactions are gross payments over the publication threshold, revenue and capital; "
        "the RS is net current expenditure (net of fees, charges and income from other bodies, "
        "support services spread over the services), so a share above 100% means gross "
        "payments exceed net spending, not that the ledger covers more than the outturn. "
        "Lines are indicative.",
        f"Cash in each year's prices, not deflated ({txn_label} vs {rs_label}).",
    ]
    if months < 12:
        notes.append(f"{found.name} has transactions in {months} of 12 months of {txn_label}.")
    return Reconciliation(
        found.name, str(rs["authority"]), txn_label, rs_label, label, rows, totals, notes
    )


_SCHEMA = pa.schema(
    [
        ("rs_line", pa.string()),
        ("service", pa.string()),
        ("outturn", pa.decimal128(18, 2)),
        ("outturn_cell", pa.string()),
        ("transactions", pa.decimal128(18, 2)),
        ("transaction_lines", pa.int64()),
        ("covered_share", pa.decimal128(18, 4)),
        ("rules", pa.string()),
        ("transactions_year", pa.string()),
        ("outturn_year", pa.string()),
        ("partner", pa.string()),
    ]
)


def _compare(
    rs: dict[str, Any], by_rule: list[dict[str, Any]], name: str, txn_year: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return rows per RS line (plus outside/unmapped) and the totals."""
    rules = {r.id: r for r in service_rules()}
    per_line: dict[str, dict[str, Any]] = {}
    for item in by_rule:
        rule = rules.get(item["rule"]) if item["rule"] is not None else None
        line = rule.rs_line if rule else UNMAPPED
        entry = per_line.setdefault(line, {"amount": ZERO, "n": 0, "rules": set()})
        entry["amount"] += Decimal(item["amount"])
        entry["n"] += int(item["n"])
        if rule:
            entry["rules"].add(rule.number)
    rs_year = str(rs["financial_year"])
    total_service = sources.as_decimal(rs.get("line_699"))
    dominant = [
        line
        for line in sources.RS_SERVICE_LINES
        if total_service > 0
        and sources.as_decimal(rs.get(f"line_{line}")) >= total_service * SINGLE_SERVICE
    ]
    if dominant and UNMAPPED in per_line:
        # A single-service authority (police, fire): what no rule places is its one service.
        moved = per_line.pop(UNMAPPED)
        entry = per_line.setdefault(dominant[0], {"amount": ZERO, "n": 0, "rules": set()})
        entry["amount"] += moved["amount"]
        entry["n"] += moved["n"]
        entry["rules"].add("single-service")
    rows = []
    for line in [*sources.RS_SERVICE_LINES, OUTSIDE, UNMAPPED]:
        entry = per_line.get(line, {"amount": ZERO, "n": 0, "rules": set()})
        outturn = sources.as_decimal(rs.get(f"line_{line}")) if line.isdigit() else None
        if line.isdigit() and not outturn and not entry["n"]:
            continue
        covered = None
        if outturn and outturn > 0:
            covered = (entry["amount"] / outturn).quantize(Decimal("0.0001"))
        rows.append(
            {
                "rs_line": line,
                "service": sources.RS_LINE_NAMES.get(line)
                or (
                    "Payments to other public bodies (not service spending)"
                    if line == OUTSIDE
                    else "Not mapped to a service line"
                ),
                "outturn": outturn,
                "outturn_cell": sources.rs_cell(rs, line) if line.isdigit() else None,
                "transactions": entry["amount"],
                "transaction_lines": entry["n"],
                "covered_share": covered,
                "rules": ",".join(str(n) for n in sorted(entry["rules"], key=str)),
                "transactions_year": txn_year,
                "outturn_year": rs_year,
            }
        )
    mapped = sum((r["transactions"] for r in rows if r["rs_line"].isdigit()), ZERO)
    totals = {
        "outturn_total_service_expenditure": total_service,
        "outturn_cell": sources.rs_cell(rs, "699"),
        "outturn_net_current_expenditure": sources.as_decimal(rs.get("line_749")),
        "transactions_mapped_to_services": mapped,
        "transactions_outside_services": per_line.get(OUTSIDE, {}).get("amount", ZERO),
        "transactions_unmapped": per_line.get(UNMAPPED, {}).get("amount", ZERO),
        "transactions_total": sum((e["amount"] for e in per_line.values()), ZERO),
        "covered_share": (mapped / total_service).quantize(Decimal("0.0001"))
        if total_service > 0
        else None,
        "transactions_year": txn_year,
        "outturn_year": rs_year,
        "partner": name,
    }
    return rows, totals
