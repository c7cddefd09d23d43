"""A bad supplier-location file gets a message naming the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from totalplace.economy import SupplierLocationError, read_location_file
from totalplace.errors import BadInputError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "supplier_locations.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("supplier,postcode\nACME LTD,BB5 1RT\nBOB LTD,BB5\n", 3, "not a full UK postcode"),
        ("supplier,district\nACME LTD,E07000120\nBOB LTD,E99999999\n", 3, "not an ONS local"),
        ("supplier,local\nACME LTD,yes\nBOB LTD,maybe\n", 3, "must be yes or no"),
        ("supplier,postcode\n,BB5 1RT\n", 2, "no supplier"),
    ],
)
def test_bad_rows_are_named_by_file_and_line(tmp_path, body, line, words):
    path = _write(tmp_path, body)
    with pytest.raises(SupplierLocationError) as caught:
        read_location_file(path)
    message = str(caught.value)
    assert str(path) in message and f"line {line}" in message and words in message
    assert isinstance(caught.value, BadInputError)


def test_a_file_without_the_columns_says_which_it_needs(tmp_path):
    path = _write(tmp_path, "name,town\nACME,Accrington\n")
    with pytest.raises(SupplierLocationError, match="'supplier' column"):
        read_location_file(path)
    path = _write(tmp_path, "supplier,town\nACME,Accrington\n")
    with pytest.raises(SupplierLocationError, match="'postcode', 'district' or 'local'"):
        read_location_file(path)


def test_rows_are_read_normalised_and_unlocated_rows_skipped(tmp_path):
    path = _write(
        tmp_path,
        "supplier_id,supplier,postcode,district,local\n"
        ",Acme Ltd,bb51rt,,\n"
        "S1,,,e07000120,\n"
        ",Nobody Ltd,,,\n"
        ",Far Ltd,,,No\n",
    )
    rows = read_location_file(path).to_pylist()
    assert [r["line"] for r in rows] == [2, 3, 5]
    assert rows[0]["postcode"] == "BB5 1RT"
    assert rows[1]["district"] == "E07000120" and rows[1]["supplier_id"] == "S1"
    assert rows[2]["local"] is False
