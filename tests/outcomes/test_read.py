"""The outcome loaders: every real file read (rows read = loaded + rejected), layouts, unknown layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from totalplace.errors import BadInputError
from totalplace.outcomes import OutcomeLayoutError, read_outcome_file


def _data_rows(path: Path) -> int:
    """Count the data rows with the csv module (independently of the reader under test)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def test_every_real_outcome_file_is_read_loaded_or_rejected(realdata: Path) -> None:
    files = sorted((realdata / "outcomes").glob("*/*.csv"))
    assert len(files) == 10  # MANIFEST: ASC_data.csv and 9 ONS indicator files
    for path in files:
        got = read_outcome_file(path, path.name)
        assert got.rows_read == _data_rows(path), path.name
        assert got.loaded.num_rows + got.rejects.num_rows == got.rows_read
        assert got.loaded.column("period_start").null_count == 0  # every loaded period parsed
        assert all(got.rejects.column("reason").to_pylist())  # every reject has a reason


def test_asc_file_rejects_exactly_its_rows_without_a_value(realdata: Path) -> None:
    path = realdata / "outcomes" / "oflog_adult_social_care" / "ASC_data.csv"
    with path.open(encoding="utf-8", newline="") as f:
        empty = sum(1 for row in csv.DictReader(f) if not row["Value"].strip())
    got = read_outcome_file(path, path.name)
    assert got.layout.name == "oflog_adult_social_care"
    assert got.rejects.num_rows == empty == 298  # counted with pandas by hand: 298 blank Value
    lancs = [
        r
        for r in got.loaded.to_pylist()
        if r["area_code"] == "E10000017" and r["indicator_code"] == "ASC5"
    ]
    latest = max(lancs, key=lambda r: r["period_start"])
    # ASC_data.csv line: 2022-23,E10000017,Lancashire,...,ASC5,98.4,78.2,...,DESC
    assert (latest["financial_year"], latest["value"], latest["benchmark"]) == (
        "2022-23",
        98.4,
        78.2,
    )
    assert latest["polarity_in_file"] == "higher"  # rank_order DESC: higher ranks first


def test_ons_rows_with_status_x_and_no_value_are_rejected_with_the_status(realdata: Path) -> None:
    path = realdata / "outcomes" / "ons_explore_local_statistics" / "claimant-count.csv"
    got = read_outcome_file(path, path.name)
    reasons = set(got.rejects.column("reason").to_pylist())
    assert reasons == {"no value (status 'x')"}
    assert got.rejects.num_rows == 132  # rows with an empty observation, counted by hand (pandas)


def test_a_user_file_of_the_ons_layout_with_other_spellings(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "AREACD,Area NM,Indicator,Period,Value,LCI_95,UCI_95,Polarity\n"
        "E07000120,Hyndburn,Falls,2023-04-01/P1Y,12.5,11,14,lower\n"
        "E07000120,Hyndburn,Falls,2023-04-01/P1Y,,,,lower\n"
        "E07000120,Hyndburn,Falls,2023-13-01/P1Y,3,,,lower\n"
        "E07000120,Hyndburn,Falls,2024-04-01/P1Y,abc,,,lower\n"
        "E07000120,Hyndburn\n",
        encoding="cp1252",
    )
    got = read_outcome_file(path, "mine.csv")
    assert got.rows_read == 5
    (row,) = got.loaded.to_pylist()
    assert (row["value"], row["lci_95"], row["uci_95"], row["polarity_in_file"]) == (
        12.5,
        11.0,
        14.0,
        "lower",
    )
    assert row["financial_year"] == "2023-24"  # 1 April 2023 to 31 March 2024
    reasons = dict(
        zip(
            got.rejects.column("source_row").to_pylist(),
            got.rejects.column("reason").to_pylist(),
            strict=True,
        )
    )
    assert reasons[3] == "no value"
    assert reasons[4].startswith("period ") and "not a real date" in reasons[4]
    assert reasons[5] == "value abc is not a number"
    assert reasons[6] == "2 fields where the header has 8"


def test_unknown_layout_names_the_file_and_both_layouts_columns(tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("Date,Supplier,Amount\n2024-04-01,Acme,100\n", encoding="utf-8")
    with pytest.raises(OutcomeLayoutError) as caught:
        read_outcome_file(path, "spend.csv")
    message = str(caught.value)
    assert "spend.csv" in message
    assert "areacd, areanm, indicator, period, observation or value" in message
    assert "Financial year, Local authority code" in message
    assert isinstance(caught.value, BadInputError)
