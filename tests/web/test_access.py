"""The access rules: who sees transactions, and small cells suppressed so none can be recovered."""

from __future__ import annotations

from decimal import Decimal

from totalplace.web.access import (
    PUBLIC,
    SMALL_CELL,
    Viewer,
    may_see_transactions,
    suppress,
    suppress_with_total,
)

HBC = "Hyndburn Borough Council"
FIRE = "Lancashire Fire and Rescue Service"
ANALYST = Viewer("analyst", HBC)


def test_only_own_analysts_see_transactions() -> None:
    assert may_see_transactions(ANALYST, HBC)
    assert may_see_transactions(ANALYST, "hyndburn-borough-council")  # the slug in tables
    assert not may_see_transactions(ANALYST, FIRE)
    assert not may_see_transactions(Viewer("board", HBC), HBC)
    assert not may_see_transactions(Viewer("administrator"), HBC)
    assert not may_see_transactions(PUBLIC, HBC)


def _row(partner: str, lines: int, amount: str) -> dict[str, object]:
    return {"partner": partner, "lines": lines, "amount": Decimal(amount)}


def test_threshold_nine_suppressed_ten_shown() -> None:
    rows = suppress(
        [_row(FIRE, SMALL_CELL - 1, "900"), _row(FIRE, SMALL_CELL, "1000"), _row(FIRE, 8, "5")],
        ANALYST,
    )
    assert rows[0]["suppressed"] and rows[0]["amount"] is None
    assert "fewer than 10 transactions" in str(rows[0]["reason"])
    assert rows[1]["suppressed"] is False and rows[1]["amount"] == Decimal("1000")
    assert rows[2]["suppressed"]


def test_a_lone_small_cell_takes_a_complement_with_it() -> None:
    rows = suppress([_row(FIRE, 9, "900"), _row(FIRE, 10, "1000"), _row(FIRE, 50, "5")], ANALYST)
    # the 9-line cell alone would be the total minus the others: the one with fewest lines goes too
    assert [r["suppressed"] for r in rows] == [True, True, False]
    assert "worked out" in str(rows[1]["reason"])


def test_own_small_cells_are_shown_to_own_analysts_only() -> None:
    rows = [_row(HBC, 3, "30"), _row(FIRE, 40, "400"), _row(FIRE, 50, "500")]
    mine = suppress(rows, ANALYST)
    assert [r["suppressed"] for r in mine] == [False, False, False]
    public = suppress(rows, PUBLIC)
    assert public[0]["suppressed"]
    assert sum(1 for r in public if r["suppressed"]) == 2  # never a lone suppressed cell


def test_lone_suppressed_cell_beside_own_cell_hides_the_total() -> None:
    # total - own (known to the analyst) would give the other partner's small cell
    rows, total = suppress_with_total(
        [_row(HBC, 100, "1000.00"), _row(FIRE, 4, "40.00")],
        {"lines": 104, "amount": Decimal("1040.00")},
        ANALYST,
    )
    assert rows[0]["amount"] == Decimal("1000.00")
    assert rows[1]["suppressed"]
    assert total["suppressed"] and total["amount"] is None


def test_no_suppressed_value_recoverable_by_subtraction() -> None:
    cases = [
        [_row(FIRE, 2, "20"), _row(FIRE, 30, "300"), _row(FIRE, 40, "400")],
        [_row(FIRE, 2, "20"), _row(FIRE, 3, "30"), _row(FIRE, 40, "400")],
        [_row(HBC, 2, "20"), _row(FIRE, 3, "30"), _row(FIRE, 40, "400"), _row(FIRE, 50, "1")],
    ]
    for case in cases:
        for viewer in (ANALYST, PUBLIC):
            total = {"lines": sum(int(r["lines"]) for r in case), "amount": Decimal(0)}  # type: ignore[call-overload]
            rows, shown = suppress_with_total(case, total, viewer)
            hidden = [r for r in rows if r["suppressed"]]
            # with the total shown, one hidden cell alone is total minus the rest
            assert shown["suppressed"] or len(hidden) != 1, (case, viewer)


def test_overview_matrix_protected_both_ways() -> None:
    from totalplace.web.views.overview import protected_count

    def cell(partner: str, theme: str, lines: int, amount: str) -> dict[str, object]:
        return {
            "partner": partner,
            "theme": theme,
            "lines": lines,
            "counted_amount": Decimal(amount),
            "method": "actual",
        }

    rows = [
        cell("hbc", "Housing", 100, "1000"),
        cell("hbc", "Safety", 200, "2000"),
        cell("fire", "Housing", 3, "30"),
        cell("fire", "Safety", 300, "3000"),
    ]
    cells = protected_count(rows, PUBLIC)
    assert cells["cell:fire|Housing"]["suppressed"]
    # every line (a total and its cells) hides none or at least two, or its total
    lines = {
        "partner:fire": ["cell:fire|Housing", "cell:fire|Safety"],
        "partner:hbc": ["cell:hbc|Housing", "cell:hbc|Safety"],
        "theme:Housing": ["cell:hbc|Housing", "cell:fire|Housing"],
        "theme:Safety": ["cell:hbc|Safety", "cell:fire|Safety"],
    }
    for total, members in lines.items():
        hidden = sum(1 for m in members if cells[m]["suppressed"])
        assert hidden != 1 or cells[total]["suppressed"], total
