"""The shipped top-down reference holds exactly the published cells it says it does."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from totalplace.coverage import sources
from totalplace.years import year_label


def pounds(cell: Any) -> Decimal:
    """Return a £-thousands cell in exact pounds, as the published figure reads."""
    return (Decimal(repr(cell)) * 1000).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_every_shipped_cra_figure_is_the_workbook_cell_of_its_row(sheets):
    cra = sheets["cra"]
    header = cra[0]
    shipped = sources.cra().to_pylist()
    assert len(shipped) == sum(1 for r in cra[1:] if r[header.index("Country")] == "ENGLAND")
    for row in shipped:
        cells = cra[row["sheet_row"] - 1]
        assert cells[header.index("NUTS Region")] == row["nuts_region"]
        assert cells[header.index("Department Name")] == row["department"]
        for year, column in sources.CRA_YEAR_COLUMNS.items():
            index = ord(column) - ord("A")
            assert header[index] == year_label(year)
            assert row[f"amount_{year_label(year).replace('-', '_')}"] == pounds(cells[index])


def test_north_west_dwp_spending_2017_18_is_the_sum_of_its_workbook_rows(sheets):
    cra = sheets["cra"]
    # Column A department, M NUTS region, S 2017-18 (£ thousand), read independently.
    expected = sum(
        (
            pounds(r[18])
            for r in cra[1:]
            if r[0] == "Department for Work and Pensions" and r[12] == "ENGLAND_North West"
        ),
        Decimal(0),
    )
    shipped = sum(
        (
            r["amount_2017_18"]
            for r in sources.cra().to_pylist()
            if r["department"] == "Department for Work and Pensions"
            and r["region_code"] == "E12000002"
        ),
        Decimal(0),
    )
    assert shipped == expected
    assert expected == Decimal("19457140000.00")  # £19.46bn


def test_lancashire_county_council_rs_2017_18_cells(sheets):
    rs = sheets["rs17"]
    row = sources.rs_row("E10000017", 2017)
    assert row is not None and row["authority"] == "Lancashire"
    assert rs[55][1] == "E10000017"  # spreadsheet row 56
    assert sources.rs_cell(row, "190") == "F56"
    assert row["line_190"] == pounds(rs[55][5]) == Decimal("916159000.00")  # education, F56
    assert row["line_360"] == pounds(rs[55][8]) == Decimal("392354000.00")  # adult social care, I56
    assert row["line_699"] == pounds(rs[55][18]) == Decimal("1733059000.00")  # total services, S56


def test_every_shipped_rs_figure_is_the_cell_it_names(sheets):
    for row in sources.rs().to_pylist():
        sheet = sheets["rs17" if row["financial_year"] == "2017-18" else "rs14"]
        cells = sheet[row["sheet_row"] - 1]
        assert cells[0] == row["e_code"]
        for line in sources.RS_LINE_NAMES:
            cell = sources.rs_cell(row, line)
            column = cell.rstrip("0123456789")
            index = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(column))) - 1
            value = cells[index]
            if isinstance(value, int | float):
                assert row[f"line_{line}"] == pounds(value), (row["authority"], cell)
            else:
                assert row[f"line_{line}"] is None, (row["authority"], cell)


def test_rs_2014_15_police_rows_get_their_ons_code_from_the_same_e_code_in_2017_18(sheets):
    rs14 = sheets["rs14"]
    row = sources.rs_row("E23000003", 2014)
    assert row is not None and row["e_code"] == "E7023"
    assert row["ons_code_source"] == "E-code in RS 2017-18"
    cells = rs14[row["sheet_row"] - 1]
    assert cells[1] == "n/a" and cells[0] == "E7023"
    assert row["line_601"] == pounds(cells[15]) == Decimal("253256000.00")  # police, P428


def test_population_drivers_are_the_file6_lsoa_sums(population_2015, north_west):
    drivers = sources.drivers()
    hyndburn = drivers["E07000120"]
    assert hyndburn.region_code == "E12000002"
    assert hyndburn.bands["pop_all"] == population_2015["E07000120"]["all"]
    assert hyndburn.bands["pop_0_15"] == population_2015["E07000120"]["0_15"]
    assert hyndburn.bands["pop_60_plus"] == population_2015["E07000120"]["60_plus"]
    assert {d.code for d in drivers.values() if d.region_code == "E12000002"} == north_west
    assert sources.band_total(sorted(north_west), "pop_all") == sum(
        population_2015[c]["all"] for c in north_west
    )


@pytest.mark.parametrize(
    ("target", "expected"), [(2024, 2017), (2015, 2014), (2016, 2017), (None, 2017)]
)
def test_the_nearest_rs_year_is_used(target, expected):
    assert sources.nearest(sources.RS_YEARS, target) == expected
