"""The budgets_govuk.json Revenue Outturn layout: every service line, net, once per body x year x line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.outcomes.spend import outturn_spend
from totalplace.trend import OutturnFileError, outturn_series, read_outturn_series
from totalplace.trend.outturn import layout_overlaps
from totalplace.workspace import init_workspace, open_workspace

TRENDS = "finance_returns/lancashire_trends"


def _published(data: dict) -> list[float]:
    """Every non-null service_expenditure value of a file in £ thousands, walked independently."""
    return [
        figure["value_thousands"]
        for year in data["by_year"].values()
        for figure in year["revenue_summary"]["service_expenditure"].values()
        if figure["value_thousands"] is not None
    ]


def test_every_service_value_of_every_budgets_file_is_loaded_in_pounds(realdata: Path):
    files = sorted((realdata / TRENDS).glob("*/budgets_govuk.json"))
    assert len(files) == 7  # MANIFEST: the same seven councils as revenue_trends.json
    for path in files:
        data = json.loads(path.read_text())
        table = read_outturn_series([path])
        values = _published(data)
        assert table.num_rows == len(values), path
        expected = sum(Decimal(str(v)) for v in values) * 1000
        assert sum(table.column("amount").to_pylist()) == expected, path
        assert len(set(table.column("source_key").to_pylist())) == table.num_rows


def test_service_expenditure_is_net_current_expenditure(realdata: Path):
    # the figure read is the RSX form's net_current_expenditure wherever that is filled in
    # (so it means what revenue_trends.json's lines mean), never total_expenditure (gross)
    for path in sorted((realdata / TRENDS).glob("*/budgets_govuk.json")):
        data = json.loads(path.read_text())
        for year in data["by_year"].values():
            lines = {
                k.lower(): v for k, v in year["revenue_summary"]["service_expenditure"].items()
            }
            for name, form in year["detailed_services"]["RSX"]["services"].items():
                net = form["net_current_expenditure"]["value_thousands"]
                if net is not None and lines[name.lower()]["value_thousands"] is not None:
                    assert lines[name.lower()]["value_thousands"] == net, (path, name)


def test_lancashire_adult_social_care_by_hand(realdata: Path):
    table = read_outturn_series([realdata / TRENDS / "lancashire_cc" / "budgets_govuk.json"])
    asc = {r["financial_year"]: r for r in table.to_pylist() if r["service"] == "Adult Social Care"}
    # the file: by_year[y].revenue_summary.service_expenditure["Adult Social Care"]
    # .value_thousands = 478546.0, 515161.0, 496144.0, 584501.0 (£k), × 1,000
    assert {y: r["amount"] for y, r in asc.items()} == {
        "2021-22": Decimal("478546000.00"),
        "2022-23": Decimal("515161000.00"),
        "2023-24": Decimal("496144000.00"),
        "2024-25": Decimal("584501000.00"),
    }
    row = asc["2021-22"]
    assert row["body_code"] == "E10000017" and row["rs_line"] == "360"
    # the shipped top-down rule rs.adult_social_care leaves RS 360 unthemed (partly Older
    # people, Health and wellbeing): no age split is shipped
    assert row["theme"] == "Unclassified" and row["theme_rule"] == "rs.adult_social_care"
    assert row["source_key"] == (
        '$.by_year["2021-22"]["revenue_summary"]["service_expenditure"]'
        '["Adult Social Care"]["value_thousands"]'
    )


def test_pendle_2023_24_unpublished_has_no_rows(realdata: Path):
    table = read_outturn_series([realdata / TRENDS / "pendle" / "budgets_govuk.json"])
    assert "2023-24" not in set(table.column("financial_year").to_pylist())  # all null


def test_overlapping_lines_agree_except_rounding(realdata: Path):
    for council in ("lancashire_cc", "hyndburn", "burnley", "rossendale", "blackburn"):
        folder = realdata / TRENDS / council
        both = read_outturn_series([folder / "revenue_trends.json", folder / "budgets_govuk.json"])
        overlaps = layout_overlaps(both)
        # 4 years x 6 lines (490, 509, 590, 599, 690, 698) in both layouts
        assert len(overlaps) == 24, council
        assert all(o["difference"] == 0 for o in overlaps), council
    folder = realdata / TRENDS / "ribble_valley"
    overlaps = layout_overlaps(
        read_outturn_series([folder / "revenue_trends.json", folder / "budgets_govuk.json"])
    )
    differ = {o["rs_line"]: o["difference"] for o in overlaps if o["difference"]}
    # 2024-25: revenue_trends rounds to £k; budgets_govuk gives 249.11, 1805.2, 3923.2,
    # 904.6, 2571.76 against 249, 1805, 3923, 905, 2572 -> +110, +200, +200, -400, -240 pounds
    assert differ == {
        "490": Decimal("110.00"),
        "509": Decimal("200.00"),
        "590": Decimal("200.00"),
        "599": Decimal("-400.00"),
        "690": Decimal("-240.00"),
    }


def _workspace_with_both(tmp_path: Path, realdata: Path) -> Path:
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    (root / "o").mkdir()
    for name in ("revenue_trends.json", "budgets_govuk.json"):
        (root / "o" / name).write_bytes((realdata / TRENDS / "lancashire_cc" / name).read_bytes())
    with (root / "place.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[outturns]]\nbody = "Lancashire County Council"\n'
            'files = ["o/revenue_trends.json", "o/budgets_govuk.json"]\n'
        )
    return root


def test_both_layouts_declared_count_each_line_once(tmp_path, realdata: Path):
    table = outturn_series(open_workspace(_workspace_with_both(tmp_path, realdata)))
    keys = [(r["fy_start_year"], r["rs_line"]) for r in table.to_pylist() if r["rs_line"]]
    assert len(keys) == len(set(keys))
    year = table.filter(
        pc.and_(pc.equal(table["fy_start_year"], 2021), pc.is_valid(table["theme"]))
    )
    # 2021-22, £k: revenue_trends lines housing 34 + culture 20924 + environment 75484 +
    # planning 8459 + central 21724 + other 0 + HB 0 = 126,625; budgets_govuk only lines
    # education 1020743 + highways 54355 + children 223776 + adults 478546 + public health
    # 79041 + police 0 + fire 0 = 1,856,461; together 1,983,086 = the published TOTAL
    # SERVICE EXPENDITURE: nothing counted twice, nothing missing
    assert sum(year.column("amount").to_pylist()) == Decimal("1983086000.00")
    kept = {r["rs_line"]: r["source_key"] for r in year.to_pylist()}
    assert kept["509"].startswith('$.by_year["2021-22"]["summary"]')  # revenue_trends wins
    assert "revenue_summary" in kept["360"]


def test_outcomes_set_adult_social_care_beside_older_people(tmp_path, realdata: Path):
    rows = outturn_spend(open_workspace(_workspace_with_both(tmp_path, realdata)))
    older = {r["financial_year"]: r for r in rows if r["theme"] == "Older people"}
    assert set(older) == {"2021-22", "2022-23", "2023-24", "2024-25"}
    row = older["2021-22"]
    assert row["amount"] == Decimal("478546000.00")  # the whole RS 360 line, as above
    assert row["basis"].startswith("whole line Adult Social Care")
    # per head: £478,546,000 / 1,236,228 (ONS mid-2021, Lancashire's 12 districts) = 387.1008
    assert row["population"] == 1236228 and row["per_head"] == Decimal("387.10")
    health = [r for r in rows if r["theme"] == "Health and wellbeing"]
    # Public Health (RS 390) is themed Health and wellbeing, so the whole ASC line is not added
    assert {r["basis"] for r in health} == {"lines themed Health and wellbeing: Public Health"}


def _budgets(lines: dict) -> str:
    return json.dumps(
        {
            "ons_code": "E10000017",
            "units": "GBP (converted from GBP thousands)",
            "by_year": {"2021-22": {"revenue_summary": {"service_expenditure": lines}}},
        }
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            _budgets({"Adult Social Care": {"value_thousands": "lots"}}),
            r"bad\.json: .*Adult Social Care.* is 'lots', not a number",
        ),
        (
            _budgets({"Adult Social Care": 12}),
            r"bad\.json: .*Adult Social Care.* is 12, not an object",
        ),
        (
            _budgets({"Social things": {"value_thousands": 1}}),
            r"bad\.json: .*'Social things', not a Revenue Outturn service line",
        ),
        (
            _budgets({}).replace("GBP (converted from GBP thousands)", "EUR"),
            r"bad\.json: units 'EUR'",
        ),
        (
            '{"ons_code": "E10000017", "units": "GBP", "by_year": {"2021-22": '
            '{"revenue_summary": {}}}}',
            r"bad\.json: by_year\['2021-22'\] has no revenue_summary\.service_expenditure",
        ),
    ],
)
def test_a_malformed_budgets_file_is_refused_by_name(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OutturnFileError, match=message) as caught:
        read_outturn_series([path])
    assert "Nothing was loaded" in str(caught.value)


_LINES = ["Adult Social Care", "Education services", "Public Health", "Central services"]


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.decimals(min_value=-(10**6), max_value=10**7, places=2, allow_nan=False),
        ),
        min_size=len(_LINES),
        max_size=len(_LINES),
    ),
    spelling=st.sampled_from([str.upper, str.lower, str.title, lambda s: f" {s} "]),
)
def test_generated_values_and_spellings_are_read_exactly(tmp_path_factory, values, spelling):
    lines = {
        spelling(name): {"value_thousands": None if v is None else float(v)}
        for name, v in zip(_LINES, values, strict=True)
    }
    path = tmp_path_factory.mktemp("g") / "budgets.json"
    path.write_text(_budgets(lines), encoding="utf-8")
    table = read_outturn_series([path])
    published = [v for v in values if v is not None]
    assert table.num_rows == len(published)  # a null is not published: no row, not zero
    # each £k value × 1,000, exact to the penny (the float's shortest repr is the decimal)
    assert sum(table.column("amount").to_pylist()) == sum(
        (Decimal(str(float(v))) * 1000).quantize(Decimal("0.01")) for v in published
    )
    assert set(table.column("rs_line").to_pylist()) <= {"360", "190", "390", "690"}
