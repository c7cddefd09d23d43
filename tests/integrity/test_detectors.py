"""The duplicate, standing-order and split detectors on small constructed ledgers, answers worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.integrity import duplicates, splits
from totalplace.integrity.evaluate import evaluate
from totalplace.integrity.params import Params
from totalplace.integrity.planted import SCHEMA, planted_ledger
from totalplace.integrity.standing import repeat_members

D = dt.date(2024, 5, 1)


def ledger(*rows: tuple[Any, ...]) -> Any:
    """Rows of (partner, day offset, amount, supplier, reference) as a payments table."""
    records = [
        {
            "txn_key": f"t{i}",
            "partner": p,
            "txn_date": D + dt.timedelta(days=day),
            "fy_start_year": 2024,
            "amount": Decimal(str(amount)),
            "supplier_key": f"S:{supplier}",
            "supplier_name": supplier,
            "reference": ref,
            "category": None,
            "theme": None,
            "payee_kind": "organisation",
            "transfer_kind": None,
        }
        for i, (p, day, amount, supplier, ref) in enumerate(rows)
    ]
    return ibis.memtable(pa.Table.from_pylist(records, schema=SCHEMA))


def findings(found: Any) -> list[dict[str, Any]]:
    return sorted(found.findings.to_pyarrow().to_pylist(), key=lambda f: f["finding_id"])


def members(found: Any) -> set[str]:
    return set(found.members.select("txn_key").to_pyarrow().column(0).to_pylist())


def test_an_invoice_paid_twice_is_an_exact_duplicate_and_one_payment_is_at_stake():
    t = ledger(
        ("a", 0, "1250.00", "ACME", "INV-1"),
        ("a", 20, "1250.00", "ACME", "INV-1"),
        ("a", 0, "99.00", "ACME", "INV-2"),
    )
    [f] = findings(duplicates.detect(t, Params()))
    assert f["detector"] == duplicates.EXACT
    assert f["grade"] == "probable error"
    assert f["money_at_stake"] == Decimal("1250.00")  # two payments, one to recover: £1,250
    assert f["rows"] == 2


def test_lines_of_one_invoice_on_one_date_are_not_a_duplicate():
    # 3 lines of £7 on one invoice, one date, one partner: line items, not repeats
    t = ledger(*[("a", 0, "7.00", "LAND REGISTRY", "CRINV1")] * 3)
    assert findings(duplicates.detect(t, Params())) == []


def test_the_same_invoice_paid_by_two_partners_is_an_exact_duplicate_across_partners():
    t = ledger(("a", 0, "800.00", "ACME", "77"), ("b", 2, "800.00", "ACME", "77"))
    [f] = findings(duplicates.detect(t, Params()))
    assert f["partners"] == "a, b"
    assert f["money_at_stake"] == Decimal("800.00")


def test_a_re_keyed_reference_within_the_window_is_a_likely_duplicate():
    t = ledger(("a", 0, "430.10", "ACME", "INV-0042"), ("a", 9, "430.10", "ACME", "inv 42"))
    [f] = findings(duplicates.detect(t, Params()))
    assert f["detector"] == duplicates.LIKELY
    assert f["money_at_stake"] == Decimal("430.10")


def test_a_re_keyed_reference_outside_the_window_is_not_flagged():
    t = ledger(("a", 0, "430.10", "ACME", "INV-0042"), ("a", 15, "430.10", "ACME", "inv 42"))
    assert findings(duplicates.detect(t, Params())) == []  # 15 days > 14


def test_a_credit_note_cancels_the_second_payment():
    t = ledger(
        ("a", 0, "500.00", "ACME", "X1"),
        ("a", 20, "500.00", "ACME", "X1"),
        ("a", 25, "-500.00", "ACME", "CN1"),
    )
    assert findings(duplicates.detect(t, Params())) == []  # 2 payments - 1 - 1 reversal = 0


def test_same_amount_same_day_by_two_partners_without_references_is_possible():
    t = ledger(("a", 0, "612.00", "ACME", None), ("b", 0, "612.00", "ACME", None))
    [f] = findings(duplicates.detect(t, Params()))
    assert f["detector"] == duplicates.POSSIBLE
    assert f["grade"] == "signal to check"
    assert abs(f["confidence"] - 0.35) < 1e-9  # across partners: the full possible confidence


def test_monthly_rent_with_one_reference_is_set_apart_not_flagged():
    rows = [("a", 30 * m + (m % 2), "2000.00", "LANDLORD", "LEASE-9") for m in range(6)]
    t = ledger(*rows)
    assert findings(duplicates.detect(t, Params())) == []
    assert (
        len(set(repeat_members(t, Params()).select("txn_key").to_pyarrow().column(0).to_pylist()))
        == 6
    )


def test_three_orders_just_under_5000_within_a_fortnight_are_a_split():
    t = ledger(
        ("a", 0, "4800.00", "BUILDER", "P1"),
        ("a", 5, "4900.00", "BUILDER", "P2"),
        ("a", 12, "4700.00", "BUILDER", "P3"),
    )
    [f] = findings(splits.detect(t, Params()))
    assert f["detector"] == splits.WITHIN
    assert f["money_at_stake"] == Decimal("14400.00")  # 4,800 + 4,900 + 4,700
    assert abs(f["confidence"] - 0.4) < 1e-9  # 0.3 + 0.1 x (3 - 2)


def test_a_partners_own_threshold_replaces_the_default():
    t = ledger(("a", 0, "9000.00", "BUILDER", "P1"), ("a", 3, "9500.00", "BUILDER", "P2"))
    assert findings(splits.detect(t, Params())) == []  # £9,000-9,500 are under 75% of £25,000
    own = Params(split_thresholds_by_partner={"a": (Decimal("10000"),)})
    [f] = findings(splits.detect(t, own))
    assert f["money_at_stake"] == Decimal("18500.00")  # 9,000 + 9,500 > 10,000


def test_two_partners_just_under_25000_together_over_it_are_a_split_across_partners():
    t = ledger(("a", 0, "24000.00", "JOINT", "J1"), ("b", 6, "23000.00", "JOINT", "J2"))
    [f] = findings(splits.detect(t, Params()))
    assert f["detector"] == splits.ACROSS
    assert f["partners"] == "a, b"


@settings(max_examples=15, deadline=None)
@given(
    ref=st.from_regex(r"[A-Z]{2,4}[0-9]{1,5}", fullmatch=True),
    sep=st.sampled_from(["-", " ", "/", ".", ""]),
    zeros=st.integers(0, 3),
    lower=st.booleans(),
)
def test_any_formatting_of_one_reference_normalises_alike(ref, sep, zeros, lower):
    letters = "".join(c for c in ref if c.isalpha())
    digits = "".join(c for c in ref if c.isdigit())
    variant = letters + sep + "0" * zeros + digits
    variant = variant.lower() if lower else variant
    t = ibis.memtable({"a": [ref], "b": [variant]})
    out = (
        t.select(a=duplicates.normalise_reference(t.a), b=duplicates.normalise_reference(t.b))
        .to_pyarrow()
        .to_pylist()[0]
    )
    assert out["a"] == out["b"]


def test_every_planted_case_is_found_and_nothing_else():
    scores = evaluate(planted_ledger(background=500, cases=4, seed=3))
    for s in scores:
        assert (s.precision, s.recall) == (1.0, 1.0), s
