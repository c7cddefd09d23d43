"""Unusual payment patterns: round-number payments, year-end spikes, one-off large payments.

Each is a signal to check, never an accusation: a grant, a rent or a settlement is often
a round sum, a year's last week often pays for work done all year, and a one-off payment
may be a property purchase. The findings say so, with the statistics behind them, and
every payment behind a finding is a member of it. Transfers (precepts, levies, grants
to partners: the count's ``transfer_kind``) are money passed on, not bought, and are
left out. All is Ibis over ``payments`` (the stage's payments view), one query per
detector, on any engine.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from totalplace.integrity.params import Params
from totalplace.integrity.tables import (
    DECIMAL,
    SIGNAL,
    Found,
    findings,
    members,
    money_text,
    named,
    number_text,
    percent_text,
    positive_payments,
    purchases,
)

__all__ = ["detect_one_off", "detect_round_numbers", "detect_year_end", "fy_start_months"]

_SIGNAL_ONLY = "A signal to check, not an accusation: "


def detect_round_numbers(payments: ir.Table, params: Params) -> Found:
    """Return suppliers whose payments are mostly exact multiples of ``round_unit`` (per partner).

    Among each partner's payments of ``round_unit`` or more, the partner's base rate is
    the share that are round; a supplier is flagged when it has ``round_min_payments`` or
    more such payments, at least ``round_min_share`` of them round and at least
    ``round_min_lift`` times the base rate. Money at stake: the supplier's round payments.
    """
    payments = purchases(payments)
    unit_pennies = int(params.round_unit * 100)
    p = positive_payments(payments, params.round_unit)
    p = p.mutate(is_round=(p.amount * 100).cast("int64") % unit_pennies == 0)
    base = p.group_by("partner").aggregate(base_n=p.count(), base_round=p.count(where=p.is_round))
    base = base.mutate(base_rate=base.base_round.cast("float64") / base.base_n)
    # The base rate counts every payment; a redacted payee is no supplier to flag.
    s = named(p)
    per = s.group_by(["partner", "supplier_key"]).aggregate(
        supplier=s.supplier_name.max(),
        n=s.count(),
        n_round=s.count(where=s.is_round),
        round_amount=s.amount.sum(where=s.is_round).cast(DECIMAL),
    )
    per = per.join(base, "partner")
    share = per.n_round.cast("float64") / per.n
    per = per.mutate(share=share, lift=share / per.base_rate.nullif(0.0))
    hit = per.filter(
        (per.n >= params.round_min_payments)
        & (per.share >= params.round_min_share)
        & (per.lift >= params.round_min_lift)
    )
    fid = ibis.literal("round_numbers|") + hit.partner + "|" + hit.supplier_key
    excess = (hit.share - hit.base_rate) / (1 - hit.base_rate)
    # Shrunk towards zero for few payments: 5 of 5 round says less than 50 of 50.
    confidence = excess * hit.n / (hit.n + params.round_min_payments)
    unit = f"£{params.round_unit:,.0f}"
    statistic = (
        hit.n_round.cast("string")
        + " of "
        + hit.n.cast("string")
        + f" payments of {unit} or more are exact multiples of {unit} ("
        + percent_text(hit.share)
        + "), against "
        + percent_text(hit.base_rate)
        + " of all the partner's payments of that size ("
        + number_text(hit.lift, 1)
        + " times the base rate)"
    )
    found = findings(
        hit,
        finding_id=fid,
        detector="round_numbers",
        grade=SIGNAL,
        confidence=confidence.clip(lower=0.0, upper=1.0),
        partners=hit.partner,
        supplier=hit.supplier,
        money_at_stake=hit.round_amount,
        rows=hit.n_round,
        statistic=statistic,
        detail=_SIGNAL_ONLY + "round sums are common for grants, rents, deposits and agreed "
        "fees; many of them to one supplier can also mean estimated or invented invoices. "
        "Check the invoices behind the round payments.",
        rule=f"payments of {unit} or more; a supplier with {params.round_min_payments}+ of "
        f"them, {params.round_min_share:.0%}+ exact multiples of {unit}, and "
        f"{params.round_min_lift:g}+ times the partner's base rate of round payments",
    )
    flagged = hit.select("partner", "supplier_key", _fid=fid)
    rows = s.filter(s.is_round).join(flagged, ["partner", "supplier_key"])
    return Found(found, members(rows, rows._fid))


def fy_start_months(payments: ir.Table) -> ir.Table:
    """Return (partner, fy_start_month): each partner's financial-year start month, read from its payments.

    ``fy_start_year`` was set from the partner's own start month m, so m is after every
    month dated in the calendar year after the start year (January to March for April)
    and at or before every month dated in the start year itself. April (the UK's usual
    start) is taken when the ledger allows it, else the nearest month it allows.
    """
    d = payments.filter(payments.txn_date.notnull() & payments.fy_start_year.notnull())
    month, year = d.txn_date.month(), d.txn_date.year()
    starts = d.group_by("partner").aggregate(
        after=month.max(where=year > d.fy_start_year),
        within=month.min(where=year == d.fy_start_year),
    )
    lowest = (starts.after + 1).fill_null(1)
    highest = starts.within.fill_null(12)
    month_ = ibis.greatest(lowest, ibis.least(ibis.literal(4), highest))
    return starts.select("partner", fy_start_month=month_.cast("int64"))


def _year_end_days(payments: ir.Table) -> ir.Table:
    """Return dated payments with ``days_to_end``: days from the payment to its financial year's end (1 = last day).

    The start month is the partner's own (``fy_start_month``, from place.toml, in the
    stage's payments view); a table without it has it read from the payments.
    """
    d = payments.filter(payments.txn_date.notnull() & payments.fy_start_year.notnull())
    if "fy_start_month" not in d.columns:
        d = d.join(fy_start_months(payments), "partner")
    next_start = ibis.date(d.fy_start_year + 1, d.fy_start_month, 1)
    return d.mutate(days_to_end=next_start.epoch_days() - d.txn_date.epoch_days())


def _rates(t: ir.Table, keys: list[str], days: int) -> ir.Table:
    window = t.days_to_end <= days
    return t.group_by(keys).aggregate(
        supplier=t.supplier_name.max(),
        end_amount=t.amount.sum(where=window).cast(DECIMAL),
        rest_amount=t.amount.sum(where=~window).cast(DECIMAL),
        end_rows=t.count(where=window),
        rest_rows=t.count(where=~window),
        first_days=t.days_to_end.max(),
        last_days=t.days_to_end.min(),
    )


def detect_year_end(payments: ir.Table, params: Params) -> Found:
    """Return year-end spikes: partners, and suppliers within them, paid far faster in the year's last days.

    For each partner and financial year covering ``year_end_min_days_before`` days before
    its last ``year_end_days`` days (and reaching them), the daily rate of spending in
    those last days is compared with the rate over the rest of the year covered: a
    partner is flagged at ``year_end_spike_ratio`` or more; in the other partners' years a
    supplier (``year_end_min_payments`` or more year-end payments totalling
    ``year_end_min_amount`` or more) at ``year_end_supplier_ratio`` or more of its own
    rate, in money and in number of payments, or when it was paid only at the year end. Money at stake: the year-end spending
    above the normal rate; confidence: that excess as a share of the year-end spending.
    """
    payments = purchases(payments)
    days = params.year_end_days
    d = _year_end_days(payments)
    year = _rates(d, ["partner", "fy_start_year"], days)
    year = year.mutate(days_before=year.first_days - days)
    year = year.filter(
        (year.days_before >= params.year_end_min_days_before) & (year.last_days <= days)
    )
    year = year.mutate(
        expected=year.rest_amount.cast("float64") * days / year.days_before,
    )
    partner_hit = year.filter(
        (year.end_amount.cast("float64") >= params.year_end_spike_ratio * year.expected)
        & (year.expected > 0)
    ).mutate(supplier_key=ibis.literal("*"), supplier=ibis.literal("all suppliers"))

    sup = _rates(named(d), ["partner", "fy_start_year", "supplier_key"], days)
    sup = sup.drop("first_days", "last_days").join(
        year.select("partner", "fy_start_year", "days_before"), ["partner", "fy_start_year"]
    )
    sup = sup.mutate(
        rest_amount=sup.rest_amount.fill_null(0),
        expected=sup.rest_amount.fill_null(0).cast("float64") * days / sup.days_before,
    )
    # A partner whose whole spending spikes is one finding: its suppliers are members of it.
    spiking = partner_hit.select("partner", "fy_start_year")
    sup = sup.anti_join(spiking, ["partner", "fy_start_year"])
    sup_hit = sup.filter(
        (sup.end_rows >= params.year_end_min_payments)
        & (sup.end_amount >= ibis.literal(params.year_end_min_amount).cast(DECIMAL))
        & (sup.end_amount.cast("float64") >= params.year_end_supplier_ratio * sup.expected)
        # More payments too, not one larger invoice than usual (that is ordinary variation).
        & (
            sup.end_rows.cast("float64")
            >= params.year_end_supplier_ratio * sup.rest_rows * days / sup.days_before
        )
    )
    cols = [
        "partner",
        "fy_start_year",
        "supplier_key",
        "supplier",
        "end_amount",
        "end_rows",
        "rest_amount",
        "days_before",
        "expected",
    ]
    hit = partner_hit.select(*cols).union(sup_hit.select(*cols))
    fid = (
        ibis.literal("year_end|")
        + hit.partner
        + "|"
        + hit.fy_start_year.cast("string")
        + "|"
        + hit.supplier_key
    )
    end = hit.end_amount.cast("float64")
    excess = (end - hit.expected).clip(lower=0.0)
    statistic = (
        money_text(hit.end_amount)
        + f" paid in the last {days} days of the financial year starting "
        + hit.fy_start_year.cast("string")
        + " (payments: "
        + hit.end_rows.cast("string")
        + "), against "
        + money_text(hit.expected)
        + " expected at the rate of the other "
        + hit.days_before.cast("string")
        + " days covered ("
        + money_text(hit.rest_amount)
        + "); "
        + ibis.ifelse(
            hit.expected > 0,
            number_text(end / hit.expected.nullif(0.0), 1) + " times the normal rate",
            ibis.literal("paid only at the year end"),
        )
    )
    found = findings(
        hit,
        finding_id=fid,
        detector="year_end",
        grade=SIGNAL,
        confidence=excess / end,
        partners=hit.partner,
        supplier=hit.supplier,
        money_at_stake=excess.round(2),
        rows=hit.end_rows,
        statistic=statistic,
        detail=_SIGNAL_ONLY + "a rush of spending before the year ends can be budgets "
        "spent because they would otherwise lapse; it is as often invoices for work done "
        "through the year, or annual charges due then. Check what the year-end payments bought.",
        rule=f"last {days} days of each partner's financial year against the rest of it "
        f"(at least {params.year_end_min_days_before} days covered): partners at "
        f"{params.year_end_spike_ratio:g}+ times their daily rate; in other partners' years, "
        f"suppliers paid £{params.year_end_min_amount:,.0f}+ in "
        f"{params.year_end_min_payments}+ payments then at {params.year_end_supplier_ratio:g}+ "
        "times their own rate, in money and in payments (or only then)",
    )
    window = d.filter(d.days_to_end <= days)
    by_partner = window.join(
        hit.filter(hit.supplier_key == "*").select("partner", "fy_start_year", _fid=fid),
        ["partner", "fy_start_year"],
    )
    by_supplier = window.join(
        hit.filter(hit.supplier_key != "*").select(
            "partner", "fy_start_year", "supplier_key", _fid=fid
        ),
        ["partner", "fy_start_year", "supplier_key"],
    )
    rows = members(by_partner, by_partner._fid).union(members(by_supplier, by_supplier._fid))
    return Found(found, rows)


def detect_one_off(payments: ir.Table, params: Params) -> Found:
    """Return large payments to suppliers a partner paid once in the whole ledger.

    A payment of ``one_off_min_amount`` or more, in the top ``1 - one_off_percentile``
    of its partner's payments, to a supplier with no other payment (nor credit) at that
    partner. Confidence: the payment's percentile rank, halved when other partners of
    the place pay the supplier too (it is then known to the place).
    """
    counted = named(payments).mutate(
        n_partner=ibis._.count().over(group_by=["partner", "supplier_key"]),
        n_place=ibis._.count().over(group_by="supplier_key"),
    )
    pos = counted.filter(counted.amount > 0)
    pos = pos.mutate(
        rank=ibis.percent_rank().over(group_by="partner", order_by=pos.amount),
        partner_n=ibis._.count().over(group_by="partner"),
    )
    # A transfer is never the one-off, but counts as a payment to its body: a supplier the
    # partner also pays a grant to is known to it.
    hit = purchases(pos).filter(
        (pos.n_partner == 1)
        & (pos.amount >= ibis.literal(params.one_off_min_amount).cast(DECIMAL))
        & (pos.rank >= params.one_off_percentile)
    )
    fid = ibis.literal("one_off|") + hit.partner + "|" + hit.txn_key
    once_in_place = hit.n_place == 1
    statistic = (
        money_text(hit.amount)
        + ", the only payment to this supplier in the partner's ledger"
        + ibis.ifelse(
            once_in_place,
            ibis.literal(" and in the place's"),
            ibis.literal(" (other partners pay it: ")
            + (hit.n_place - 1).cast("string")
            + " payments)",
        )
        + "; larger than "
        + percent_text(hit.rank)
        + " of the partner's "
        + (hit.partner_n - 1).cast("string")
        + " other payments"
    )
    found = findings(
        hit,
        finding_id=fid,
        detector="one_off",
        grade=SIGNAL,
        confidence=hit.rank * ibis.ifelse(once_in_place, 1.0, 0.5),
        partners=hit.partner,
        supplier=hit.supplier_name,
        money_at_stake=hit.amount,
        rows=ibis.literal(1),
        statistic=statistic,
        detail=_SIGNAL_ONLY + "a single large payment to a supplier never paid before or "
        "after is often a purchase of land or property, a settlement or a one-off grant; it "
        "can also be a payee set up for one payment. Check the supplier and the approval.",
        rule=f"a supplier paid once by the partner; the payment £{params.one_off_min_amount:,.0f}"
        f" or more and at or above the {params.one_off_percentile:.0%} percentile rank of the "
        "partner's payments",
    )
    return Found(found, members(hit, fid))
