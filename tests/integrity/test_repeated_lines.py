"""Repeated lines in one file: a document's total printed on each of its lines, answers worked by hand.

Constructed ledgers that carry where each line is printed (file, sheet, row), generated
ones in any spelling of publisher, sheet, supplier and reference, and Lancashire PCC's
2024-25 workbook as published, read independently of the importer for the oracle.
"""

from __future__ import annotations

import datetime as dt
import gc
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.engines import Backend
from totalplace import warehouse
from totalplace.cli import app
from totalplace.integrity import duplicates, splits
from totalplace.integrity.params import Params
from totalplace.integrity.payments import payments
from totalplace.integrity.planted import SCHEMA
from totalplace.workspace import open_workspace

D = dt.date(2024, 4, 9)
ROWS = pa.schema(
    [*SCHEMA, ("source_file", pa.string()), ("sheet", pa.string()), ("row_number", pa.int64())]
)


def printed(*rows: tuple[Any, ...], sheet: str | None = "APR 24") -> Any:
    """Rows of (file, row number, day offset, amount, supplier, reference) of partner 'p'."""
    records = [
        {
            "txn_key": f"t{i}",
            "partner": "p",
            "txn_date": D + dt.timedelta(days=day),
            "fy_start_year": 2024,
            "amount": Decimal(str(amount)),
            "supplier_key": f"S:{supplier}",
            "supplier_name": supplier,
            "reference": ref,
            "category": None,
            "theme": None,
            "payee_kind": "organisation",
            "transfer_kind": None,
            "source_file": file,
            "sheet": sheet,
            "row_number": row,
        }
        for i, (file, row, day, amount, supplier, ref) in enumerate(rows)
    ]
    return ibis.memtable(pa.Table.from_pylist(records, schema=ROWS))


def findings(t: Any) -> list[dict[str, Any]]:
    found = duplicates.detect(t, Params())
    return sorted(found.findings.to_pyarrow().to_pylist(), key=lambda f: f["finding_id"])


def member_keys(t: Any, detector: str) -> set[str]:
    found = duplicates.detect(t, Params())
    m = found.members.filter(found.members.finding_id.startswith(detector + ":"))
    return set(m.txn_key.to_pyarrow().to_pylist())


def test_nine_identical_lines_a_row_or_two_apart_are_one_repeated_finding():
    # The PCC's APR 24 rows 252-261: £2,094,915.96 to SCC on 9 April on nine rows, with
    # one line of £148,506.43 (row 253) between the first two.
    total = "2094915.96"
    rows = [("pcc.xlsx", r, 0, total, "SCC", None) for r in (252, *range(254, 262))]
    t = printed(*rows, ("pcc.xlsx", 253, 0, "148506.43", "SCC", None))
    [f] = findings(t)
    assert f["detector"] == duplicates.REPEATED
    assert f["grade"] == "probable error"
    assert f["rows"] == 9
    # eight lines after the first may count the total again: 8 x 2,094,915.96
    assert f["money_at_stake"] == Decimal("16759327.68")
    assert "rows 252 to 261 of pcc.xlsx, sheet APR 24" in f["statistic"]
    assert "ask the publisher" in f["statistic"]
    assert member_keys(t, duplicates.REPEATED) == {f"t{i}" for i in range(9)}


def test_lines_further_apart_than_the_gap_are_two_runs_and_their_documents_may_be_duplicates():
    # rows 10-11 and 30-31: 19 rows between the runs (> 10), so two repeated findings of
    # one extra line each (£500 each); their first lines (rows 10 and 30) are two documents
    # of £500 on one date with no references: a possible duplicate, £500 at stake.
    t = printed(*[("f.csv", r, 0, "500.00", "ACME", None) for r in (10, 11, 30, 31)], sheet=None)
    got = findings(t)
    kinds = sorted(f["detector"] for f in got)
    assert kinds == [duplicates.POSSIBLE, duplicates.REPEATED, duplicates.REPEATED]
    assert all(f["money_at_stake"] == Decimal("500.00") for f in got)
    [possible] = [f for f in got if f["detector"] == duplicates.POSSIBLE]
    assert member_keys(t, duplicates.POSSIBLE) == {"t0", "t2"}
    assert possible["rows"] == 2


def test_an_invoice_published_line_by_line_is_not_a_repeated_document():
    # one reference with lines of £240, £240, £120, £120 and £107.90: its items, not its total
    rows = [
        ("h.csv", 140 + i, 0, a, "EE", "CRINV1617")
        for i, a in enumerate(["240", "240", "120", "120", "107.90"])
    ]
    assert findings(printed(*rows, sheet=None)) == []


def test_one_reference_whose_every_line_carries_one_amount_is_repeated():
    # reference 6010861 on five rows, each £40,827.40 and nothing else: 4 x 40,827.40
    rows = [("fire.xlsx", 2987 + i, 0, "40827.40", "GYM", "6010861") for i in range(5)]
    [f] = findings(printed(*rows))
    assert f["detector"] == duplicates.REPEATED
    assert f["money_at_stake"] == Decimal("163309.60")


def test_lines_that_differ_in_file_date_or_reference_are_not_repeated():
    t = printed(
        ("a.csv", 5, 0, "900.00", "ACME", None),
        ("b.csv", 6, 0, "900.00", "ACME", None),  # another file
        ("a.csv", 20, 0, "700.00", "ACME", None),
        ("a.csv", 21, 1, "700.00", "ACME", None),  # another date
        ("a.csv", 40, 0, "300.00", "ACME", "INV1"),
        ("a.csv", 41, 0, "300.00", "ACME", "INV2"),  # another reference
    )
    assert all(f["detector"] != duplicates.REPEATED for f in findings(t))


def test_a_ledger_without_row_columns_has_no_repeated_tier():
    t = printed(("a.csv", 5, 0, "900.00", "ACME", None), ("a.csv", 6, 0, "900.00", "ACME", None))
    t = t.drop(*duplicates.ROW_COLUMNS)
    [f] = findings(t)
    assert f["detector"] == duplicates.POSSIBLE  # the old reading: two same-day payments


names = st.text(st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=20)


@settings(max_examples=20, deadline=None)
@given(
    file=names,
    sheet=st.none() | names,
    supplier=names.filter(lambda s: s.strip() != ""),
    pennies=st.integers(1_000, 10**9),
    gaps=st.lists(st.integers(1, 10), min_size=1, max_size=11),
    ref=st.none() | st.from_regex(r"[A-Z0-9/\- ]{1,12}", fullmatch=True),
    start=st.integers(2, 5000),
)
def test_any_run_of_identical_lines_within_ten_rows_is_found_whole(
    file, sheet, supplier, pennies, gaps, ref, start
):
    amount = Decimal(pennies) / 100
    rows = [start]
    for g in gaps:
        rows.append(rows[-1] + g)
    planted = [(file, r, 0, amount, supplier, ref) for r in rows]
    # other lines of the supplier on the rows between, each a different amount (not a
    # penny of the planted one), and no reference, so they are documents of their own
    between = sorted(set(range(start, rows[-1])) - set(rows))
    noise = [(file, r, 0, amount + 1 + i, supplier, None) for i, r in enumerate(between)]
    t = printed(*planted, *noise, sheet=sheet)
    [f] = findings(t)
    assert f["detector"] == duplicates.REPEATED
    assert f["rows"] == len(rows)
    assert f["money_at_stake"] == amount * (len(rows) - 1)  # every line but the first
    assert member_keys(t, duplicates.REPEATED) == {f"t{i}" for i in range(len(rows))}


# --- Lancashire PCC's 2024-25 workbook, as published -------------------------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn" / "place.toml"


def _apr_24(path: Path) -> list[list[Any]]:
    """Return the APR 24 sheet's rows as published (index 0 is spreadsheet row 1, the header)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name("APR 24").to_python()


@pytest.fixture(scope="module")
def pcc(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Import the workbook alone (the example's PCC partner), count it, run duplicates."""
    root = tmp_path_factory.mktemp("pcc")
    text = EXAMPLE.read_text(encoding="utf-8")
    # keep [place] and the PCC's [[partners]] block only
    head, *blocks = text.split("[[partners]]")
    pcc_block = next(b for b in blocks if "lancashire_pcc" in b).split("\n[[")[0]
    workbook = realdata / "lancashire" / "lancashire_pcc" / "pcc-2024-25.xlsx"
    pcc_block = pcc_block.replace('"data/lancashire_pcc/*.xlsx"', f'"{workbook}"')
    (root / "place.toml").write_text(head + "[[partners]]" + pcc_block, encoding="utf-8")
    runner = CliRunner()
    for args in (("import",), ("classify",), ("count",)):
        result = runner.invoke(app, [*args, "--workspace", str(root)])
        assert result.exit_code == 0, result.output[-2000:]
    ws = open_workspace(root)
    con = warehouse.connect(ws)
    try:
        pay = payments(con, ws)
        found = duplicates.detect(pay, Params())
        m = found.members.join(pay.select("txn_key", "sheet", "row_number"), "txn_key")
        doc = {
            "findings": found.findings.to_pyarrow().to_pylist(),
            "members": m.to_pyarrow().to_pylist(),
            "sheet": _apr_24(workbook),
        }
        # the detector's cached tables are dropped when collected: while the connection is open
        del found, m, pay
        gc.collect()
    finally:
        con.disconnect()
    return doc


@pytest.mark.parametrize(
    ("supplier", "amount", "date"),
    [
        ("SCC", "2094915.96", "2024-04-09"),
        ("THE BRIDGE (IT RECRUITMENT) LIMITED", "139250.00", "2024-04-09"),
        ("ALLSTAR BUSINESS SOLUTIONS LTD", "36876.31", "2024-04-16"),
    ],
)
def test_the_pccs_totals_printed_on_each_line_are_repeated_lines(pcc, supplier, amount, date):
    # The oracle: the APR 24 sheet read cell by cell, the rows of that date where the
    # supplier cell starts with the name and the amount cell is the total (spreadsheet
    # row = index + 1).
    rows = [
        i + 1
        for i, r in enumerate(pcc["sheet"])
        if i > 0
        and str(r[1]) == date
        and str(r[3]).strip().startswith(supplier)
        and isinstance(r[2], int | float)
        and Decimal(str(r[2])).quantize(Decimal("0.01")) == Decimal(amount)
    ]
    assert len(rows) >= 2
    [f] = [
        f
        for f in pcc["findings"]
        if f["detector"] == duplicates.REPEATED
        and f["supplier"].startswith(supplier)
        and f"£{amount} " in f["statistic"]
        and f"rows {rows[0]} to" in f["statistic"]
    ]
    assert f["grade"] == "probable error"
    assert f["rows"] == len(rows)  # SCC 9, The Bridge 13, ALLSTAR 47 (issue 12's count)
    assert f["money_at_stake"] == Decimal(amount) * (len(rows) - 1)
    got = sorted(m["row_number"] for m in pcc["members"] if m["finding_id"] == f["finding_id"])
    assert got == rows
    assert {m["sheet"] for m in pcc["members"] if m["finding_id"] == f["finding_id"]} == {"APR 24"}
    assert date in f["detail"]


# --- the same findings on every engine -----------------------------------------------------


def _open(backend: Backend, tmp: Path) -> Any:
    """Return an Ibis connection to a fresh warehouse on the backend's engine."""
    if backend.url is None:
        return ibis.duckdb.connect()
    from totalplace.workspace.engine_url import parse

    if backend.name == "postgres":
        from totalplace.warehouse.engines.postgres import open_warehouse as open_postgres

        return open_postgres(parse(backend.url))
    from totalplace.warehouse.engines.spark import open_warehouse as open_spark

    return open_spark(parse(backend.url), tmp)


def _mixed() -> pa.Table:
    """A ledger of every duplicate tier and a split, with where each line is printed."""
    rows = [
        *[("pcc.xlsx", r, 0, "2094915.96", "SCC", None) for r in (252, *range(254, 262))],
        ("pcc.xlsx", 253, 0, "148506.43", "SCC", None),
        *[("f.csv", r, 0, "500.00", "ACME", None) for r in (10, 11, 30, 31)],
        *[("fire.xlsx", 2987 + i, 0, "40827.40", "GYM", "6010861") for i in range(3)],
        ("h.csv", 1, 0, "1250.00", "BUILDER", "INV-1"),
        ("h.csv", 90, 20, "1250.00", "BUILDER", "INV-1"),  # exact
        ("h.csv", 2, 0, "430.10", "BUILDER", "INV-0042"),
        ("h.csv", 91, 9, "430.10", "BUILDER", "inv 42"),  # likely
        ("h.csv", 3, 0, "4800.00", "MASON", "P1"),
        ("h.csv", 40, 5, "4900.00", "MASON", "P2"),
        ("h.csv", 80, 12, "4700.00", "MASON", "P3"),  # a split under £5,000
    ]
    return printed(*rows).to_pyarrow()


def _answer(con: Any, table: pa.Table) -> list[tuple[Any, ...]]:
    pay = con.create_table("pay", table, overwrite=True)
    out = []
    for detector in (duplicates, splits):
        found = detector.detect(pay, Params())
        f = found.findings.to_pyarrow().to_pylist()
        m = found.members.to_pyarrow().to_pylist()
        out += sorted(tuple(sorted(r.items())) for r in f)
        out += sorted(tuple(sorted(r.items())) for r in m)
        del found
    gc.collect()
    return out


def test_the_duplicate_and_split_findings_are_the_same_on_every_engine(
    backend: Backend, tmp_path: Path
):
    table = _mixed()
    reference = _answer(ibis.duckdb.connect(), table)
    # the hand-worked kinds: SCC, two runs of ACME and GYM repeated; ACME's two documents a
    # possible duplicate; INV-1 exact; INV-0042 likely; MASON's three orders a split
    kinds = sorted(dict(r)["detector"] for r in reference if "detector" in dict(r))
    assert kinds == sorted(
        [duplicates.REPEATED] * 4
        + [duplicates.POSSIBLE, duplicates.EXACT, duplicates.LIKELY, splits.WITHIN]
    )
    con = _open(backend, tmp_path)
    try:
        assert _answer(con, table) == reference
    finally:
        con.disconnect()
