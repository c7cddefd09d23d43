"""A body loaded for part of a year: its top-down estimate covers the months not loaded, never the loaded ones.

Hyndburn Borough Council with one month (May 2019) of a generated ledger. Before,
one loaded month replaced the council's whole-year top-down estimate; now the
estimate covers the other 11 months, and the figures add up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from totalplace.count import count
from totalplace.coverage import Coverage, coverage, place_theme_topdown
from totalplace.coverage.topdown import estimate
from totalplace.ingest import import_files
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

COUNCIL = "Hyndburn Borough Council"
KEY = "district_council:E07000120"


@pytest.fixture(scope="module")
def may_only(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Coverage, Decimal]:
    """Return the workspace, its 2019-20 coverage, and the council's whole-year estimate."""
    root = tmp_path_factory.mktemp("part-year") / "hyndburn"
    init_workspace(root, "E07000120")
    ws = open_workspace(root)
    add_partner(ws, Partner(name=COUNCIL, sector="district_council", areas=("E07000120",)))
    ws = open_workspace(root)
    lines = ["Date,Transaction Number,Supplier Name,Amount,Description"]
    lines += [
        f"{1 + i % 28:02d}/05/2019,T{i:04d},Acme Supplies Ltd,{1000 + 37 * i}.{i:02d},Stationery"
        for i in range(60)
    ]
    path = root / "may-2019.csv"
    path.write_text("\n".join(lines) + "\n")
    import_files(ws, COUNCIL, [path])
    count(ws)
    # The council's whole-year estimate, with nothing treated as loaded.
    whole_year = estimate(ws, 2019, loaded=set()).by_body()[KEY]
    return ws, coverage(ws, "2019-20"), whole_year


def test_the_loaded_month_is_counted_and_the_other_11_are_estimated_top_down(may_only):
    _, result, whole_year = may_only
    council = [r for r in result.rows if r["body_key"] == KEY]
    assert [(r["status"], r["months_loaded"], r["months_estimated"]) for r in council] == [
        ("loaded", 1, 0),
        ("estimated top-down", 1, 11),
    ]
    loaded, rest = council
    assert loaded["months"] == "May"
    assert rest["months"] == "Apr, Jun–Mar"
    eleven_twelfths = (whole_year * 11 / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert rest["amount"] == eleven_twelfths
    assert rest["topdown_year_estimate"] == whole_year
    assert "× 11/12 for Apr, Jun–Mar" in rest["source"]


def test_the_figures_add_up_and_the_loaded_month_is_not_counted_twice(may_only):
    _, result, whole_year = may_only
    council = [r for r in result.rows if r["body_key"] == KEY]
    loaded_amount = council[0]["amount"]
    estimated = council[1]["amount"]
    # Loaded May plus 11/12 of the year's estimate: never the whole year's estimate on top.
    assert sum(r["amount"] for r in council) == loaded_amount + estimated
    assert estimated < whole_year
    assert result.total == sum(r["amount"] for r in result.rows)
    assert result.layers.total == result.total
    assert result.layers.actual == loaded_amount
    top_down_rows = [r for r in result.rows if r["method"] == "top-down"]
    assert result.layers.top_down == sum(r["amount"] for r in top_down_rows)
    assert council[1] in top_down_rows


def test_the_layers_and_notes_say_which_months_are_estimated(may_only):
    _, result, _ = may_only
    top = next(layer for layer in result.layers.layers if layer.name == "top-down")
    assert f"{COUNCIL} (Apr, Jun–Mar, not loaded)" in top.bodies
    assert "only the months not loaded" in top.note
    assert any(
        n.startswith(f"{COUNCIL}: 1 month loaded (May); Apr, Jun–Mar estimated top-down, £")
        for n in result.notes
    )


def test_a_body_is_counted_once_among_the_kinds_of_body(may_only):
    _, result, _ = may_only
    assert sum(r["share"] for r in result.rows) == 1
    assert result.row("district_council")["status"] == "loaded"


def test_the_themes_top_down_covers_the_same_11_months_as_the_coverage(may_only):
    """Compare reads the top-down by theme: it must add the same months as the coverage."""
    ws, result, _ = may_only
    themed = place_theme_topdown(ws, 2019, None, {KEY})
    council = [c for c in themed.cells if c["body_key"] == KEY]
    assert council and all(c["in_count"] and c["months_estimated"] == 11 for c in council)
    rest = next(r for r in result.rows if r["body_key"] == KEY and r["part_year"])
    assert sum(c["net"] for c in council) == rest["amount"]
    assert sum(c["net"] for c in themed.cells if c["in_count"]) == result.layers.top_down
