"""Payment integrity findings as each viewer may see them.

Reads ``integrity_findings`` and ``integrity_members`` (written by ``totalplace
integrity``), grouping by whatever ``detector`` holds, so a new detector's findings
appear without a change here. Who sees what (web/access.py):

* every signed-in role: totals by detector and grade for the place, small cells of
  other partners' findings suppressed (with secondary suppression against the grade
  and place totals);
* an analyst: their own partner's findings in full, with the transactions behind each
  (source file, row, date, supplier, amount); another partner's side of a finding that
  crosses partners as an aggregate only; findings that do not involve their partner as
  aggregates by detector and partner, never a supplier name or a transaction;
* an administrator: the aggregates, never a finding's transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from totalplace.errors import UsageError
from totalplace.integrity.tables import GRADES, PROBABLE
from totalplace.money import ZERO
from totalplace.web.access import SMALL_CELL, Viewer, may_see_transactions, own_partner, protect
from totalplace.web.views.common import partner_names, place_of, reading, years_available
from totalplace.workspace import Workspace
from totalplace.years import parse_year, year_label

__all__ = [
    "CAUTION",
    "PER_PAGE",
    "TRANSACTIONS_SHOWN",
    "FilterError",
    "Filters",
    "amount_text",
    "board_paragraphs",
    "check_filters",
    "finding_detail",
    "findings_overview",
    "own_findings_tables",
]

#: Findings of the viewer's own partner on one page; transactions shown under one finding.
PER_PAGE = 50
TRANSACTIONS_SHOWN = 500
#: The longest filter value taken from a query (a detector's name is far shorter).
FILTER_MAX = 80
#: Said of every finding whose grade is not 'probable error'.
CAUTION = "A signal to check, not an accusation."
TRANSACTION_COLUMNS = ("source_file", "sheet", "row_number", "txn_date", "supplier_name",
                       "transaction_id")  # fmt: skip


class FilterError(UsageError):
    """A filter value that is not one of the findings' own (the message lists what is)."""


@dataclass(frozen=True)
class Filters:
    """The findings asked for: one detector, grade and financial year (None: all), and a page."""

    detector: str | None = None
    grade: str | None = None
    year: int | None = None
    page: int = 1

    def as_json(self) -> dict[str, Any]:
        """Return the filters as shown back to the viewer (the year as a label)."""
        return {"detector": self.detector, "grade": self.grade,
                "year": year_label(self.year) if self.year is not None else None,
                "page": self.page}  # fmt: skip


def check_filters(
    ws: Workspace,
    detector: str | None = None,
    grade: str | None = None,
    year: str | None = None,
    page: int = 1,
) -> Filters:
    """Return the filters if each is one the findings have; raise FilterError naming the choices.

    Raises StageNotRun / StageStale when the integrity tables are missing or out of date.
    """
    detector, grade, year = (None if not v else v.strip()[:FILTER_MAX] or None
                             for v in (detector, grade, year))  # fmt: skip
    if grade is not None and grade not in GRADES:
        raise FilterError(f"there is no grade {grade!r}: choose one of {', '.join(GRADES)}")
    if not 1 <= page <= 100_000:
        raise FilterError("the page is a number from 1")
    start = parse_year(year) if year is not None else None  # YearError is a UsageError too
    with reading(ws, "integrity") as con:
        known = _detectors(con)
        years = [y["fy_start_year"] for y in years_available(con)]
    if detector is not None and detector not in known:
        raise FilterError(f"there is no detector {detector!r}: choose one of {', '.join(known)}")
    if start is not None and start not in years:
        labels = ", ".join(year_label(y) for y in years) or "none"
        raise FilterError(f"there are no payments in {year_label(start)}: the years are {labels}")
    return Filters(detector, grade, start, page)


def _detectors(con: Any) -> list[str]:
    t = con.table("integrity_findings")
    return sorted(t.select("detector").distinct().to_pyarrow().column(0).to_pylist())


def _findings(con: Any, f: Filters) -> ir.Table:
    """Return the findings the filters keep (a finding is in a year if any payment of it is)."""
    t = con.table("integrity_findings")
    if f.detector is not None:
        t = t.filter(t.detector == f.detector)
    if f.grade is not None:
        t = t.filter(t.grade == f.grade)
    if f.year is not None:
        m = con.table("integrity_members")
        lines = con.table("count_lines").select("txn_key", "fy_start_year")
        dated = m.join(lines, "txn_key")
        ids = dated.filter(dated.fy_start_year == f.year).select("finding_id").distinct()
        t = t.semi_join(ids, "finding_id")
    return t


def _involves(partners: ir.StringValue, own: str | None) -> ir.BooleanValue:
    """Return whether a finding's partners (slugs joined with ', ') include ``own``."""
    if own is None:
        return ibis.literal(False)
    return (ibis.literal(", ") + partners + ", ").contains(f", {own}, ")


def _label(partners: str, names: dict[str, str]) -> str:
    return ", ".join(names.get(p, p) for p in partners.split(", "))


def _totals(groups: list[dict[str, Any]], viewer: Viewer, names: dict[str, str]) -> dict[str, Any]:
    """Return the place's totals by detector and grade, the viewer's own part and the others'
    parts, suppressed together: a part shown beside a total never reveals a withheld one."""
    own = own_partner(viewer)
    cells: dict[str, dict[str, Any]] = {}
    lines: list[tuple[str | None, list[str]]] = []
    heads: dict[tuple[str, str], list[str]] = {}
    for g in groups:  # one per detector x grade x partners: a few dozen
        key = (g["detector"], g["grade"])
        part = f"o|{key}" if g["mine"] else f"x|{key}|{g['partners']}"
        cell = cells.setdefault(part, {"detector": g["detector"], "grade": g["grade"],
                                       "partner": own if g["mine"] else g["partners"],
                                       "findings": 0, "payments": 0, "amount": ZERO})  # fmt: skip
        for k in ("findings", "payments", "amount"):
            cell[k] += g[k]
        if part not in heads.setdefault(key, []):
            heads[key].append(part)
    for (detector, grade), parts in heads.items():
        sole = {cells[p]["partner"] for p in parts}
        cells[f"s|{detector}|{grade}"] = {
            "detector": detector, "grade": grade, "partner": sole.pop() if len(sole) == 1 else None,
            **{k: sum((cells[p][k] for p in parts), 0 if k != "amount" else ZERO)
               for k in ("findings", "payments", "amount")},
        }  # fmt: skip
        lines.append((f"s|{detector}|{grade}", parts))
    for grade in GRADES:
        members = [f"s|{d}|{g}" for d, g in heads if g == grade]
        if members:
            cells[f"g|{grade}"] = {"grade": grade, "partner": None,
                                   **{k: sum((cells[m][k] for m in members), 0 if k != "amount" else ZERO)
                                      for k in ("findings", "payments", "amount")}}  # fmt: skip
            lines.append((f"g|{grade}", members))
    done = protect(cells, lines, viewer, count_key="payments")

    def shown(prefix: str) -> list[dict[str, Any]]:
        rows = [{**v, "money_at_stake": v.pop("amount")} for k, v in done.items()
                if k.startswith(prefix)]  # fmt: skip
        return sorted(rows, key=lambda r: (GRADES.index(r["grade"]), r["money_at_stake"] is None,
                                           -(r["money_at_stake"] or 0), r.get("detector", "")))  # fmt: skip

    others = shown("x|")
    for row in others:
        row["partner_name"] = _label(row.pop("partner"), names)
    return {"summary": shown("s|"), "grades": shown("g|"), "others": others}


def _seen(con: Any, t: ir.Table, own: str) -> ir.Table:
    """Return the findings of ``t`` involving ``own``, ``finding_id`` as the viewer knows it and
    ``stage_id`` the stage's. A finding across partners is named by its detector and the own
    partner's first payment: the stage's id names its first payment, perhaps another
    partner's source row. Unique, as the stage's is: a payment is in one finding of a detector.
    """
    mine = t.filter(_involves(t.partners, own))
    m = con.table("integrity_members")
    m = m.filter(m.partner == own)
    first = m.group_by("finding_id").aggregate(first_own=m.txn_key.min())
    j = mine.left_join(first, mine.finding_id == first.finding_id)
    public = ibis.ifelse(
        (j.partners == own) | j.first_own.isnull(), j.finding_id, j.detector + ":" + j.first_own
    )
    rest = [j[c] for c in mine.columns if c != "finding_id"]
    return j.select(public.name("finding_id"), *rest, stage_id=j.finding_id)


def _own_page(con: Any, t: ir.Table, own: str, f: Filters, names: dict[str, str],
              viewer: Viewer) -> dict[str, Any]:  # fmt: skip
    """Return one page of the own partner's findings, each with its own and others' payments."""
    mine = _seen(con, t, own)
    total = int(mine.count().to_pyarrow().as_py() or 0)
    page = mine.order_by([ibis.desc("money_at_stake"), "finding_id"])
    rows = page.limit(PER_PAGE, offset=(f.page - 1) * PER_PAGE).to_pyarrow().to_pylist()
    sides = _sides(con, [r["stage_id"] for r in rows])
    for r in rows:  # one page: PER_PAGE findings at most
        _describe(r, sides.get(r.pop("stage_id"), []), own, names, viewer)
    return {"partner": own, "partner_name": names.get(own, own), "findings": rows,
            "total": total, "page": f.page, "pages": max(1, -(-total // PER_PAGE))}  # fmt: skip


def _sides(con: Any, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Return per finding its payments by partner: count and amount."""
    if not ids:
        return {}
    m = con.table("integrity_members")
    m = m.filter(m.finding_id.isin(ids))
    g = m.group_by(["finding_id", "partner"]).aggregate(payments=m.count(), amount=m.amount.sum())
    out: dict[str, list[dict[str, Any]]] = {}
    for r in g.order_by(["finding_id", "partner"]).to_pyarrow().to_pylist():
        out.setdefault(r["finding_id"], []).append(r)
    return out


def _describe(row: dict[str, Any], sides: list[dict[str, Any]], own: str,
              names: dict[str, str], viewer: Viewer) -> None:  # fmt: skip
    """Add to a finding the words it needs and its own and other partners' sides (suppressed)."""
    row["caution"] = None if row["grade"] == PROBABLE else CAUTION
    row["partners_names"] = _label(row["partners"], names)
    mine = [s for s in sides if s["partner"] == own]
    row["own_payments"] = sum(int(s["payments"]) for s in mine)
    row["own_amount"] = sum((s["amount"] for s in mine), ZERO)
    cells = {str(i): {"partner": s["partner"], "payments": int(s["payments"]), "amount": s["amount"]}
             for i, s in enumerate(s for s in sides if s["partner"] != own)}  # fmt: skip
    done = protect(cells, [(None, list(cells))], viewer, count_key="payments")
    row["other_sides"] = [{**c, "partner_name": names.get(c["partner"], c["partner"])}
                          for c in done.values()]  # fmt: skip


def findings_overview(ws: Workspace, viewer: Viewer, f: Filters) -> dict[str, Any]:
    """Return the integrity page's figures for ``viewer``: totals by detector and grade (all
    roles), the other partners' findings as aggregates (analysts, administrators) and one page
    of the viewer's own partner's findings (analysts). Decimal amounts; None where suppressed.
    Raises StageNotRun / StageStale: "run `totalplace integrity` first".
    """
    names = partner_names(ws)
    own = own_partner(viewer) if viewer.role == "analyst" else None
    with reading(ws, "integrity") as con:
        t = _findings(con, f)
        marked = t.mutate(mine=_involves(t.partners, own_partner(viewer)))
        groups = marked.group_by(["detector", "grade", "partners", "mine"]).aggregate(
            findings=marked.count(),
            payments=marked["rows"].sum(),
            amount=marked.money_at_stake.sum(),
        )
        totals = _totals(groups.to_pyarrow().to_pylist(), viewer, names)
        own_page = _own_page(con, t, own, f, names, viewer) if own else None
        years = years_available(con)
        detectors = _detectors(con)
    return {
        "place": place_of(ws),
        "filters": f.as_json(),
        "choices": {"detectors": detectors, "grades": list(GRADES), "years": years},
        **totals,
        "others": totals["others"] if viewer.role in ("analyst", "administrator") else [],
        "own": own_page,
        "suppression_note": (
            f"Figures built from fewer than {SMALL_CELL} payments of another partner are "
            "suppressed, and so is any figure that would let one be worked out."
        ),
        "caution": CAUTION,
    }


def finding_detail(ws: Workspace, viewer: Viewer, finding_id: str) -> dict[str, Any] | None:
    """Return one finding with its statistic, rule, the viewer's own transactions behind it (the
    first :data:`TRANSACTIONS_SHOWN`) and the other partners' sides as aggregates; None when the
    finding does not exist or the viewer may not see it (an analyst of a partner in it only)."""
    own = own_partner(viewer)
    if own is None or not may_see_transactions(viewer, own) or len(finding_id) > 200:
        return None
    names = partner_names(ws)
    with reading(ws, "integrity") as con:
        seen = _seen(con, con.table("integrity_findings"), own)
        rows = seen.filter(seen.finding_id == finding_id).limit(1).to_pyarrow().to_pylist()
        if not rows:  # no such finding, or not one of the viewer's partner: the same answer
            return None
        row = rows[0]
        stage_id = row.pop("stage_id")
        _describe(row, _sides(con, [stage_id]).get(stage_id, []), own, names, viewer)
        payments = _payments(con, [stage_id], own)
        shown = payments.order_by(["txn_date", "txn_key"]).limit(TRANSACTIONS_SHOWN)
        row["transactions"] = shown.to_pyarrow().to_pylist()
    row["transactions_shown"] = len(row["transactions"])
    return row


def _payments(con: Any, ids: list[str] | ir.Table, own: str) -> ir.Table:
    """Return the own partner's payments behind the findings (ids, or a table of finding_id)."""
    m = con.table("integrity_members")
    m = m.filter(m.partner == own)
    m = (
        m.filter(m.finding_id.isin(ids))
        if isinstance(ids, list)
        else m.semi_join(ids, "finding_id")
    )
    txns = con.table("transactions").select("txn_key", *TRANSACTION_COLUMNS)
    return m.join(txns, "txn_key")


def own_findings_tables(ws: Workspace, viewer: Viewer, f: Filters) -> dict[str, pa.Table]:
    """Return the analyst's own partner's findings (every page) and the payments behind them:
    {'findings': ..., 'payments': ...} (payments carry their finding's detector, grade, supplier
    and money at stake). Empty tables for a viewer with no partner's transactions to see."""
    own = own_partner(viewer) if viewer.role == "analyst" else None
    with reading(ws, "integrity") as con:
        t = _findings(con, f)
        mine = _seen(con, t, own or "")
        if own is None:
            mine = mine.limit(0)
        findings = mine.order_by([ibis.desc("money_at_stake"), "finding_id"]).drop("stage_id")
        head = mine.select("stage_id", "finding_id", "detector", "grade", "confidence",
                           finding_supplier="supplier", money_at_stake="money_at_stake")  # fmt: skip
        pays = _payments(con, mine.select(finding_id=mine.stage_id), own or "")
        pays = head.join(pays.rename(stage_id="finding_id"), "stage_id").drop("stage_id")
        ordered = pays.order_by([ibis.desc("money_at_stake"), "finding_id", "txn_date", "txn_key"])
        return {"findings": findings.to_pyarrow(), "payments": ordered.to_pyarrow()}


def board_paragraphs(ws: Workspace, leave_out: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """Return the board's plain-language summary of the last integrity run (integrity.summary),
    without the findings of the (detector, grade) pairs in ``leave_out`` (totals suppressed for
    the viewer), then a sentence naming what was left out."""
    from totalplace.integrity import Integrity, load_params
    from totalplace.integrity.summary import board_summary

    with reading(ws, "integrity") as con:
        t = con.table("integrity_findings")
        for detector, grade in leave_out:
            t = t.filter((t.detector != detector) | (t.grade != grade))
        found = t.select("detector", "grade", "confidence", "rows", "money_at_stake")
        findings = found.to_pyarrow().to_pylist()
        repeats = con.table("integrity_repeats").select("total").to_pyarrow().to_pylist()
        years = [y["financial_year"] for y in reversed(years_available(con))]
        detectors = _detectors(con)
    place = {**place_of(ws), "partners": partner_names(ws)}
    paragraphs = board_summary(
        Integrity(place, years, detectors, load_params(ws), findings, repeats)
    )
    if any(grade == PROBABLE for _, grade in leave_out):
        # Without them the summary would say no probable error was found: not what we know.
        paragraphs = [p for p in paragraphs if not p.startswith("Probable errors: none")]
    if leave_out:
        names = "; ".join(sorted(detector for detector, _ in leave_out))
        paragraphs.append(f"Not in these words: {names}. Their totals rest on too few payments of "
                          "another partner to be shown to you; the table says which.")  # fmt: skip
    return paragraphs


def amount_text(amount: Decimal | None) -> str:
    """Return pounds with thousands separators, or 'suppressed' for a withheld figure."""
    return "suppressed" if amount is None else f"£{amount:,.2f}"
