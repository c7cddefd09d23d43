"""The amount read from the values alone (issue 7): files with no header, or none naming the amount.

Every generated file either loads right to the penny (the expected sum is added up
here in whole pence, independently of the reader) or is refused with a message saying
how to pin the column -- never loaded from a wrong column.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from totalplace.ingest import ImportProblem, parse_file
from totalplace.workspace import Partner

PARTNER = Partner("Unseen Council")
_SUPPLIERS = ["Acme Ltd", "Oyster Partnership", "Northern Trust", "Bolt & Co", "Fenwick plc"]
_WORDS = ["Agency staff", "Grass cutting", "Office supplies", "Rent Q2", "Vehicle fuel"]


def _money(pence: int, style: dict[str, object]) -> str:
    """Write an amount as a publisher might: '£', thousands separator, pence or not, signs."""
    sign, whole, part = pence < 0, abs(pence) // 100, abs(pence) % 100
    text = f"{whole:,}" if style["thousands"] else str(whole)
    if part or style["always_pence"]:
        text += f".{part:02d}"
    if style["pound"]:
        text = "£" + text
    if sign:
        text = {"lead": f"-{text}", "trail": f"{text}-", "brackets": f"({text})"}[
            str(style["negative"])
        ]
    return text


@st.composite
def layouts(draw: st.DrawFn) -> tuple[str, int, bool]:
    """Return (CSV text, the amount's sum in pence, whether it must be refused)."""
    n = draw(st.integers(min_value=8, max_value=30))
    # Amounts of at least a pound, so that most carry pence; a few credit notes.
    pence = draw(
        st.lists(
            st.integers(min_value=100, max_value=5_000_000).map(
                lambda p: p if p % 100 else p + 37  # at most a few whole pounds
            ),
            min_size=n,
            max_size=n,
        )
    )
    credits = draw(st.sets(st.integers(min_value=0, max_value=n - 1), max_size=3))
    pence = [-p if i in credits else p for i, p in enumerate(pence)]
    style = {
        "thousands": draw(st.booleans()),
        "always_pence": draw(st.booleans()),
        "pound": draw(st.booleans()),
        "negative": draw(st.sampled_from(["lead", "trail", "brackets"])),
    }
    gross = draw(st.booleans())  # an unlabelled gross beside the net: must be refused
    columns = {
        "date": [f"{(i % 28) + 1:02d}/09/2025" for i in range(n)],
        "supplier": [_SUPPLIERS[i % len(_SUPPLIERS)] for i in range(n)],
        "description": [f"{_WORDS[i % len(_WORDS)]} w/e {i % 28 + 1}.9.25" for i in range(n)],
        "reference": [f"CRINV{12000 + 3 * i:07d}" for i in range(n)],
        "line": [str(1 + i % 3) for i in range(n)],
        "amount": [_money(p, style) for p in pence],
    }
    if gross:
        columns["gross"] = [_money(p * 6 // 5, style) for p in pence]
    order = draw(st.permutations(list(columns)))
    header = draw(st.sampled_from([None, "unlabelled"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header == "unlabelled":
        # A header naming every field but the amount (its label is a word nobody uses).
        names = {"date": "Payment Date", "supplier": "Supplier Name", "reference": "Ref"}
        writer.writerow([names.get(c, "Column " + str(k)) for k, c in enumerate(order)])
    for i in range(n):
        writer.writerow([columns[c][i] for c in order])
    return out.getvalue(), sum(pence), gross


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(layout=layouts())
def test_generated_files_load_to_the_penny_or_are_refused(
    tmp_path: Path, layout: tuple[str, int, bool]
) -> None:
    text, pence, gross = layout
    path = tmp_path / "generated.csv"
    path.write_text(text, encoding="utf-8")
    if gross:
        with pytest.raises(ImportProblem) as caught:
            parse_file(path, PARTNER)
        assert "2 columns hold money" in caught.value.problem
        assert "[partners.columns] amount" in caught.value.advice
        return
    [sheet] = parse_file(path, PARTNER).sheets
    assert sheet.quarantine.num_rows == 0, sheet.quarantine.to_pylist()[:2]
    # The sum written into the file, in whole pence, added up by the generator.
    assert pc.sum(sheet.facts.column("amount")).as_py() == Decimal(pence) / 100
    assert sheet.facts.column("supplier_name").to_pylist()[0] in _SUPPLIERS


def test_whole_pounds_beside_line_numbers_are_taken(tmp_path: Path) -> None:
    # Amounts in whole pounds (250 to 48,000: log10(192) = 2.3 orders of magnitude) beside
    # a line number (1-2, 0.3 orders): the amounts are taken.
    amounts = [250, 1200, 48000, 730, 5100, 990, 15000, 300]
    rows = [f"0{i + 1}/09/2025,Supplier {i} Ltd,{1 + i % 2},{a}" for i, a in enumerate(amounts)]
    path = tmp_path / "whole.csv"
    path.write_text("\n".join(rows) + "\n")
    [sheet] = parse_file(path, PARTNER).sheets
    # 250 + 1200 + 48000 + 730 + 5100 + 990 + 15000 + 300 = 71,570
    assert pc.sum(sheet.facts.column("amount")).as_py() == Decimal("71570")
    # A supplier id 100 .. 9,879 (log10(98.79) = 2.0 orders) beside them: two columns of
    # whole numbers, either could be pounds, so refused.
    ids = [f"0{i + 1}/09/2025,Supplier {i} Ltd,{100 + 1397 * i},{a}" for i, a in enumerate(amounts)]
    path.write_text("\n".join(ids) + "\n")
    with pytest.raises(ImportProblem) as caught:
        parse_file(path, PARTNER)
    assert "amount" in caught.value.advice


def test_identifiers_dates_and_vat_numbers_are_never_the_amount(tmp_path: Path) -> None:
    rows = [f"{5_050_000 + i},0{i + 1}/09/2025,GB 123 4567 8{i},Supplier {i} Ltd" for i in range(8)]
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(ImportProblem) as caught:
        parse_file(path, PARTNER)
    assert "no column's values are money" in caught.value.problem
    assert "column profile" in caught.value.advice
