"""The per-publisher theme coverage that ``make eval`` prints (classify.evaluate)."""

from __future__ import annotations

import fnmatch
from decimal import Decimal

from totalplace.classify.evaluate import (
    AIM,
    PublisherResult,
    evaluate_publisher,
    format_gaps,
    format_table,
)
from totalplace.classify.publishers import NOT_EVALUATED, PUBLISHERS, Publisher, publisher_files


def test_every_spending_file_of_realdata_is_read_by_one_publisher(realdata, truth):
    paths = [f["path"] for f in truth["file_totals"]]
    owners = {
        path: [p.name for p in PUBLISHERS if any(fnmatch.fnmatch(path, g) for g in p.files)]
        for path in paths
    }
    unread = sorted(p for p, names in owners.items() if not names and p not in NOT_EVALUATED)
    twice = sorted(p for p, names in owners.items() if len(names) > 1)
    assert unread == []
    assert twice == []
    read = {f for p in PUBLISHERS for f in publisher_files(p, realdata)}
    assert [p for p in NOT_EVALUATED if realdata / p in read] == []


def test_one_publishers_coverage_adds_up_to_its_file(realdata, truth):
    path = "lancashire/hyndburn_bc/hyndburn_2024-05.csv"
    figures = next(f for f in truth["file_totals"] if f["path"] == path)
    publisher = Publisher("Hyndburn Borough Council", "district_council", "Lancashire", (path,))
    result = evaluate_publisher(publisher, realdata, top=5)
    # Gross is the sum of absolute amounts: the net total less twice the negatives.
    gross = Decimal(figures["sum"]) - 2 * Decimal(figures["sum_negative"])
    assert (result.rows, result.gross) == (figures["n_transactions"], gross)
    assert Decimal(0) < result.passed_on < result.gross  # precepts are passed on
    assert result.themed <= result.counted
    assert result.share == round(float(result.themed / result.counted), 4)
    assert result.described
    # The gaps listed are lines no theme rule matched, largest first, none passed on.
    gap_gross = [Decimal(g["gross"]) for g in result.gaps]
    assert gap_gross == sorted(gap_gross, reverse=True)
    assert sum(gap_gross) <= result.counted - result.themed
    assert result.skipped == ()


def _result(share: str, described: bool) -> PublisherResult:
    counted = Decimal("1000000.00")
    return PublisherResult(
        Publisher("Some Council", "district_council", "Somewhere", ("x/*.csv",)),
        rows=10,
        gross=counted + Decimal("500000.00"),
        passed_on=Decimal("500000.00"),
        themed=counted * Decimal(share),
        described=described,
        gaps=(
            {
                "partner": "some-council",
                "expense_type": "Widgets",
                "service_area": None,
                "purpose": "Big order",
                "largest_supplier": "Widget Co",
                "rows": 1,
                "net": "90000.00",
                "gross": "90000.00",
            },
        ),
    )


def test_the_table_says_why_a_publisher_is_under_the_aim():
    low_plain = format_table([_result("0.5", described=False)])
    assert "Some Council" in low_plain and "50.0%" in low_plain
    assert "no descriptions" in low_plain
    low = format_table([_result("0.5", described=True)])
    assert "under the aim" in low
    met = format_table([_result(str(AIM + 0.01), described=True)])
    assert "under the aim" not in met and "no descriptions" not in met
    assert "no descriptions" in format_gaps([_result("0.5", described=False)])


def test_gaps_are_listed_for_publishers_under_the_aim_only():
    assert "Widgets | Big order" in format_gaps([_result("0.5", described=True)])
    assert format_gaps([_result("0.95", described=True)]) == ""
