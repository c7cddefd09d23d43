"""LM3 on hand-worked examples (nef's three rounds, Northumberland's re-spend rates)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from totalplace.economy import lm3, load_economy_assumptions

D = Decimal


def test_lm3_of_100_with_60_spent_locally_at_northumberland_rates():
    rates = load_economy_assumptions(None)
    result = lm3(D("60"), D("40"), D("0"), rates)
    # R1 = 100; R2 = 60 (local suppliers); R3 = 0.76 x 60 + 0.36 x 40 = 45.6 + 14.4 = 60
    # LM3 = (100 + 60 + 60) / 100 = 2.2
    assert (result.r1, result.r2, result.r3) == (D("100.00"), D("60.00"), D("60.00"))
    assert result.lm3 == D("2.2000")


def test_unknown_spend_is_re_spent_at_the_non_local_rate_with_the_other_bound_shown():
    rates = load_economy_assumptions(None)
    result = lm3(D("50"), D("30"), D("20"), rates)
    # cautious: R1 = 100, R2 = 50, R3 = 0.76 x 50 + 0.36 x (30 + 20) = 38 + 18 = 56 -> 2.06
    assert result.lm3 == D("2.0600")
    # if unknown were local: R2 = 70, R3 = 0.76 x 70 + 0.36 x 30 = 53.2 + 10.8 = 64 -> 2.34
    assert result.lm3_if_unknown_local == D("2.3400")
    assert result.inputs["unknown_supplier_spend"] == D("20")


def test_staff_pay_enters_r1_and_its_local_part_r2_and_r3():
    rates = dataclasses.replace(
        load_economy_assumptions(None),
        staff_pay=D("200"),
        staff_local_share=D("0.5"),
        respend_staff=D("0.5"),
    )
    result = lm3(D("60"), D("40"), D("0"), rates)
    # R1 = 100 + 200 = 300; R2 = 60 + 200 x 0.5 = 160;
    # R3 = 0.76 x 60 + 0.36 x 40 + 0.5 x 100 = 45.6 + 14.4 + 50 = 110
    # LM3 = (300 + 160 + 110) / 300 = 570 / 300 = 1.9
    assert (result.r1, result.r2, result.r3) == (D("300.00"), D("160.00"), D("110.00"))
    assert result.lm3 == D("1.9000")


def test_no_spend_has_no_lm3():
    assert lm3(D(0), D(0), D(0), load_economy_assumptions(None)).lm3 is None
