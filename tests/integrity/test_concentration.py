"""HHI and top shares per category, for each partner and the place, and dependency across partners."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import ibis
import pytest

from totalplace.integrity.concentration import (
    concentration_table,
    detect_concentration,
    detect_dependency,
)
from totalplace.integrity.params import Params
from totalplace.integrity.patterns import detect_one_off, detect_round_numbers, detect_year_end

from .signal_ledgers import ledger

PARAMS = Params()
D = date(2024, 6, 3)

ROWS = [
    ("p", "A Ltd", D, "600000.00", "Waste"),
    ("p", "B Ltd", D, "350000.00", "Waste"),
    ("p", "B Ltd", D, "-50000.00", "Waste"),  # a credit: B's net spend is £300,000
    ("p", "C Ltd", D, "100000.00", "Waste"),
    ("q", "A Ltd", D, "200000.00", "Waste"),
    ("q", "D Ltd", D, "200000.00", "Waste"),
    ("q", "Only Ltd", D, "100000.00", "Small"),  # one supplier, but under £214,904
    ("q", "E Ltd", D, "999999.00", None),  # no category: left out
]


def _table():
    rows = concentration_table(ledger(ROWS), PARAMS).to_pyarrow().to_pylist()
    return {(r["scope"], r["partner"], r["category"]): r for r in rows}


def test_hhi_and_top_shares_per_partner_and_for_the_place():
    t = _table()
    p = t[("partner", "p", "Waste")]
    # p: A 600k, B 300k (net), C 100k of £1m: shares 60/30/10, HHI 3,600 + 900 + 100 = 4,600.
    assert p["spend"] == Decimal("1000000.00")
    assert p["suppliers"] == 3
    assert p["hhi"] == pytest.approx(4600.0)
    assert p["top1_share"] == pytest.approx(0.6)
    assert p["top3_share"] == pytest.approx(1.0)
    assert p["top_supplier"] == "A Ltd"
    # q: A and D £200k each, HHI 2,500 + 2,500; the tie goes to the first supplier key, 'a ltd'.
    q = t[("partner", "q", "Waste")]
    assert q["hhi"] == pytest.approx(5000.0)
    assert q["top_supplier"] == "A Ltd"
    # Place: A 800k, B 300k, D 200k, C 100k of £1.4m: (8/14)^2 + (3/14)^2 + (2/14)^2 + (1/14)^2
    # = (64 + 9 + 4 + 1) / 196 = 0.397959, HHI 3,979.59; top three (8+3+2)/14 = 0.928571.
    place = t[("place", None, "Waste")]
    assert place["hhi"] == pytest.approx(3979.59, abs=0.01)
    assert place["top1_share"] == pytest.approx(8 / 14)
    assert place["top3_share"] == pytest.approx(13 / 14)
    assert place["spend"] == Decimal("1400000.00")
    assert all(key[2] is not None for key in t)  # the uncategorised line is left out


def test_concentrated_categories_are_information_for_each_partner_and_the_place():
    found = detect_concentration(ledger(ROWS), PARAMS)
    hits = {r["partners"]: r for r in found.findings.to_pyarrow().to_pylist()}
    # Waste at p (4,600), q (5,000) and the place (3,980) are all above 2,500 and £214,904;
    # 'Small' (10,000 but £100,000) is not.
    assert set(hits) == {"p", "q", "p, q"}
    assert {r["grade"] for r in hits.values()} == {"information"}
    # At stake: the top supplier's spend, A's £600,000 at p and £800,000 for the place.
    assert hits["p"]["money_at_stake"] == Decimal("600000.00")
    assert hits["p, q"]["money_at_stake"] == Decimal("800000.00")
    members = found.members.to_pyarrow().to_pylist()
    place_members = [m for m in members if m["finding_id"] == hits["p, q"]["finding_id"]]
    assert sorted(m["amount"] for m in place_members) == [
        Decimal("200000.00"),
        Decimal("600000.00"),
    ]


def test_one_supplier_with_most_of_a_category_across_partners_is_a_dependency():
    found = detect_dependency(ledger(ROWS), PARAMS)
    hits = found.findings.to_pyarrow().to_pylist()
    # A Ltd: 800k of the place's 1.4m in Waste = 57.1% > 50%, paid by p and q.
    assert [(h["supplier"], h["partners"]) for h in hits] == [("A Ltd", "p, q")]
    assert hits[0]["money_at_stake"] == Decimal("800000.00")
    assert "57.1%" in hits[0]["statistic"]
    # At one partner only, no dependency across partners.
    alone = [r for r in ROWS if r[0] == "p"]
    assert detect_dependency(ledger(alone), PARAMS).findings.count().to_pyarrow().as_py() == 0


@pytest.mark.parametrize("dialect", ["postgres", "pyspark"])
def test_the_detectors_compile_for_the_other_engines(dialect):
    # The SQL detectors are plain Ibis: they compile for PostgreSQL and Spark as for DuckDB.
    if dialect == "pyspark":
        pytest.importorskip("pyspark")
        assert ibis.pyspark  # loading the backend registers the Spark compiler's options
    payments = ledger(ROWS)
    for detect in (
        detect_round_numbers,
        detect_year_end,
        detect_one_off,
        detect_concentration,
        detect_dependency,
    ):
        found = detect(payments, PARAMS)
        assert ibis.to_sql(found.findings, dialect=dialect)
        assert ibis.to_sql(found.members, dialect=dialect)
