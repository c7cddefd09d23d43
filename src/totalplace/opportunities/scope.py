"""The lines opportunities are drawn from: the counted lines, with their source, classification and supplier.

Starts from ``count_lines`` so every opportunity reconciles to the count, and keeps
only lines the count counts: transfers (paid to another partner, or passed on as
precepts, business-rates shares and the like) are excluded, as they are from the
count. Each line carries its ledger amount and the share of it the count
apportions to the place (1 for a body covering only the place).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from totalplace import stages
from totalplace.classify.rules import FIELDS
from totalplace.count.transfers import payee_key
from totalplace.errors import WorkspaceStateError
from totalplace.opportunities.categories import CategorySet, categorise
from totalplace.warehouse import engine_of, has_table
from totalplace.workspace import Workspace
from totalplace.years import DATE_MISSING

#: Subjective groups that are not purchases from suppliers, so not procurement:
#: benefits and grants to people, income, and capital financing (interest, PFI charges).
NOT_PROCUREMENT_SUBJECTIVES: tuple[str, ...] = ("Transfer payments", "Income", "Capital financing")

REGISTER_TABLES = ("suppliers", "supplier_members")
NO_REGISTER_NOTE = (
    "The supplier register has not been built, so shared suppliers are not shown and "
    "suppliers are counted by exact payee name. Run 'totalplace link' to resolve payees "
    "across partners, then run 'totalplace opportunities' again."
)

DECIMAL = "decimal(18,2)"


class OpportunitiesError(WorkspaceStateError):
    """Opportunities cannot be found yet; the message says what to run first."""


def scalar(expr: ir.Scalar) -> int:
    """Return an integer scalar expression's value (through Arrow, not pandas)."""
    value = expr.to_pyarrow().as_py()
    return int(value or 0)


def register_available(con: Any, workspace: Workspace) -> bool:
    """Return whether ``totalplace link`` has made the supplier register, up to date.

    False before link ever ran here; once it has, its register is read only as it is
    now: StageStale (re-run link) after an import or an edit of supplier_overrides.toml,
    StageNotRun if register tables are there without a recorded run.
    """
    if stages.last_run(con, "link") is None and not any(
        has_table(con, name) for name in REGISTER_TABLES
    ):
        return False
    stages.require(con, workspace, "link")
    return True


def check_ready(con: Any, workspace: Workspace) -> None:
    """Raise unless this workspace's partners have imported lines and classify and count
    have run since (OpportunitiesError, StageNotRun or StageStale saying what to run)."""
    partners = [p.slug for p in workspace.partners]
    imported = 0
    if partners and has_table(con, "transactions"):
        t = con.table("transactions")
        imported = scalar(t.filter(t.partner.isin(partners)).count())
    if imported == 0:
        raise OpportunitiesError(
            "no transactions of this workspace's partners are imported: add partners and run "
            "'totalplace import', then 'totalplace classify' and 'totalplace count'."
        )
    stages.require(con, workspace, "classify")
    stages.require(con, workspace, "count")  # stale too if classify ran again after it


def _payee_key(t: ir.Table) -> ir.StringValue:
    key = payee_key(t.supplier_name)
    return ibis.ifelse((t.payee_status == "named") & (key != ""), key, ibis.null().cast("string"))


def _members(con: Any) -> ir.Table:
    """Return one row per (partner, raw payee name): its supplier, kind and match evidence."""
    m = con.table("supplier_members")
    # (partner, raw_name) is one member in the register; min() only guards the join
    # against a duplicate so no line could ever be counted twice.
    m = m.group_by(["partner", "raw_name"]).aggregate(
        supplier_id=m.supplier_id.min(), match_rule=m.match_rule.min()
    )
    s = con.table("suppliers").select("supplier_id", "canonical_name", "kind")
    return m.join(s, "supplier_id").rename(member_partner="partner")


def scope_lines(
    con: Any, workspace: Workspace, fy_start_year: int | None, categories: CategorySet
) -> tuple[ir.Table, bool]:
    """Return (counted non-transfer lines with source, classification, supplier and category, register?).

    Columns: txn_key, partner, fy_start_year, year_key, theme, amount, share, method,
    source_file, sheet, row_number, supplier_name, payee_status, payee_key,
    subjective, front_back, back_office_function, back_office_rule, theme_rule,
    supplier_id, supplier_name_canonical, supplier_kind, match_rule, supplier_ref,
    procurement (bool), category_rule, category_source, category, category_key,
    influenceable.
    """
    partners = [p.slug for p in workspace.partners]
    cl = con.table("count_lines")
    cl = cl.filter(cl.partner.isin(partners) & cl.transfer_kind.isnull())
    if fy_start_year is not None:
        cl = cl.filter(cl.fy_start_year == fy_start_year)
    cl = cl.select("txn_key", "partner", "fy_start_year", "theme", "amount", "share", "method")
    text = [f for f in FIELDS if f not in ("supplier_name", "payee_status")]
    tx = con.table("transactions").select(
        "txn_key", "source_file", "sheet", "row_number", "supplier_name", "payee_status", *text
    )
    c = con.table("classifications").select(
        "txn_key",
        "subjective",
        "front_back",
        "back_office_function",
        "back_office_rule",
        "theme_rule",
    )
    lines = cl.join(tx, "txn_key").join(c, "txn_key")
    lines = lines.mutate(
        payee_key=_payee_key(lines),
        # A text key for the year, so lines without a date join and group safely.
        year_key=lines.fy_start_year.cast("string").fill_null(DATE_MISSING),
    )
    null = ibis.null().cast("string")
    register = register_available(con, workspace)
    if register:
        m = _members(con)
        lines = lines.left_join(
            m, [lines.partner == m.member_partner, lines.supplier_name == m.raw_name]
        ).drop("member_partner", "raw_name")
        lines = lines.rename(supplier_name_canonical="canonical_name", supplier_kind="kind")
        by_supplier = ibis.ifelse(
            lines.supplier_id.notnull() & (lines.supplier_kind != "redacted"),
            "supplier:" + lines.supplier_id,
            null,
        )
        ref = by_supplier.coalesce("name:" + lines.payee_key)
    else:
        lines = lines.mutate(
            supplier_id=null,
            supplier_name_canonical=null,
            supplier_kind=null,
            match_rule=null,
        )
        ref = "name:" + lines.payee_key
    procurement = (lines.payee_status == "named") & ~lines.subjective.isin(
        list(NOT_PROCUREMENT_SUBJECTIVES)
    ).fill_null(False)
    lines = lines.mutate(supplier_ref=ref, procurement=procurement)
    lines = categorise(lines, categories, engine_of(con))
    return lines.drop(*text), register
