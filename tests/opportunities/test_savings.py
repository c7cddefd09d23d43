"""Savings are rate x spend from the assumptions in force, and change when the assumptions do."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from totalplace.opportunities import load_assumptions, opportunities, rate_overrides

from .conftest import sql

LEVELS = ("low", "central", "high")


def penny(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_saving(base: Decimal, rate: Decimal) -> Decimal:
    return penny(max(base, Decimal(0)) * rate)


def test_back_office_savings_are_each_functions_benchmark_times_its_spend(hyndburn):
    _, result = hyndburn
    assumptions = load_assumptions()
    assert result.back_office
    for row in result.back_office:
        bench = assumptions.for_function(row["function"])
        assert row["benchmark"] == bench.key and row["source"] == bench.source
        for level in LEVELS:
            rate = getattr(bench, level)
            assert row[f"rate_{level}"] == rate
            assert row[f"saving_{level}"] == expected_saving(row["amount"], rate)
            assert row[f"place_saving_{level}"] == expected_saving(row["place_amount"], rate)
        assert row["saving_low"] <= row["saving_central"] <= row["saving_high"]
    ict = [r for r in result.back_office if r["function"] == "ICT"]
    assert ict and all(r["rate_central"] == Decimal("0.2") for r in ict)


def test_procurement_savings_are_the_benchmark_times_spend_except_where_not_influenceable(
    hyndburn,
):
    _, result = hyndburn
    bench = load_assumptions().procurement
    assert any(not r["influenceable"] for r in result.procurement)  # rates and taxes
    for row in result.procurement:
        for level in LEVELS:
            rate = getattr(bench, level) if row["influenceable"] else Decimal(0)
            assert row[f"saving_{level}"] == expected_saving(row["amount"], rate)
            assert row[f"place_saving_{level}"] == expected_saving(row["place_amount"], rate)
        assert row["saving_low"] <= row["saving_central"] <= row["saving_high"]
        if row["influenceable"]:
            assert "S70" in row["source"]
        else:
            assert row["saving_high"] == 0 and "not influenceable" in row["source"]


def test_summary_savings_add_up_the_rows(hyndburn):
    _, result = hyndburn
    [summary] = result.summary()
    for kind, rows in (("back_office", result.back_office), ("procurement", result.procurement)):
        for level in LEVELS:
            assert summary[kind][f"saving_{level}"] == sum(r[f"saving_{level}"] for r in rows)
    back = summary["back_office"]
    assert back["saving_low"] < back["saving_central"] < back["saving_high"]


def test_a_user_set_rate_changes_every_saving(hyndburn, hyndburn_copy):
    _, default = hyndburn
    result = opportunities(
        hyndburn_copy,
        assumptions=load_assumptions(
            hyndburn_copy, rate_overrides(back_office=0.1, procurement=0.03)
        ),
    )
    assert [r["amount"] for r in result.back_office] == [r["amount"] for r in default.back_office]
    for row in result.back_office:
        assert row["saving_low"] == row["saving_central"] == row["saving_high"]
        assert row["saving_central"] == expected_saving(row["amount"], Decimal("0.1"))
    for row in result.procurement:
        if row["influenceable"]:
            assert row["saving_central"] == expected_saving(row["amount"], Decimal("0.03"))
    new, old = result.summary()[0], default.summary()[0]
    assert new["back_office"]["saving_central"] < old["back_office"]["saving_central"]
    assert new["procurement"]["saving_central"] < old["procurement"]["saving_central"]
    # The rates in force are written beside the results.
    assert sql(
        hyndburn_copy, "SELECT DISTINCT central FROM opp_assumptions WHERE key LIKE 'back%'"
    ) == [(Decimal("0.1"),)]


def test_a_workspace_assumptions_file_changes_the_results(hyndburn_copy):
    (hyndburn_copy.root / "assumptions.toml").write_text(
        "[back_office.function.Property]\nlow = 0.1\ncentral = 0.12\nhigh = 0.2\n",
        encoding="utf-8",
    )
    result = opportunities(hyndburn_copy)
    property_rows = [r for r in result.back_office if r["function"] == "Property"]
    assert len(property_rows) == 3
    for row in property_rows:
        assert row["rate_central"] == Decimal("0.12")
        assert row["saving_central"] == expected_saving(row["amount"], Decimal("0.12"))
    others = [r for r in result.back_office if r["function"] == "HR"]
    assert others and all(r["rate_central"] == Decimal("0.2222") for r in others)


def test_a_higher_partner_threshold_keeps_fewer_categories(hyndburn, hyndburn_copy):
    _, default = hyndburn
    (hyndburn_copy.root / "assumptions.toml").write_text(
        "[procurement]\nmin_partners = 3\n", encoding="utf-8"
    )
    result = opportunities(hyndburn_copy)
    two = {r["opportunity_key"] for r in default.procurement if r["partners"] == 2}
    assert two, "the example has categories bought by exactly two partners"
    assert {r["opportunity_key"] for r in result.procurement} == {
        r["opportunity_key"] for r in default.procurement
    } - two
