"""Pooled and aligned budgets: per theme, the share of the place's spend that is pooled, aligned or separate.

Reads the count's ``count_by_partner_theme_year`` and the arrangements the partners
declare in ``pooled_budgets.toml`` (:mod:`totalplace.workspace.pooled_tables`), and
writes ``count_pooled``: one row per financial year × theme with an arrangement ×
partner, giving the theme's counted spend in the place, how much of it is pooled or
aligned (the declared contributions) and separate (the rest), and each partner's
contribution beside its share of the theme's spend.

A partner's spend on a theme, against which its contribution is checked, is its
counted spend there plus what it paid to other partners on it (place share): money
put into a pool hosted by another partner is paid to that partner, and counted where
the host spends it (domain spec §3.2 rule 4), so the theme's spend counts it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ibis
import pyarrow as pa

from totalplace import stages
from totalplace.classify.rules import THEMES
from totalplace.count.cells import COUNT_TABLE
from totalplace.money import ZERO, times_share
from totalplace.report.documents import jsonable
from totalplace.warehouse import replace_table, transaction
from totalplace.workspace import PlaceFileProblem, Workspace
from totalplace.workspace.pooled_tables import (
    POOLED_FILE,
    PooledBudget,
    PooledBudgetError,
    read_pooled_budgets,
)
from totalplace.years import year_label

__all__ = ["POOLED_TABLE", "PooledResult", "declared", "pooled", "pooled_rows"]

POOLED_TABLE = "count_pooled"
_MONEY = "decimal(18,2)"

#: The columns of ``count_pooled``, in order.
SCHEMA = pa.schema(
    [
        ("financial_year", pa.string()),
        ("fy_start_year", pa.int64()),
        ("theme", pa.string()),
        ("partner", pa.string()),
        ("counted_amount", pa.decimal128(18, 2)),
        ("paid_to_partners", pa.decimal128(18, 2)),
        ("pooled_contribution", pa.decimal128(18, 2)),
        ("aligned_contribution", pa.decimal128(18, 2)),
        ("arrangements", pa.string()),
        ("theme_spend", pa.decimal128(18, 2)),
        ("theme_pooled", pa.decimal128(18, 2)),
        ("theme_aligned", pa.decimal128(18, 2)),
        ("theme_separate", pa.decimal128(18, 2)),
        ("pooled_share", pa.float64()),
        ("aligned_share", pa.float64()),
        ("separate_share", pa.float64()),
        ("partner_theme_share", pa.float64()),
        ("partner_arrangement_share", pa.float64()),
        ("source", pa.string()),
    ]
)


@dataclass
class PooledResult:
    """The pooled shares as plain rows (money exact), the arrangements declared, and notes."""

    rows: list[dict[str, Any]]
    arrangements: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def themes(self) -> list[dict[str, Any]]:
        """Return one row per year and theme: spend, pooled, aligned, separate and their shares."""
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        keys = ("financial_year", "theme", "theme_spend", "theme_pooled", "theme_aligned")
        more = ("theme_separate", "pooled_share", "aligned_share", "separate_share")
        for row in self.rows:
            seen.setdefault((row["financial_year"], row["theme"]), {k: row[k] for k in keys + more})
        return list(seen.values())

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-ready document (decimals as strings)."""
        return jsonable(
            {
                "themes": self.themes(),
                "partners": self.rows,
                "arrangements": self.arrangements,
                "notes": self.notes,
            }
        )


def declared(workspace: Workspace) -> list[PooledBudget]:
    """Return the arrangements of the workspace's pooled_budgets.toml ([] without one).

    Raises PooledBudgetError listing each fault with its line; nothing is read from the warehouse.
    """
    return read_pooled_budgets(workspace.root, workspace.partners, THEMES)


def pooled(workspace: Workspace, con: Any | None = None) -> PooledResult:
    """Check the declared arrangements against the count, write ``count_pooled``, record it, return it.

    Raises PooledBudgetError (nothing written) for a fault in pooled_budgets.toml, a
    contribution above the partner's spend on the theme, or arrangements above the
    theme's spend; StageNotRun / StageStale unless the count is current. With no
    arrangements the table is written empty.
    """
    budgets = declared(workspace)
    with stages.using(workspace, con) as c:
        stages.require(c, workspace, "count")
        table = pooled_table(c, budgets)
        _check(workspace, budgets, table, stages.last_run(c, "classify") is not None)
        with transaction(c):
            replace_table(c, POOLED_TABLE, ibis.memtable(table))
        stages.record(c, workspace, "count_pooled")
    return _result(workspace, budgets, table)


def pooled_rows(workspace: Workspace, con: Any | None = None) -> PooledResult:
    """Return ``count_pooled`` as the last run wrote it (StageNotRun / StageStale if not current)."""
    budgets = declared(workspace)
    with stages.using(workspace, con) as c:
        stages.require(c, workspace, "count_pooled")
        t = c.table(POOLED_TABLE)
        table = t.order_by([t.fy_start_year, t.theme, t.partner]).to_pyarrow()
    return _result(workspace, budgets, table.cast(SCHEMA))


def pooled_table(con: Any, budgets: list[PooledBudget]) -> pa.Table:
    """Return the rows of ``count_pooled`` for ``budgets``, computed in the engine from the count."""
    if not budgets:
        return SCHEMA.empty_table()
    by_partner, by_theme = _declared_tables(budgets)
    c = con.table(COUNT_TABLE)
    c = c.filter(c.fy_start_year.notnull())
    cells = c.mutate(paid=times_share(c.to_partners, c.share))
    spend = cells.group_by(["fy_start_year", "theme", "partner"]).aggregate(
        counted_amount=cells.counted_amount.sum().cast(_MONEY),
        paid_to_partners=cells.paid.sum().cast(_MONEY),
    )
    themes = ibis.memtable(by_theme)
    spend = spend.inner_join(themes, ["fy_start_year", "theme"])
    totals = spend.group_by(["fy_start_year", "theme"]).aggregate(
        theme_spend=spend.counted_amount.sum().cast(_MONEY)
    )
    rows = spend.inner_join(totals, ["fy_start_year", "theme"])
    given = ibis.memtable(by_partner)
    rows = rows.left_join(given, ["fy_start_year", "theme", "partner"]).drop(
        "fy_start_year_right", "theme_right", "partner_right"
    )
    zero = ibis.literal(ZERO, type=_MONEY)
    rows = rows.mutate(
        pooled_contribution=rows.pooled_contribution.fill_null(zero),
        aligned_contribution=rows.aligned_contribution.fill_null(zero),
        arrangements=rows.arrangements.fill_null(""),
    )
    spend_f = rows.theme_spend.cast("float64").nullif(0)
    joint = (rows.theme_pooled + rows.theme_aligned).cast("float64").nullif(0)
    separate = (rows.theme_spend - rows.theme_pooled - rows.theme_aligned).cast(_MONEY)
    out = rows.mutate(
        theme_separate=separate,
        pooled_share=rows.theme_pooled.cast("float64") / spend_f,
        aligned_share=rows.theme_aligned.cast("float64") / spend_f,
        separate_share=separate.cast("float64") / spend_f,
        partner_theme_share=rows.counted_amount.cast("float64") / spend_f,
        partner_arrangement_share=(rows.pooled_contribution + rows.aligned_contribution).cast(
            "float64"
        )
        / joint,
        source=ibis.literal(f"{POOLED_FILE} (")
        + rows.theme_lines
        + ibis.literal(f"); {COUNT_TABLE}"),
    )
    out = out.order_by([out.fy_start_year, out.theme, out.partner])
    found = out.to_pyarrow()
    labels = pa.array([year_label(y) for y in found["fy_start_year"].to_pylist()], pa.string())
    return found.append_column("financial_year", labels).select(SCHEMA.names).cast(SCHEMA)


def _declared_tables(budgets: list[PooledBudget]) -> tuple[pa.Table, pa.Table]:
    """Return the declared contributions summed per year × theme × partner, and per year × theme.

    A loop over the few declared arrangements, not over data rows.
    """
    partner: dict[tuple[int, str, str], dict[str, Any]] = {}
    theme: dict[tuple[int, str], dict[str, Any]] = {}
    for b in budgets:
        t = theme.setdefault(
            (b.fy_start_year, b.theme),
            {
                "fy_start_year": b.fy_start_year,
                "theme": b.theme,
                "pooled": ZERO,
                "aligned": ZERO,
                "lines": [],
            },
        )
        t[b.pooling] += b.total
        t["lines"].append(f"{b.name!r} line {b.line}" if b.line else repr(b.name))
        for c in b.contributions:
            p = partner.setdefault(
                (b.fy_start_year, b.theme, c.partner),
                {"pooled": ZERO, "aligned": ZERO, "names": []},
            )
            p[b.pooling] += c.amount
            p["names"].append(b.name)
    by_partner = pa.table(
        {
            "fy_start_year": pa.array([k[0] for k in partner], pa.int64()),
            "theme": pa.array([k[1] for k in partner], pa.string()),
            "partner": pa.array([k[2] for k in partner], pa.string()),
            "pooled_contribution": pa.array(
                [v["pooled"] for v in partner.values()], pa.decimal128(18, 2)
            ),
            "aligned_contribution": pa.array(
                [v["aligned"] for v in partner.values()], pa.decimal128(18, 2)
            ),
            "arrangements": pa.array(
                ["; ".join(v["names"]) for v in partner.values()], pa.string()
            ),
        }
    )
    by_theme = pa.table(
        {
            "fy_start_year": pa.array([t["fy_start_year"] for t in theme.values()], pa.int64()),
            "theme": pa.array([t["theme"] for t in theme.values()], pa.string()),
            "theme_pooled": pa.array([t["pooled"] for t in theme.values()], pa.decimal128(18, 2)),
            "theme_aligned": pa.array([t["aligned"] for t in theme.values()], pa.decimal128(18, 2)),
            "theme_lines": pa.array(["; ".join(t["lines"]) for t in theme.values()], pa.string()),
        }
    )
    return by_partner, by_theme


def _check(
    workspace: Workspace, budgets: list[PooledBudget], table: pa.Table, classified: bool = True
) -> None:
    """Raise PooledBudgetError naming each line whose money the count cannot hold.

    Before ``totalplace classify`` no line has a theme, so that is what the message asks for.
    """
    hint = (
        "check the year and theme, or import that year first"
        if classified
        else "run `totalplace classify` first: until then no spending has a theme"
    )
    rows = {(r["fy_start_year"], r["theme"], r["partner"]): r for r in table.to_pylist()}
    themes = {(r["fy_start_year"], r["theme"]): r for r in rows.values()}
    names = {p.slug: p.name for p in workspace.partners}
    problems: list[PlaceFileProblem] = []
    reported: set[tuple[int, str]] = set()
    for b in budgets:
        key = (b.fy_start_year, b.theme)
        theme = themes.get(key)
        if theme is None:
            problems.append(
                PlaceFileProblem(
                    b.line,
                    "year",
                    f"arrangement {b.name!r}: the count has no spending on {b.theme} in "
                    f"{b.financial_year}; {hint}",
                )
            )
            continue
        for c in b.contributions:
            row = rows.get((*key, c.partner))
            spend = (row["counted_amount"] + row["paid_to_partners"]) if row else ZERO
            given = (row["pooled_contribution"] + row["aligned_contribution"]) if row else c.amount
            if given > spend:
                problems.append(
                    PlaceFileProblem(
                        c.line,
                        "contributions",
                        f"arrangement {b.name!r}: {names.get(c.partner, c.partner)} contributes "
                        f"£{given:,.2f} to {b.theme} in {b.financial_year} (all its arrangements), "
                        f"more than its spend on the theme in the place, £{spend:,.2f} (counted "
                        "plus paid to partners); check the amount, or the theme its spending is "
                        "classified to",
                    )
                )
        joint = theme["theme_pooled"] + theme["theme_aligned"]
        if joint > theme["theme_spend"] and key not in reported:
            reported.add(key)
            problems.append(
                PlaceFileProblem(
                    b.line,
                    "contributions",
                    f"the arrangements on {b.theme} in {b.financial_year} total £{joint:,.2f}, "
                    f"more than the theme's counted spend in the place, £{theme['theme_spend']:,.2f}; "
                    "a pooled or aligned budget is part of the theme's spend, never more",
                )
            )
    if problems:
        ordered = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        path = workspace.root / POOLED_FILE
        listed = "\n".join(
            f"  line {p.line}: {p.message}" if p.line else f"  {p.message}" for p in ordered
        )
        raise PooledBudgetError(
            f"{path} does not fit the count ({len(ordered)} problem"
            f"{'s' if len(ordered) > 1 else ''}):\n{listed}\nNothing was written; fix it and run "
            "'totalplace count' again.",
            tuple(ordered),
        )


def _result(workspace: Workspace, budgets: list[PooledBudget], table: pa.Table) -> PooledResult:
    names = {p.slug: p.name for p in workspace.partners}
    rows = [{**r, "partner_name": names.get(r["partner"], r["partner"])} for r in table.to_pylist()]
    arrangements = [
        {
            "name": b.name,
            "kind": b.kind,
            "pooling": b.pooling,
            "theme": b.theme,
            "host": names.get(b.host, b.host),
            "financial_year": b.financial_year,
            "total": b.total,
            "contributions": {names.get(c.partner, c.partner): c.amount for c in b.contributions},
            "source": b.source,
            "line": b.line,
        }
        for b in budgets
    ]
    notes = list(_notes(budgets))
    return PooledResult(rows, arrangements, notes)


def _notes(budgets: Iterable[PooledBudget]) -> Iterable[str]:
    if budgets:
        yield (
            f"Pooled and aligned budgets are as declared in {POOLED_FILE}; each is part of its "
            "theme's counted spend (money a partner pays into a pool hosted by another is "
            "counted once, where the host spends it)."
        )
