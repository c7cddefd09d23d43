"""The payments the integrity detectors read: every loaded transaction of the place's partners.

Read from the stage tables, never recomputed: ``transactions`` (amount, date,
reference, payee as published), ``count_lines`` (financial year, theme) and, once
``totalplace link`` has run, the supplier register (``supplier_members``), whose group
id is the supplier key so one supplier spelt two ways, or paid by two partners, is one.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from totalplace import stages
from totalplace.count.transfers import payee_key
from totalplace.errors import WorkspaceStateError
from totalplace.warehouse import has_table
from totalplace.workspace import Workspace

__all__ = [
    "PAYMENT_COLUMNS",
    "PLACEHOLDERS",
    "IntegrityError",
    "check_ready",
    "known",
    "payments",
    "register_built",
]

#: The columns of :func:`payments`, in order.
PAYMENT_COLUMNS: tuple[str, ...] = (
    "txn_key",
    "partner",
    "txn_date",
    "fy_start_year",
    "amount",
    "supplier_key",
    "supplier_name",
    "reference",
    "category",
    "shared_category",
    "theme",
    "payee_kind",
    "transfer_kind",
    "fy_start_month",
    "source_file",
    "sheet",
    "row_number",
)

#: Text that stands for "no value", compared in lower case with everything but letters and
#: digits taken out ('N/A' -> 'na', 'Not Applicable' -> 'notapplicable', '-' -> ''):
#: publishers' spellings of a blank, not any one file's.
PLACEHOLDERS: tuple[str, ...] = (
    "",
    "0",
    "na",
    "nk",
    "none",
    "null",
    "nil",
    "nan",
    "unknown",
    "notknown",
    "notapplicable",
    "notspecified",
    "notstated",
    "notrecorded",
    "notavailable",
    "notprovided",
    "unspecified",
    "unclassified",
    "uncategorised",
    "uncategorized",
    "nocategory",
    "redacted",
    "withheld",
    "blank",
    "tbc",
    "tba",
)


def known(text: ir.StringValue) -> ir.StringValue:
    """Return ``text`` stripped, or null when it is blank or a placeholder (:data:`PLACEHOLDERS`)."""
    stripped = text.strip()
    squeezed = stripped.lower().re_replace("[^a-z0-9]", "")
    return ibis.ifelse(
        squeezed.isin(PLACEHOLDERS) | stripped.isnull(), ibis.null("string"), stripped
    )


class IntegrityError(WorkspaceStateError):
    """Integrity cannot be checked yet, or not as asked; the message says what to do."""


def register_built(con: Any, workspace: Workspace) -> bool:
    """Return whether ``totalplace link`` has built the supplier register (raises if it is stale)."""
    if stages.last_run(con, "link") is None and not has_table(con, "supplier_members"):
        return False
    stages.require(con, workspace, "link")
    return True


def check_ready(con: Any, workspace: Workspace) -> None:
    """Raise unless the partners have imported lines and count has run since (says what to run)."""
    partners = [p.slug for p in workspace.partners]
    imported = 0
    if partners and has_table(con, "transactions"):
        t = con.table("transactions")
        imported = int(t.filter(t.partner.isin(partners)).count().to_pyarrow().as_py() or 0)
    if imported == 0:
        raise IntegrityError(
            "no transactions of this workspace's partners are imported: add partners and run "
            "'totalplace import', then 'totalplace classify' and 'totalplace count'."
        )
    stages.require(con, workspace, "count")


def payments(con: Any, workspace: Workspace) -> ir.Table:
    """Return one row per loaded transaction of the workspace's partners (:data:`PAYMENT_COLUMNS`).

    ``supplier_key`` is the register's supplier id when link has run (else the payee
    name upper-cased without spaces or punctuation), null for a redacted or unnamed
    payee (the register's kind 'redacted' too: such payees are never a supplier group);
    ``reference`` the transaction or invoice id as published; ``category`` the
    procurement category (proclass) if published, else the expense type (the
    publisher's own words; placeholders such as 'N/A', '-', 'Unknown' are null);
    ``shared_category`` the classify stage's theme, the same across publishers (null when
    unclassified), which concentration for the place and dependency compare across
    partners. More: ``payee_kind`` (the register's kind: organisation, individual,
    public body, redacted; null before link), ``transfer_kind`` (the count's: a precept,
    a payment to a partner...; null for spending) and ``fy_start_month`` (the partner's
    financial-year start month from place.toml);
    ``source_file``, ``sheet`` and ``row_number`` place the line in its file.
    """
    slugs = [p.slug for p in workspace.partners]
    t = con.table("transactions")
    t = t.filter(t.partner.isin(slugs))
    cl = con.table("count_lines").select("txn_key", "fy_start_year", "theme", "transfer_kind")
    t = t.left_join(cl, "txn_key")
    null = ibis.null().cast("string")
    if register_built(con, workspace):
        m = con.table("supplier_members")
        # (partner, raw_name) is one member (transactions has a supplier_id of its own: the
        # publisher's); min() guards the join against a duplicate row.
        m = m.group_by(["partner", "raw_name"]).aggregate(register_id=m.supplier_id.min())
        s = con.table("suppliers").select(register_id="supplier_id", payee_kind="kind")
        m = m.join(s, "register_id").rename(member_partner="partner")
        t = t.left_join(m, [t.partner == m.member_partner, t.supplier_name == m.raw_name])
        t = t.drop("member_partner", "raw_name")
    else:
        t = t.mutate(register_id=null, payee_kind=null)
    name_key = payee_key(t.supplier_name)
    named = (
        (t.payee_status == "named")
        & (name_key != "")
        & (t.payee_kind.isnull() | (t.payee_kind != "redacted"))
    )
    key = ibis.ifelse(
        named, ibis.ifelse(t.register_id.notnull(), "S:" + t.register_id, "N:" + name_key), null
    )
    reference = t.transaction_id.strip().nullif("")
    category = known(t.proclass).coalesce(known(t.expense_type))
    months = {p.slug: p.fy_start_month for p in workspace.partners}
    # The partner's own start month: a literal per slug (a handful of partners).
    fy_month = ibis.cases(*[(t.partner == slug, m) for slug, m in months.items()], else_=4)
    return t.select(
        txn_key=t.txn_key,
        partner=t.partner,
        txn_date=t.txn_date,
        fy_start_year=t.fy_start_year.cast("int64"),
        amount=t.amount.cast("decimal(18,2)"),
        supplier_key=key,
        supplier_name=t.supplier_name,
        reference=reference,
        category=category,
        shared_category=known(t.theme),
        theme=t.theme,
        payee_kind=t.payee_kind,
        transfer_kind=t.transfer_kind,
        fy_start_month=fy_month.cast("int64"),
        # where the line is printed: the repeated-lines tier of duplicates reads them
        source_file=t.source_file,
        sheet=t.sheet,
        row_number=t.row_number.cast("int64"),
    )
