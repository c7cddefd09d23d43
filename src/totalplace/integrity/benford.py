"""First digits against Benford's law, per partner and per partner x supplier, with a proper test.

Under Benford's law the first significant digit d of amounts spread over several orders
of magnitude occurs with probability log10(1 + 1/d) (30.1% ones, 4.6% nines). Invented
or manipulated amounts often depart from it. The departure is measured by Nigrini's
mean absolute deviation (MAD) with his conformity bands, and tested with a chi-square
(8 degrees of freedom); a group is flagged only when both agree: the MAD is in
Nigrini's nonconformity band *and* the chi-square says the departure is not chance (on
a small sample the MAD is high by chance: see :func:`expected_mad`). Digit counts are
made in SQL; the statistics over the few resulting rows in NumPy.
"""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from totalplace.integrity.params import Params
from totalplace.integrity.tables import (
    DECIMAL,
    INFORMATION,
    SIGNAL,
    Found,
    findings,
    members,
    money_text,
    named,
    positive_payments,
)

__all__ = [
    "BENFORD",
    "benford_table",
    "chi_square",
    "chi_square_p_value_df8",
    "conformity",
    "detect_benford",
    "expected_mad",
    "mad",
]

#: Benford's first-digit probabilities, digits 1 to 9.
BENFORD = np.log10(1.0 + 1.0 / np.arange(1, 10))
DIGITS = range(1, 10)
SHARE_COLUMNS = tuple(f"share_{d}" for d in DIGITS)
SCOPE_PARTNER = "partner"
SCOPE_SUPPLIER = "supplier"


def mad(counts: np.ndarray) -> np.ndarray:
    """Return the mean absolute deviation of observed from Benford shares, per row of digit counts (n x 9)."""
    counts = np.atleast_2d(counts).astype("float64")
    shares = counts / counts.sum(axis=1, keepdims=True)
    result: np.ndarray = np.abs(shares - BENFORD).mean(axis=1)
    return result


def chi_square(counts: np.ndarray) -> np.ndarray:
    """Return Pearson's chi-square of digit counts (rows of 9) against Benford's expected counts."""
    counts = np.atleast_2d(counts).astype("float64")
    expected = counts.sum(axis=1, keepdims=True) * BENFORD
    result: np.ndarray = ((counts - expected) ** 2 / expected).sum(axis=1)
    return result


def chi_square_p_value_df8(x: np.ndarray) -> np.ndarray:
    """Return P(X >= x) for a chi-square of 8 degrees of freedom: exp(-x/2) * sum_{i<4} (x/2)^i / i!."""
    half = np.asarray(x, dtype="float64") / 2.0
    terms = sum(half**i / math.factorial(i) for i in range(4))
    result: np.ndarray = np.exp(-half) * terms
    return result


def expected_mad(n: np.ndarray | int) -> np.ndarray:
    """Return the MAD a true Benford sample of ``n`` amounts gives on average (about 0.0136 at 300).

    Each digit's observed share is binomial, so its expected absolute deviation is about
    sqrt(2 p (1 - p) / (pi n)) (the normal approximation); the MAD is their mean.
    """
    n_ = np.asarray(n, dtype="float64")
    per_digit = np.sqrt(2.0 * BENFORD * (1.0 - BENFORD) / np.pi).mean()
    result: np.ndarray = per_digit / np.sqrt(n_)
    return result


def conformity(mad_: np.ndarray, params: Params) -> np.ndarray:
    """Return Nigrini's first-digit conformity band of each MAD."""
    return np.select(
        [
            mad_ <= params.benford_mad_close,
            mad_ <= params.benford_mad_acceptable,
            mad_ <= params.benford_mad_marginal,
        ],
        ["close conformity", "acceptable conformity", "marginally acceptable conformity"],
        default="nonconformity",
    )


def _with_digits(payments: ir.Table, params: Params) -> ir.Table:
    p = positive_payments(payments, params.benford_min_amount)
    # Amounts are at least £1 here, so the first character of the whole pounds is the first digit.
    first = p.amount.floor().cast("int64").cast("string").substr(0, 1).cast("int64")
    return p.mutate(digit=first)


def _statistics(counts: pd.DataFrame, keys: list[str], params: Params) -> pd.DataFrame:
    """Return one row per group of ``counts`` (keys, digit, n) with n, shares and the tests."""
    wide = counts.pivot_table(index=keys, columns="digit", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(DIGITS), fill_value=0)
    matrix = wide.to_numpy(dtype="float64")
    n = matrix.sum(axis=1)
    keep = n >= params.benford_min_n
    matrix, wide = matrix[keep], wide[keep]
    out = wide.index.to_frame(index=False)
    out["n"] = n[keep].astype("int64")
    for d in DIGITS:
        out[f"share_{d}"] = matrix[:, d - 1] / out["n"].to_numpy()
    out["mad"] = mad(matrix) if len(matrix) else np.empty(0)
    out["chi_square"] = chi_square(matrix) if len(matrix) else np.empty(0)
    out["p_value"] = chi_square_p_value_df8(out["chi_square"].to_numpy())
    out["conformity"] = conformity(out["mad"].to_numpy(), params)
    # The digit most over-represented against Benford: where a reviewer looks first.
    excess = matrix / np.maximum(n[keep], 1)[:, None] - BENFORD if len(matrix) else matrix
    out["top_digit"] = (excess.argmax(axis=1) + 1) if len(matrix) else np.empty(0, "int64")
    return out


_TABLE_SCHEMA = ibis.schema(
    {
        "scope": "string",
        "partner": "string",
        "supplier_key": "string",
        "n": "int64",
        **{c: "float64" for c in SHARE_COLUMNS},
        "mad": "float64",
        "chi_square": "float64",
        "p_value": "float64",
        "conformity": "string",
        "top_digit": "int64",
        "spread": "float64",
        "tested": "boolean",
    }
)


def spreads(payments: ir.Table, params: Params) -> ir.Table:
    """Return per partner x named supplier with ``benford_min_n`` tested amounts: ``spread``, its 95th / 5th percentile amount.

    Percentiles by rank (the amount at position floor(0.05 (n - 1)) and ceil(0.95 (n - 1))
    of the supplier's amounts in order), exact and the same on every engine.
    """
    d = named(_with_digits(payments, params))
    keys = ["partner", "supplier_key"]
    ranked = d.mutate(
        _r=ibis.row_number().over(group_by=keys, order_by=[d.amount, d.txn_key]),
        _n=d.count().over(group_by=keys),
    )
    ranked = ranked.filter(ranked._n >= params.benford_min_n)
    last = (ranked._n - 1).cast("float64")
    low = ranked._r == (last * 0.05).floor().cast("int64")
    high = ranked._r == (last * 0.95).ceil().cast("int64")
    per = ranked.group_by(keys).aggregate(
        p05=ranked.amount.max(where=low).cast("float64"),
        p95=ranked.amount.max(where=high).cast("float64"),
    )
    return per.select(*keys, spread=per.p95 / per.p05)


def _frame(payments: ir.Table, params: Params) -> pd.DataFrame:
    d = _with_digits(payments, params)
    by_supplier = d.group_by(["partner", "supplier_key", "digit"]).aggregate(n=d.count())
    counts = by_supplier.to_pandas()
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype=t.to_pandas()) for c, t in _TABLE_SCHEMA.items()})
    partner = _statistics(counts, ["partner"], params)
    partner.insert(0, "scope", SCOPE_PARTNER)
    partner.insert(2, "supplier_key", None)
    partner = partner.assign(spread=np.nan, tested=True)
    supplier = _statistics(
        counts.dropna(subset=["supplier_key"]), ["partner", "supplier_key"], params
    )
    supplier.insert(0, "scope", SCOPE_SUPPLIER)
    # A supplier's amounts must span benford_supplier_min_spread (two orders of magnitude by
    # default): one paid from a price list (fixed weekly care rates) departs legitimately.
    spread = spreads(payments, params).to_pandas()
    supplier = supplier.merge(spread, on=["partner", "supplier_key"], how="left")
    supplier["tested"] = supplier["spread"].fillna(0.0) >= params.benford_supplier_min_spread
    both = pd.concat([partner, supplier], ignore_index=True)
    both = both.sort_values(["scope", "partner", "supplier_key"], na_position="first")
    return both[list(_TABLE_SCHEMA.names)].reset_index(drop=True)


def benford_table(payments: ir.Table, params: Params) -> ir.Table:
    """Return the first-digit test per partner and per partner x supplier with ``benford_min_n`` amounts or more.

    Columns: scope ('partner' | 'supplier'), partner, supplier_key (null for a partner),
    n, share_1..share_9 (observed shares), mad, chi_square, p_value, conformity
    (Nigrini's band), top_digit (the digit most over-represented), spread (a supplier's
    95th / 5th percentile amount; null for a partner) and tested (False for a supplier
    whose spread is under ``benford_supplier_min_spread``: its test is shown, not used).
    """
    return ibis.memtable(_frame(payments, params), schema=_TABLE_SCHEMA)


def detect_benford(payments: ir.Table, params: Params) -> Found:
    """Return partners and suppliers whose first digits depart from Benford's law.

    Flagged: MAD above ``benford_mad_marginal`` (nonconformity) and chi-square p-value
    below ``benford_p_value``; a supplier only when its amounts span
    ``benford_supplier_min_spread`` (column ``tested``). A partner is a signal to check;
    a supplier is 'information' unless its partner's payments as a whole fail too (a
    supplier's own mix of amounts departs from Benford often and innocently). Members
    and money at stake: the tested payments whose first digit is the most
    over-represented one. Confidence: the share of the MAD not explained by sampling
    noise, 1 - expected_mad(n) / MAD.
    """
    table = _frame(payments, params)
    flagged = table[
        (table["mad"] > params.benford_mad_marginal)
        & (table["p_value"] < params.benford_p_value)
        & table["tested"].astype(bool)
    ]
    failing = set(flagged.loc[flagged["scope"] == SCOPE_PARTNER, "partner"])
    with_partner = (flagged["scope"] == SCOPE_PARTNER) | flagged["partner"].isin(failing)
    flagged = flagged.assign(
        supplier_key=flagged["supplier_key"].fillna("*"),
        confidence=np.clip(1.0 - expected_mad(flagged["n"].to_numpy()) / flagged["mad"], 0.0, 1.0),
        text=_statistic_text(flagged, params),
        grade=np.where(with_partner, SIGNAL, INFORMATION),
        detail=np.where(
            flagged["scope"] == SCOPE_PARTNER,
            _DETAIL_PARTNER,
            np.where(with_partner, _DETAIL_SUPPLIER_SIGNAL, _DETAIL_SUPPLIER_INFO),
        ),
    )
    keys = flagged[
        [
            "scope",
            "partner",
            "supplier_key",
            "top_digit",
            "confidence",
            "text",
            "n",
            "grade",
            "detail",
        ]
    ]
    hits = ibis.memtable(
        keys,
        schema={
            "scope": "string",
            "partner": "string",
            "supplier_key": "string",
            "top_digit": "int64",
            "confidence": "float64",
            "text": "string",
            "n": "int64",
            "grade": "string",
            "detail": "string",
        },
    )
    d = _with_digits(payments, params)
    whole = d.join(hits.filter(hits.scope == SCOPE_PARTNER).drop("supplier_key"), "partner")
    one = d.join(hits.filter(hits.scope == SCOPE_SUPPLIER), ["partner", "supplier_key"])
    cols = [
        "partner",
        "supplier_key",
        "supplier_name",
        "txn_key",
        "amount",
        "digit",
        "top_digit",
        "confidence",
        "text",
        "scope",
        "n",
        "grade",
        "detail",
    ]
    tested = (
        whole.mutate(supplier_key=ibis.literal("*"), supplier_name=ibis.literal("all suppliers"))
        .select(*cols)
        .union(one.select(*cols))
    )
    picked = tested.filter(tested.digit == tested.top_digit)
    picked = picked.mutate(
        _fid=ibis.literal("benford|") + picked.partner + "|" + picked.supplier_key
    )
    groups = picked.group_by(["_fid", "partner", "supplier_key", "scope"]).aggregate(
        supplier=picked.supplier_name.max(),
        money=picked.amount.sum().cast(DECIMAL),
        rows=picked.count(),
        confidence=picked.confidence.max(),
        text=picked.text.max(),
        top_digit=picked.top_digit.max(),
        grade=picked.grade.max(),
        detail=picked.detail.max(),
    )
    statistic = (
        groups.text
        + "; the payments starting with "
        + groups.top_digit.cast("string")
        + " total "
        + money_text(groups.money)
    )
    found = findings(
        groups,
        finding_id=groups._fid,
        detector="benford",
        grade=groups.grade,
        confidence=groups.confidence,
        partners=groups.partner,
        supplier=groups.supplier,
        money_at_stake=groups.money,
        rows=groups.rows,
        statistic=statistic,
        detail=groups.detail,
        rule=f"first digits of payments of £{params.benford_min_amount:,.0f} or more, per "
        f"partner and per partner x supplier with {params.benford_min_n}+ payments (a supplier "
        f"only if its 95th percentile payment is {params.benford_supplier_min_spread:g}+ times "
        "its 5th); flagged "
        f"when Nigrini's MAD > {params.benford_mad_marginal} (nonconformity) and the "
        f"chi-square (8 df) p-value < {params.benford_p_value}; a supplier is information "
        "unless its partner fails too",
    )
    return Found(found, members(picked, picked._fid))


_NOT_ACCUSATION = (
    "Amounts that are not spread over several orders of magnitude (a fixed fee, a price "
    "list, a rate per hour) depart from Benford's law legitimately; invented or split "
    "amounts can too. The members are the payments with the most over-represented first "
    "digit: check a sample of them."
)
_DETAIL_PARTNER = "A signal to check, not an accusation: the partner's payments as a whole. " + (
    _NOT_ACCUSATION
)
_DETAIL_SUPPLIER_SIGNAL = (
    "A signal to check, not an accusation: this supplier's payments, at a partner whose "
    "payments as a whole depart from Benford's law too. " + _NOT_ACCUSATION
)
_DETAIL_SUPPLIER_INFO = (
    "For information: this supplier's payments depart from Benford's law, but its "
    "partner's payments as a whole do not, so the likeliest reason is the supplier's own "
    "prices (a rate card, a few standard charges). " + _NOT_ACCUSATION
)


def _statistic_text(flagged: pd.DataFrame, params: Params) -> pd.Series:
    """Return, per flagged group, its test in words (vectorised string building)."""
    n = flagged["n"].astype("int64")
    top = flagged["top_digit"].astype("int64")
    p_value = flagged["p_value"].to_numpy(dtype="float64")
    observed = pd.Series(
        flagged[list(SHARE_COLUMNS)].to_numpy()[np.arange(len(flagged)), top.to_numpy() - 1]
        if len(flagged)
        else np.empty(0),
        index=flagged.index,
    )
    expected = pd.Series(
        BENFORD[top.to_numpy() - 1] if len(flagged) else np.empty(0), index=flagged.index
    )
    return (
        n.astype(str)
        + " payments: MAD "
        + flagged["mad"].round(4).astype(str)
        + f" (Nigrini: nonconformity above {params.benford_mad_marginal}; a true Benford sample of this size gives about "
        + pd.Series(expected_mad(n.to_numpy()), index=flagged.index).round(4).astype(str)
        + "), chi-square "
        + flagged["chi_square"].round(1).astype(str)
        + " (8 df, p = "
        + pd.Series(
            np.where(p_value < 0.0001, "< 0.0001", p_value.round(4).astype(str)),
            index=flagged.index,
        )
        + "); first digit "
        + top.astype(str)
        + " in "
        + (observed * 100).round(1).astype(str)
        + "% of them against Benford's "
        + (expected * 100).round(1).astype(str)
        + "%"
    )
