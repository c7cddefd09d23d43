"""Round-number payments, year-end spikes and one-off large payments, against hand-worked answers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.integrity.params import Params
from totalplace.integrity.patterns import (
    detect_one_off,
    detect_round_numbers,
    detect_year_end,
    fy_start_months,
)

from .signal_ledgers import ledger

PARAMS = Params()
D = date(2024, 6, 3)


def _by_supplier(found):
    return {r["supplier"]: r for r in found.findings.to_pyarrow().to_pylist()}


def test_a_supplier_paid_mostly_round_thousands_is_a_signal_with_the_base_rate():
    rows = [("p", "Roundco", D, a, "x") for a in ("1000", "2000", "3000", "4000", "1234.56")]
    rows += [("p", "Roundco", D, "500.00", "x")]  # under £1,000: not tested
    rows += [("p", "Oddco", D, f"{1500 + i}.37", "x") for i in range(20)]
    rows += [("p", "Otherco", D, f"{2500 + i}.11", "x") for i in range(5)]
    found = detect_round_numbers(ledger(rows), PARAMS)
    hits = _by_supplier(found)
    assert set(hits) == {"Roundco"}
    hit = hits["Roundco"]
    # Tested: 5 + 20 + 5 = 30 payments of £1,000+, 4 round: base rate 4/30 = 13.3%.
    # Roundco 4 of 5 = 80% (6 times the base rate); at stake 1000+2000+3000+4000 = £10,000.
    assert hit["money_at_stake"] == Decimal("10000.00")
    assert hit["rows"] == 4
    assert hit["grade"] == "signal to check"
    assert "13.3%" in hit["statistic"] and "80.0%" in hit["statistic"]
    # confidence: excess share (0.8 - 4/30) / (1 - 4/30) = 0.769231, times 5 / (5 + 5).
    assert hit["confidence"] == pytest.approx(0.384615, abs=1e-6)
    members = found.members.to_pyarrow().to_pylist()
    assert sorted(m["amount"] for m in members) == [
        Decimal(x) for x in ("1000", "2000", "3000", "4000")
    ]
    assert {m["finding_id"] for m in members} == {hit["finding_id"]}


@settings(max_examples=25, deadline=None)
@given(
    unit=st.sampled_from([Decimal(100), Decimal(500), Decimal(1000), Decimal(5000)]),
    multiples=st.lists(st.integers(1, 40), min_size=5, max_size=12),
    partner=st.from_regex(r"[a-z]{3,8}(-[a-z]{2,6})?", fullmatch=True),
    name=st.from_regex(r"[A-Z][a-z]{2,10} (Ltd|LLP|Trust)", fullmatch=True),
)
def test_any_unit_any_names_all_round_supplier_is_found(unit, multiples, partner, name):
    params = Params(round_unit=unit)
    rows = [(partner, name, D, str(unit * m), "x") for m in multiples]
    # 40 others paid unit + 0.37 .. : never round.
    rows += [
        (partner, f"Other {i}", D, str(unit * (i + 1) + Decimal("0.37")), "x") for i in range(40)
    ]
    hits = _by_supplier(detect_round_numbers(ledger(rows), params))
    assert set(hits) == {name}
    assert hits[name]["money_at_stake"] == unit * sum(multiples)


def _year_end_rows(partner: str = "p") -> list:
    # Rest of the year: 10 payments of £3,580 on the 1st of April 2024 .. January 2025.
    months = [date(2024 + (4 + m - 1) // 12, (4 + m - 1) % 12 + 1, 1) for m in range(10)]
    rows = [(partner, "Regular Ltd", d, "3580.00", "x") for d in months]
    # Last week (25-31 March 2025): three payments of £700 to Rush Ltd.
    rows += [(partner, "Rush Ltd", date(2025, 3, d), "700.00", "x") for d in (26, 27, 28)]
    return rows


def test_a_partner_spending_three_times_its_daily_rate_in_the_last_week_is_a_spike():
    found = detect_year_end(ledger(_year_end_rows()), PARAMS)
    hits = _by_supplier(found)
    hit = hits["all suppliers"]
    # Earliest payment 1 April 2024 is 365 days before 1 April 2025: 365 - 7 = 358 days before
    # the last week; rest £35,800 / 358 = £100 a day, £700 expected in 7 days; paid £2,100.
    assert hit["money_at_stake"] == Decimal("1400.00")  # 2,100 - 700
    assert hit["confidence"] == pytest.approx(1400 / 2100)
    assert "3.0 times" in hit["statistic"]
    assert hit["rows"] == 3
    # Its suppliers are members of the partner's finding, not findings of their own.
    assert set(hits) == {"all suppliers"}
    assert found.members.count().to_pyarrow().as_py() == 3


def test_a_supplier_paid_four_times_faster_at_year_end_is_flagged_in_a_quiet_year():
    rows = [
        ("p", f"Steady {i}", date(2024, 4, 1) + timedelta(days=7 * w), "5000.00", "x")
        for i in range(3)
        for w in range(52)
    ]
    # Monthly £2,137.45 from April to February, then two payments of £15,000 in the last week.
    rows += [
        ("p", "Late Ltd", date(2024 + (3 + m) // 12, (3 + m) % 12 + 1, 10), "2137.45", "x")
        for m in range(11)
    ]
    rows += [("p", "Late Ltd", date(2025, 3, d), "15000.00", "x") for d in (27, 30)]
    hits = _by_supplier(detect_year_end(ledger(rows), PARAMS))
    assert set(hits) == {"Late Ltd"}
    # Late Ltd: rest 11 x 2,137.45 = £23,511.95 over 358 days: £459.73 expected in 7 days;
    # paid £30,000 (65 times); excess 30,000 - 459.73 = £29,540.27.
    assert hits["Late Ltd"]["money_at_stake"] == Decimal("29540.27")


def test_the_financial_year_start_is_read_from_the_payments():
    rows = [("april", "A", date(2024, 5, 1), "1", "x"), ("april", "A", date(2025, 2, 1), "1", "x")]
    jan = ledger([("jan", "A", date(2024, 1, 5), "1", "x")])
    jan = jan.mutate(fy_start_year=ibis.literal(2024, "int64"))
    got = fy_start_months(ledger(rows).union(jan)).to_pyarrow().to_pylist()
    # April: February dated in the year after its start year, May in it: 3 < m <= 5, so April.
    # jan: January dated in its own start year: m <= 1.
    assert {r["partner"]: r["fy_start_month"] for r in got} == {"april": 4, "jan": 1}


def test_one_off_large_payments_to_suppliers_paid_once():
    rows = [("p", "Many Ltd", D, f"{50 * (i + 1)}.00", "x") for i in range(400)]  # £50..£20,000
    rows += [
        ("p", "Once Ltd", D, "30000.00", "x"),
        ("p", "Twice Ltd", D, "40000.00", "x"),
        ("p", "Twice Ltd", D, "40000.00", "x"),
        ("p", "Small Once Ltd", D, "20000.50", "x"),  # under £25,000
        ("p", "Shared Ltd", D, "50000.00", "x"),
        ("q", "Shared Ltd", D, "50000.00", "x"),  # q's only payment: percentile rank 0
    ]
    hits = _by_supplier(detect_one_off(ledger(rows), PARAMS))
    assert set(hits) == {"Once Ltd", "Shared Ltd"}
    # p has 405 payments; Once Ltd is above 401 of the other 404: rank 401/404 = 0.992574.
    assert hits["Once Ltd"]["confidence"] == pytest.approx(401 / 404)
    assert hits["Once Ltd"]["money_at_stake"] == Decimal("30000.00")
    # Shared Ltd is p's largest (rank 1) but q pays it too: confidence halved.
    assert hits["Shared Ltd"]["confidence"] == pytest.approx(0.5)
    assert "other partners pay it" in hits["Shared Ltd"]["statistic"]


def test_year_end_uses_the_partners_own_start_month():
    # A partner whose year runs January-December (fy_start_month 1): its last 7 days are
    # 25-31 December. £1,000 on the 1st of March to November (9 payments), then £30,000 in
    # three payments on 27-29 December. Covered before the last week: 1 March 2024 to
    # 24 December = 306 - 7 = 299 days, so the normal rate gives £9,000 x 7 / 299 = £210.70
    # in a week: £30,000 is 142 times it.
    rows = [("jan", "Steady Ltd", date(2024, m, 1), "1000.00", "x") for m in range(3, 12)]
    rows += [("jan", "Steady Ltd", date(2024, 12, d), "10000.00", "x") for d in (27, 28, 29)]
    t = ledger(rows).mutate(fy_start_year=ibis.literal(2024, "int64"))
    own = t.mutate(fy_start_month=ibis.literal(1, "int64"))
    found = detect_year_end(own, PARAMS).findings.to_pyarrow().to_pylist()
    assert [(f["finding_id"], f["rows"]) for f in found] == [("year_end|jan|2024|*", 3)]
    # £30,000 - £210.70 = £29,789.30 above the normal rate
    assert found[0]["money_at_stake"] == Decimal("29789.30")
    # Read from the payments alone, the year could start in March (nothing is dated in
    # January or February): December is then not the year's end, and nothing is found.
    assert detect_year_end(t, PARAMS).findings.count().to_pyarrow().as_py() == 0


def test_transfers_are_never_flagged_as_round_year_end_or_one_off():
    # A council's precept to the fire authority: round sums, once, in the year's last week --
    # every pattern the detectors look for, but money passed on, not bought.
    end = date(2025, 3, 28)
    rows = [("p", "Many Ltd", D + timedelta(days=i % 300), f"{50 * (i + 1)}.37", "x") for i in range(400)]  # fmt: skip
    rows += [("p", "Fire Authority", end, "900000.00", "x")]
    rows += [("p", "Roundco", D, a, "x") for a in ("1000", "2000", "3000", "4000", "5000")]
    base = ledger(rows)
    kind = ibis.ifelse(base.supplier_key == "fire authority", "precept", ibis.null("string"))
    marked = base.mutate(transfer_kind=kind)
    for detect in (detect_round_numbers, detect_year_end, detect_one_off):
        suppliers = {
            f["supplier"] for f in detect(marked, PARAMS).findings.to_pyarrow().to_pylist()
        }
        assert "Fire Authority" not in suppliers, detect.__name__
    # Unmarked, the same payment is a one-off (and Roundco still round when marked).
    assert "Fire Authority" in _by_supplier(detect_one_off(base, PARAMS))
    assert "Roundco" in _by_supplier(detect_round_numbers(marked, PARAMS))
