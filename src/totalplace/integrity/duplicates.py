"""Duplicate payments within a partner and across partners: exact, likely and possible.

* exact -- the same supplier group, amount and reference, paid on different dates or by
  different partners (lines with one reference, amount and date in one partner's file
  are line items of one document, not two payments);
* likely -- the same supplier group and amount within ``likely_days`` of each other,
  with references that differ as published but are equal once upper-cased and
  stripped of spaces, punctuation and leading zeros (``INV-0042`` and ``inv42``);
* possible -- the same amount on the same date (within ``possible_days``) to one
  supplier group, where the references do not tell two invoices apart, and either two
  partners paid, or the supplier is named two ways (linked by the register), or the
  partner publishes no references at all.

* repeated lines in one file -- first, and of its own kind: identical lines (same partner,
  file and sheet, supplier group, amount, date and reference, or none) each within
  ``repeated_max_row_gap`` rows of the one before, unless the reference has lines of
  other amounts in the file (an invoice published line by line: equal lines are its
  items). A publisher that prints a document's
  total on every line of it (a "Total Invoice Amount" column) makes the total look paid
  once a line: money that may be counted more than once, so a probable error in the
  publication -- ask the publisher. The first line of each run stays in as the
  document, so a repeated document can still be a duplicate of another.

Each payment is in at most one finding of the tiers below: exact first, then likely,
then possible (the first line of repeated lines may also be in one of them).
Payments in a regular series (:mod:`totalplace.integrity.standing`) are never
duplicates. A credit note or reversal (the same supplier and the negative of the
amount) cancels one of the extra payments. The money at stake is what would be
recovered: every payment of a group but one (the largest document), less reversals.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from totalplace.integrity.clusters import in_runs, with_day
from totalplace.integrity.params import Params
from totalplace.integrity.standing import repeat_members
from totalplace.integrity.tables import (
    DECIMAL,
    PROBABLE,
    SIGNAL,
    Found,
    finding_id,
    partners_list,
    union_found,
)

__all__ = [
    "EXACT",
    "LIKELY",
    "POSSIBLE",
    "REPEATED",
    "ROW_COLUMNS",
    "detect",
    "normalise_reference",
]

EXACT = "duplicate (exact)"
LIKELY = "duplicate (likely)"
POSSIBLE = "duplicate (possible)"
REPEATED = "repeated lines in one file"

#: The payments' columns that place a line in its file: without them (a constructed
#: ledger) the repeated-lines tier is skipped.
ROW_COLUMNS: tuple[str, ...] = ("source_file", "sheet", "row_number")


def normalise_reference(reference: ir.StringValue) -> ir.StringValue:
    """Return the reference's letters then its digits without leading zeros, upper-cased.

    ``INV-0042``, ``inv 42`` and ``INV/042`` all become ``INV|42``; null stays null.
    """
    upper = reference.upper()
    letters = upper.re_replace("[^A-Z]", "")
    digits = upper.re_replace("[^0-9]", "").re_replace("^0+", "")
    return letters + "|" + digits


def _real(value: float) -> ir.FloatingValue:
    """Return ``value`` as a double on every engine.

    Ibis writes a float literal bare (``0.7``), which PostgreSQL reads as numeric and
    returns as a Decimal, and drops a cast to the type it already has; text cast to
    float64 is written out, so the column is a double everywhere.
    """
    return ibis.literal(repr(float(value))).cast("float64")


def _candidates(base: ir.Table) -> ir.Table:
    """Return the payments of ``base`` whose supplier group and amount occur at least twice.

    Every tier's group is two or more payments of one supplier group and amount, so the
    rest can never be a duplicate: one group-by (the cost of reading the payments) leaves
    the few that can, and the tiers' regular expressions and windows run on those alone.
    """
    # a window count, not a semi-join: Ibis writes a semi-join after the anti-join that made
    # ``base`` as LEFT SEMI JOIN, which PostgreSQL does not have
    sized = base.mutate(_size=base.txn_key.count().over(group_by=["supplier_key", "amount"]))
    return sized.filter(sized._size >= 2).drop("_size")


def _reversals(payments: ir.Table) -> ir.Table:
    """Return (supplier_key, amount, n_rev): negative payments, by supplier and positive amount."""
    neg = payments.filter(payments.supplier_key.notnull() & (payments.amount < 0))
    neg = neg.mutate(amount=(-neg.amount).cast(DECIMAL))
    return neg.group_by(["supplier_key", "amount"]).aggregate(n_rev=neg.count())


def _finish(
    detector: str,
    members: ir.Table,
    groups: ir.Table,
    rule: str,
) -> Found:
    """Return the Found for ``members`` (payments with ``group``) and ``groups`` (one row per group).

    ``groups`` has group, grade, confidence, money_at_stake, statistic; the finding id,
    partners, supplier, rows and detail are drawn from the members.
    """
    # computed once (the tier's runs and groups are deep): the findings and members below
    # both read it
    m = members.mutate(
        finding_id=finding_id(detector, members.txn_key.min().over(group_by="group"))
    ).cache()
    agg = m.group_by(["group", "finding_id"]).aggregate(
        partners=partners_list(m.partner),
        supplier=m.supplier_name.min(),
        rows=m.count(),
        _first=m.txn_date.min().cast("string"),
        _last=m.txn_date.max().cast("string"),
        _amount=m.amount.max().cast("string"),
    )
    f = agg.join(groups, "group")
    detail = (
        "£"
        + f._amount
        + " to "
        + f.supplier.fill_null("(no name)")
        + " by "
        + f.partners
        + ", paid "
        + f._first.fill_null("(no date)")
        + ibis.ifelse(f._first == f._last, "", " to " + f._last.fill_null(""))
    )
    findings = f.select(
        finding_id=f.finding_id,
        detector=ibis.literal(detector),
        grade=f.grade,
        confidence=f.confidence.cast("float64"),
        partners=f.partners,
        supplier=f.supplier.fill_null(""),
        money_at_stake=f.money_at_stake.cast(DECIMAL),
        rows=f.rows.cast("int64"),
        statistic=f.statistic,
        detail=detail,
        rule=ibis.literal(rule),
    )
    return Found(findings, m.select("finding_id", "partner", "txn_key", "amount"))


def _at_stake(groups: ir.Table, reversals: ir.Table) -> ir.Table:
    """Add n_rev (0 if none), excess (payments to recover) and money_at_stake to ``groups``."""
    g = groups.left_join(reversals, ["supplier_key", "amount"])
    g = g.mutate(n_rev=g.n_rev.fill_null(0))
    g = g.mutate(excess=g.total_lines - g.max_lines - g.n_rev)
    return g.mutate(money_at_stake=(g.amount * g.excess).cast(DECIMAL))


def _reversal_words(g: ir.Table) -> ir.StringValue:
    return ibis.ifelse(g.n_rev > 0, "; " + g.n_rev.cast("string") + " reversed by a credit", "")


def _exact(base: ir.Table, reversals: ir.Table, params: Params) -> tuple[Found, ir.Table]:
    e = base.filter(base.reference.notnull())
    keys = ["supplier_key", "amount", "reference"]
    docs = e.group_by([*keys, "partner", "txn_date"]).aggregate(lines=e.count())
    g = docs.group_by(keys).aggregate(
        n_docs=docs.count(),
        total_lines=docs.lines.sum(),
        max_lines=docs.lines.max(),
    )
    g = _at_stake(g.filter(g.n_docs >= 2), reversals)
    g = g.filter(g.excess >= 1)
    g = g.mutate(group="E|" + g.supplier_key + "|" + g.amount.cast("string") + "|" + g.reference)
    stats = g.select(
        "group",
        "money_at_stake",
        grade=ibis.literal(PROBABLE),
        confidence=_real(params.duplicate_confidence_exact),
        statistic=g.n_docs.cast("string")
        + " payments of £"
        + g.amount.cast("string")
        + " with reference "
        + g.reference
        + " ("
        + g.total_lines.cast("string")
        + " lines)"
        + _reversal_words(g),
    )
    members = e.join(g.select(*keys, "group"), keys)
    rule = (
        "same supplier, amount and reference, paid on different dates or by different partners; "
        "lines with one reference, amount and date in one partner's file are one document"
    )
    return _finish(EXACT, members, stats, rule), members.select("txn_key")


def _likely(base: ir.Table, reversals: ir.Table, params: Params) -> tuple[Found, ir.Table]:
    lk = base.filter(base.reference.notnull() & base.txn_date.notnull())
    lk = with_day(lk.mutate(ref_norm=normalise_reference(lk.reference)))
    lk = in_runs(lk, ["supplier_key", "amount", "ref_norm"], params.likely_days, "group")
    per_ref = lk.group_by(["group", "supplier_key", "amount", "reference"]).aggregate(
        lines=lk.count()
    )
    g = per_ref.group_by(["group", "supplier_key", "amount"]).aggregate(
        n_refs=per_ref.count(),
        total_lines=per_ref.lines.sum(),
        max_lines=per_ref.lines.max(),
        refs=per_ref.reference.collect().sort().join(", "),
    )
    g = _at_stake(g.filter(g.n_refs >= 2), reversals)
    g = g.filter(g.excess >= 1)
    stats = g.select(
        "group",
        "money_at_stake",
        grade=ibis.literal(PROBABLE),
        confidence=_real(params.duplicate_confidence_likely),
        statistic=g.total_lines.cast("string")
        + " payments of £"
        + g.amount.cast("string")
        + " within "
        + ibis.literal(str(params.likely_days))
        + " days; references "
        + g.refs
        + _reversal_words(g),
    )
    members = lk.join(g.select("group"), "group")
    rule = (
        f"same supplier and amount within {params.likely_days} days; references equal after "
        "upper-casing and removing spaces, punctuation and leading zeros"
    )
    return _finish(LIKELY, members, stats, rule), members.select("txn_key")


def _itemised(payments: ir.Table, runs: ir.Table) -> ir.Table:
    """Return (group): the runs whose reference has lines of another amount in the file.

    Such a document is published line by line (two phones at £24 and a charger at
    £10.79 on one invoice), so equal lines are its items, not its total repeated.
    """
    keys = ["partner", "source_file", "reference"]
    refs = runs.filter(runs.reference.notnull()).select(*keys, "group", "amount")
    lines = payments.semi_join(refs.select(*keys).distinct(), keys)
    per_ref = lines.group_by(keys).aggregate(amounts=lines.amount.nunique())
    j = refs.join(per_ref, keys)
    return j.filter(j.amounts > 1).select("group").distinct()


def _repeated(payments: ir.Table, base: ir.Table, params: Params) -> tuple[Found, ir.Table]:
    """Return the repeated-lines findings and the lines to leave out of the later tiers.

    Those are every line of a run but its first (lowest row number), which stays in as
    the document.
    """
    gap = params.repeated_max_row_gap
    conf = params.repeated_confidence
    r = base.filter(base.source_file.notnull() & base.row_number.notnull())
    r = r.mutate(row_number=r.row_number.cast("int64"))
    keys = ["partner", "source_file", "sheet", "supplier_key", "amount", "txn_date", "reference"]
    r = in_runs(r, keys, gap, "group", order="row_number")
    g = r.group_by(["group", "source_file", "sheet", "amount"]).aggregate(
        lines=r.count(), first_row=r.row_number.min(), last_row=r.row_number.max()
    )
    g = g.filter(g.lines >= 2)
    r = r.join(g.select("group"), "group").cache()
    g = g.anti_join(_itemised(payments, r), "group")
    where = g.source_file + ibis.ifelse(g.sheet.isnull(), "", ", sheet " + g.sheet)
    stats = g.select(
        "group",
        money_at_stake=(g.amount * (g.lines - 1)).cast(DECIMAL),
        grade=ibis.literal(PROBABLE),
        confidence=_real(conf),
        statistic=g.lines.cast("string")
        + " identical lines of £"
        + g.amount.cast("string")
        + " on rows "
        + g.first_row.cast("string")
        + " to "
        + g.last_row.cast("string")
        + " of "
        + where
        + ": possibly a document total printed on each line -- ask the publisher",
    )
    members = r.join(g.select("group"), "group")
    order = ibis.row_number().over(
        group_by=members.group, order_by=[members.row_number, members.txn_key]
    )
    taken = members.mutate(_line=order).filter(lambda t: t._line > 0).select("txn_key")
    rule = (
        "identical lines (same partner, file and sheet, supplier, amount, date and reference "
        f"or none), each within {gap} rows of the one before, and no line of another amount "
        "under that reference in the file: possibly a document total printed on each line; "
        "the lines after the first may count the money again"
    )
    return _finish(REPEATED, members, stats, rule), taken


def _possible(base: ir.Table, reversals: ir.Table, params: Params) -> Found:
    q = with_day(base.filter(base.txn_date.notnull()))
    q = in_runs(q, ["supplier_key", "amount"], params.possible_days, "group")
    q = q.mutate(
        ref_norm=normalise_reference(q.reference),
        # a line without a reference is a document of its own
        doc=q.reference.coalesce("#" + q.txn_key),
    )
    docs = q.group_by(
        ["group", "supplier_key", "amount", "partner", "supplier_name", "doc"]
    ).aggregate(lines=q.count(), ref_norm=q.ref_norm.max(), has_ref=q.reference.notnull().any())
    g = docs.group_by(["group", "supplier_key", "amount"]).aggregate(
        n_docs=docs.count(),
        total_lines=docs.lines.sum(),
        max_lines=docs.lines.max(),
        n_partners=docs.partner.nunique(),
        n_names=docs.supplier_name.nunique(),
        n_refs=docs.ref_norm.nunique(),
        any_ref=docs.has_ref.any(),
    )
    across = g.n_partners >= 2
    linked = g.n_names >= 2
    g = g.filter((g.n_docs >= 2) & (g.n_refs <= 1) & (across | linked | ~g.any_ref))
    g = _at_stake(g, reversals)
    g = g.filter(g.excess >= 1)
    conf = params.duplicate_confidence_possible
    why = ibis.cases(
        (across, "paid by " + g.n_partners.cast("string") + " partners"),
        (linked, "the supplier named " + g.n_names.cast("string") + " ways (one in the register)"),
        else_="no references published to tell them apart",
    )
    stats = g.select(
        "group",
        "money_at_stake",
        grade=ibis.literal(SIGNAL),
        confidence=ibis.ifelse(across | linked, _real(conf), _real(conf / 2)),
        statistic=g.total_lines.cast("string")
        + " payments of £"
        + g.amount.cast("string")
        + ibis.literal(
            " on the same date"
            if params.possible_days == 0
            else f" within {params.possible_days} days"
        )
        + "; "
        + why
        + _reversal_words(g),
    )
    members = q.join(g.select("group"), "group")
    when = (
        "on the same date" if params.possible_days == 0 else f"within {params.possible_days} days"
    )
    rule = (
        f"same supplier group and amount {when}, references not different, and paid by two "
        "partners, or the supplier named two ways, or no references published (half confidence)"
    )
    return _finish(POSSIBLE, members, stats, rule)


def detect(payments: ir.Table, params: Params) -> Found:
    """Return the duplicate findings (exact, likely, possible) and the payments behind each."""
    standing = repeat_members(payments, params).select("txn_key")
    # Each tier reads what the one before left: computed once each (a temporary table on
    # DuckDB and PostgreSQL, a cached DataFrame on Spark), not re-derived inside the next.
    base = payments.filter(
        payments.supplier_key.notnull() & (payments.amount >= params.duplicate_min_amount)
    ).anti_join(standing, "txn_key")
    base = _candidates(base).cache()
    reversals = _reversals(payments).cache()
    tiers: list[Found] = []
    if all(c in payments.columns for c in ROW_COLUMNS):
        repeated, taken = _repeated(payments, base, params)
        tiers.append(repeated)
        base = base.anti_join(taken, "txn_key").cache()
    exact, taken = _exact(base, reversals, params)
    rest = base.anti_join(taken, "txn_key").cache()
    likely, taken = _likely(rest, reversals, params)
    rest = rest.anti_join(taken, "txn_key").cache()
    possible = _possible(rest, reversals, params)
    return union_found([*tiers, exact, likely, possible])
