"""Savings never above the spend they come from, on the months loaded, labelled as such.

A saving is a benchmark rate (a fraction ≤ 1) of a spend base: ledger savings of the
partners' ledgers, place savings of the part counted in the place. Every row and
every total carries that base beside its saving, so the two are on the same spend.
"""

from __future__ import annotations

import re
from decimal import Decimal

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.cli.support import out
from totalplace.opportunities import load_assumptions, opportunities, rate_overrides
from totalplace.opportunities.savings import saving, saving_base

amounts = st.decimals(min_value=Decimal("-1000000.00"), max_value=Decimal("1000000.00"), places=2)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=6)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 4), amounts), min_size=1, max_size=30),
    rate=rates,
)
def test_a_saving_is_never_above_its_base_per_row_or_summed_per_partner(rows, rate):
    """For any partners' rows and any rate in [0, 1], saving ≤ base, row by row and summed."""
    table = ibis.memtable(
        {"partner": [p for p, _ in rows], "amount": [a for _, a in rows]},
        schema={"partner": "int64", "amount": "decimal(18,2)"},
    )
    rate_value = ibis.literal(rate, type="decimal(38,6)")
    out = table.mutate(
        saving=saving(table.amount, rate_value), base=saving_base(table.amount, rate_value)
    )
    summed = out.group_by("partner").aggregate(saving=out.saving.sum(), base=out.base.sum())
    engine = ibis.duckdb.connect()
    try:
        for row in engine.to_pyarrow(out).to_pylist():
            assert Decimal(0) <= row["saving"] <= row["base"]
            assert row["base"] <= max(row["amount"], Decimal(0))
        for row in engine.to_pyarrow(summed).to_pylist():
            assert row["saving"] <= row["base"]
    finally:
        engine.disconnect()


@pytest.mark.parametrize("rate", [0.0, 0.37, 1.0])
def test_every_back_office_and_procurement_saving_is_at_most_the_spend_beside_it(
    hyndburn_copy, rate
):
    assumptions = load_assumptions(
        hyndburn_copy, rate_overrides(back_office=rate, procurement=rate)
    )
    result = opportunities(hyndburn_copy, assumptions=assumptions)
    tables = [
        result.back_office,
        result.procurement,
        result.back_office_by_partner(),
        result.back_office_by_function(),
        [s["back_office"] for s in result.summary()],
        [s["procurement"] for s in result.summary()],
    ]
    for rows in tables:
        assert rows
        for row in rows:
            for level in ("low", "central", "high"):
                assert row[f"saving_{level}"] <= row["saving_base"]
                assert row[f"place_saving_{level}"] <= row["place_saving_base"]
    back = result.summary()[0]["back_office"]
    if rate == 1.0:
        # At 100% the saving is the whole base it is taken from, and no more.
        assert back["saving_central"] == back["saving_base"]
        assert back["place_saving_central"] == back["place_saving_base"]


def test_the_savings_say_which_months_of_spend_they_are_on(hyndburn):
    _, result = hyndburn
    [summary] = [s for s in result.summary() if s["financial_year"] == "2024-25"]
    assert summary["months_loaded"] == {
        "hyndburn-borough-council": 12,
        "lancashire-fire-and-rescue-service": 12,
        "lancashire-police-and-crime-commissioner": 10,
    }
    assert summary["saving_on"] == (
        "saving on 12 months of spend; 10 months (Apr–Jan) for Lancashire Police and Crime "
        "Commissioner — not a whole year"
    )
    police = next(
        r
        for r in result.back_office_by_partner("2024-25")
        if r["partner"] == "lancashire-police-and-crime-commissioner"
    )
    assert police["months_loaded"] == 10
    assert police["saving_on"] == "saving on 10 months of spend (Apr–Jan), not a whole year"
    assert any("it is not a saving a year" in n for n in result.notes)


def _money(text: str) -> list[Decimal]:
    return [Decimal(m.replace(",", "")) for m in re.findall(r"£([\d,]+\.\d{2})", text)]


def test_the_demo_summary_shows_each_saving_beside_the_spend_it_comes_from(hyndburn, monkeypatch):
    """The demo showed an £8.84m ledger saving beside £8.39m of back office in the place."""
    ws, result = hyndburn
    monkeypatch.setattr(out, "width", 300)  # one line per table row, to read the columns
    run = CliRunner().invoke(app, ["opportunities", "--workspace", str(ws.root), "--summary"])
    assert run.exit_code == 0, run.output
    header = next(line for line in run.output.splitlines() if "Opportunity" in line)
    columns = [c.strip() for c in header.strip("┃│ ").split("┃")]
    assert columns[2:] == [
        "Spend (ledgers)",
        "Saving on it (central)",
        "Range",
        "Spend in the place",
        "Saving in the place (central)",
    ]
    row = next(line for line in run.output.splitlines() if "Shared back office" in line)
    ledger_spend, ledger_saving, place_spend, place_saving = _money(row)
    back = next(s for s in result.summary() if s["financial_year"] == "2024-25")["back_office"]
    assert (ledger_spend, ledger_saving) == (back["saving_base"], back["saving_central"])
    assert (place_spend, place_saving) == (back["place_saving_base"], back["place_saving_central"])
    assert ledger_saving <= ledger_spend and place_saving <= place_spend
    assert "10 months (Apr–Jan) for Lancashire Police and Crime Commissioner" in run.output
