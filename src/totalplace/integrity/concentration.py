"""Supplier concentration: HHI and the top suppliers' share per category, for each partner and the place.

The Herfindahl-Hirschman index is the sum of the squared percentage shares of spend of
the suppliers in a category (0-10,000; one supplier alone is 10,000). For each partner
and for the place as a whole (all partners together, suppliers grouped by
``supplier_key``, the register's group) per category and financial year. Findings are
information, not signals of wrongdoing: a category bought from few suppliers may be a
natural monopoly or a good framework contract; it is also where the place is exposed if
the supplier fails or raises prices, and where joint buying could open a market.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from totalplace.integrity.params import Params
from totalplace.integrity.tables import (
    DECIMAL,
    INFORMATION,
    Found,
    findings,
    members,
    money_text,
    named,
    percent_text,
)

__all__ = ["concentration_table", "detect_concentration", "detect_dependency"]

SCOPE_PARTNER = "partner"
SCOPE_PLACE = "place"
_YEAR = ["category", "fy_start_year"]
_INFORMATION = (
    "Information, not a finding of fault: a category bought mostly from one supplier may be "
    "a framework contract or a market with one provider; it is also where the place is "
    "exposed if that supplier fails or raises its prices, and where buying together could "
    "open the market. "
)


def _bought(payments: ir.Table) -> ir.Table:
    """Return the payments with a category and a financial year: the ones concentration can place."""
    return payments.filter(payments.category.notnull() & payments.fy_start_year.notnull())


def _shared(payments: ir.Table) -> ir.Table:
    """Return the payments with ``category`` the one shared across publishers (``shared_category``).

    Each publisher names its own expense types ('Equipment General', 'Consultant Fees'),
    so across partners the place compares the classify stage's theme, the same for all
    (the stage's payments view has it as ``shared_category``). A table without that
    column keeps its ``category`` (a constructed ledger whose categories are shared).
    """
    if "shared_category" in payments.columns:
        return payments.mutate(category=payments.shared_category)
    return payments


def _supplier_spend(payments: ir.Table, keys: list[str]) -> ir.Table:
    """Return net spend per ``keys`` x named supplier (suppliers with net spend above nothing)."""
    p = named(_bought(payments))
    spend = p.group_by([*keys, "supplier_key"]).aggregate(
        supplier=p.supplier_name.max(), spend=p.amount.sum().cast(DECIMAL), payments=p.count()
    )
    return spend.filter(spend.spend > 0)


def _concentration(spend: ir.Table, keys: list[str]) -> ir.Table:
    """Return per ``keys``: suppliers, spend, hhi, top1_share, top3_share, top_supplier (and its key)."""
    total = spend.spend.sum().over(group_by=keys)
    ranked = spend.mutate(
        share=spend.spend.cast("float64") / total.cast("float64"),
        # Ties broken by the supplier key, so the top supplier is the same on every engine.
        # row_number counts from 0: rank 0 is the top supplier.
        rank=ibis.row_number().over(
            group_by=keys, order_by=[ibis.desc(spend.spend), spend.supplier_key]
        ),
    )
    return ranked.group_by(keys).aggregate(
        suppliers=ranked.count(),
        spend=ranked.spend.sum().cast(DECIMAL),
        hhi=((ranked.share * 100) ** 2).sum(),
        top1_share=ranked.share.max(),
        top3_share=ranked.share.sum(where=ranked.rank < 3),
        top_supplier=ranked.supplier.max(where=ranked.rank == 0),
        top_supplier_key=ranked.supplier_key.max(where=ranked.rank == 0),
        top_spend=ranked.spend.max().cast(DECIMAL),
        top_payments=ranked.payments.max(where=ranked.rank == 0),
    )


def _both_scopes(payments: ir.Table) -> ir.Table:
    partner = _concentration(_supplier_spend(payments, ["partner", *_YEAR]), ["partner", *_YEAR])
    place = _concentration(_supplier_spend(_shared(payments), _YEAR), _YEAR)
    p = _bought(_shared(payments))
    buyers = p.group_by(_YEAR).aggregate(buyers=p.partner.nunique())
    partner = partner.mutate(scope=ibis.literal(SCOPE_PARTNER), buyers=ibis.literal(1, "int64"))
    place = place.join(buyers, _YEAR).mutate(
        scope=ibis.literal(SCOPE_PLACE), partner=ibis.null().cast("string")
    )
    cols = [
        "scope",
        "partner",
        "category",
        "fy_start_year",
        "suppliers",
        "spend",
        "hhi",
        "top1_share",
        "top3_share",
        "top_supplier",
        "top_supplier_key",
        "top_spend",
        "top_payments",
        "buyers",
    ]
    return partner.select(*cols).union(place.select(*cols))


def concentration_table(payments: ir.Table, params: Params) -> ir.Table:
    """Return HHI and top shares per category and year, for each partner ('partner') and the place ('place').

    A partner's categories are its own (procurement category, else expense type); the
    place's are the ones shared across publishers (the classify stage's theme: see
    :func:`_shared`). Columns: scope, partner (null for the place), category, fy_start_year, suppliers,
    spend (decimal), hhi (0-10,000), top1_share, top3_share (0-1), top_supplier. Lines
    with no category or no date are left out; suppliers with no net spend in a category too.
    """
    t = _both_scopes(payments)
    return t.select(
        "scope",
        "partner",
        "category",
        "fy_start_year",
        "suppliers",
        "spend",
        "hhi",
        "top1_share",
        "top3_share",
        "top_supplier",
    )


def _partner_lists(payments: ir.Table, keys: list[str]) -> ir.Table:
    """Return per ``keys`` the partners paying, sorted and joined with ', '."""
    p = _bought(payments)
    distinct = p.select(*keys, "partner").distinct()
    # Collected, then sorted and joined: Spark has no ordered string aggregate.
    listed = distinct.group_by(keys).aggregate(names=distinct.partner.collect())
    return listed.select(*keys, partners=listed.names.sort().join(", "))


def _members_of(
    payments: ir.Table, hit: ir.Table, keys: list[str], fid: ir.StringValue
) -> ir.Table:
    """Return as members the payments of each hit's top supplier in its category and year."""
    # computed once: left a subquery, PostgreSQL's planner, taking it for one row, loops
    # over every payment re-running it (42 s on 15,000 payments)
    flagged = hit.select(*keys, supplier_key=hit.top_supplier_key, _fid=fid).cache()
    rows = payments.join(flagged, [*keys, "supplier_key"])
    return members(rows, rows._fid)


def detect_concentration(payments: ir.Table, params: Params) -> Found:
    """Return categories whose HHI is above ``hhi_high`` with ``concentration_min_spend`` or more a year.

    For each partner, and for the place where two or more partners buy the category.
    Money at stake and members: the top supplier's payments in the category and year.
    """
    t = _both_scopes(payments)
    hit = t.filter(
        (t.hhi > params.hhi_high)
        & (t.spend >= ibis.literal(params.concentration_min_spend).cast(DECIMAL))
        & ((t.scope == SCOPE_PARTNER) | (t.buyers >= 2))
    )
    lists = _partner_lists(_shared(payments), _YEAR)
    hit = hit.left_join(lists, _YEAR).drop("category_right", "fy_start_year_right")
    who = ibis.coalesce(hit.partner, ibis.literal("the place"))
    fid = (
        ibis.literal("concentration|")
        + who
        + "|"
        + hit.category
        + "|"
        + hit.fy_start_year.cast("string")
    )
    statistic = (
        ibis.literal("HHI ")
        + hit.hhi.round(0).cast("int64").cast("string")
        + " across "
        + hit.suppliers.cast("string")
        + " suppliers of "
        + money_text(hit.spend)
        + " in '"
        + hit.category
        + "' ("
        + who
        + ", year starting "
        + hit.fy_start_year.cast("string")
        + "); top supplier "
        + percent_text(hit.top1_share)
        + ", top three "
        + percent_text(hit.top3_share)
    )
    found = findings(
        hit,
        finding_id=fid,
        detector="concentration",
        grade=INFORMATION,
        confidence=ibis.literal(1.0),
        partners=ibis.ifelse(hit.scope == SCOPE_PARTNER, hit.partner, hit.partners),
        supplier=hit.top_supplier,
        money_at_stake=hit.top_spend,
        rows=hit.top_payments,
        statistic=statistic,
        detail=_INFORMATION + "The money at stake is the top supplier's spend in the category.",
        rule=f"HHI of supplier shares of net spend per category and year above "
        f"{params.hhi_high:,.0f} (highly concentrated), categories of "
        f"£{params.concentration_min_spend:,.0f}+ a year; per partner, and for the place "
        "where two or more partners buy the category; confidence 1: the figures are exact",
    )
    keys = ["partner", *_YEAR]
    by_partner = hit.filter(hit.scope == SCOPE_PARTNER)
    by_place = hit.filter(hit.scope == SCOPE_PLACE)
    part_fid = (
        ibis.literal("concentration|")
        + by_partner.partner
        + "|"
        + by_partner.category
        + "|"
        + by_partner.fy_start_year.cast("string")
    )
    place_fid = (
        ibis.literal("concentration|the place|")
        + by_place.category
        + "|"
        + by_place.fy_start_year.cast("string")
    )
    rows = _members_of(payments, by_partner, keys, part_fid).union(
        _members_of(_shared(payments), by_place, _YEAR, place_fid)
    )
    return Found(found, rows)


def detect_dependency(payments: ir.Table, params: Params) -> Found:
    """Return suppliers taking more than ``dependency_share`` of the place's spend in a category, paid by several partners.

    Per category and year; the supplier must be paid in the category by
    ``dependency_min_partners`` or more partners. Money at stake and members: its payments
    in the category and year across the partners. The category is the one shared across
    publishers (:func:`_shared`: the classify stage's theme in the stage's payments).
    """
    payments = _shared(payments)
    spend = _supplier_spend(payments, _YEAR)
    total = spend.spend.sum().over(group_by=_YEAR)
    shares = spend.mutate(
        share=spend.spend.cast("float64") / total.cast("float64"), total=total.cast(DECIMAL)
    )
    lists = _partner_lists(payments, [*_YEAR, "supplier_key"])
    p = _bought(payments)
    counts = p.group_by([*_YEAR, "supplier_key"]).aggregate(
        n_partners=p.partner.nunique(), rows=p.count()
    )
    keys = [*_YEAR, "supplier_key"]
    hit = shares.join(counts, keys).join(lists, keys)
    hit = hit.filter(
        (hit.share > params.dependency_share) & (hit.n_partners >= params.dependency_min_partners)
    )
    fid = (
        ibis.literal("dependency|")
        + hit.category
        + "|"
        + hit.fy_start_year.cast("string")
        + "|"
        + hit.supplier_key
    )
    statistic = (
        hit.supplier
        + " takes "
        + percent_text(hit.share)
        + " of the place's "
        + money_text(hit.total)
        + " in '"
        + hit.category
        + "' (year starting "
        + hit.fy_start_year.cast("string")
        + "), paid by "
        + hit.n_partners.cast("string")
        + " partners: "
        + hit.partners
    )
    found = findings(
        hit,
        finding_id=fid,
        detector="dependency",
        grade=INFORMATION,
        confidence=ibis.literal(1.0),
        partners=hit.partners,
        supplier=hit.supplier,
        money_at_stake=hit.spend,
        rows=hit.rows,
        statistic=statistic,
        detail=_INFORMATION + "Here several partners depend on the same supplier.",
        rule=f"a supplier with more than {params.dependency_share:.0%} of the place's net "
        f"spend in a category and year, paid in it by {params.dependency_min_partners}+ "
        "partners; confidence 1: the figures are exact",
    )
    flagged = hit.select(*keys, _fid=fid).cache()  # computed once: see _members_of
    rows = payments.join(flagged, keys)
    return Found(found, members(rows, rows._fid))
