"""Every integrity table is the same, row for row and to the penny, on DuckDB, PostgreSQL and Spark.

The constructed ledgers (planted duplicates, split orders and standing orders; planted
round sums, a year-end rush, one-offs, flat first digits and a dominant supplier) are
written to a fresh warehouse on each engine as a payments table with the stage's
payments columns, and every detector is run there through ``run.write_tables`` (what
``totalplace integrity`` runs after reading its payments view). Each table written must
equal the DuckDB reference.
"""

from __future__ import annotations

import decimal
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tests.engines import Backend
from totalplace import warehouse
from totalplace.integrity import planted, planted_signals
from totalplace.integrity.params import Params
from totalplace.integrity.payments import PAYMENT_COLUMNS
from totalplace.integrity.run import TABLES, write_tables
from totalplace.workspace import open_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"
MONEY = {"amount", "money_at_stake", "spend", "total"}


def _ledger() -> pa.Table:
    """Return both planted ledgers as one payments table (:data:`PAYMENT_COLUMNS`)."""
    signals = planted_signals.planted_ledger(0).payments
    # The two ledgers number their rows alike: the signals' keys get an 's'.
    keys = pc.binary_join_element_wise("s", signals["txn_key"], "")
    signals = signals.set_column(signals.column_names.index("txn_key"), "txn_key", keys)
    parts = [planted.planted_ledger(background=800, cases=4).payments, signals]
    out = []
    for part in parts:
        n = part.num_rows
        cols = {}
        for name in PAYMENT_COLUMNS:
            if name in part.column_names:
                cols[name] = part[name]
            elif name == "fy_start_month":
                cols[name] = pa.array([4] * n, pa.int64())
            elif name == "shared_category":
                cols[name] = part["category"]
            else:
                cols[name] = pa.nulls(n, pa.string())
        out.append(pa.table(cols))
    return pa.concat_tables(out)


def _run(root: Path, url: str | None) -> dict[str, list[dict[str, Any]]]:
    root.mkdir()
    shutil.copy(EXAMPLE / "place.toml", root / "place.toml")
    if url is not None:
        with (root / "place.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[warehouse]\nurl = "{url}"\n')
    ws = open_workspace(root)
    con = warehouse.connect(ws)
    try:
        warehouse.replace_table(con, "test_payments", _ledger())
        write_tables(con, con.table("test_payments"), Params())
        dump = {}
        for name in TABLES:
            rows = con.table(name).to_pyarrow().to_pylist()
            for row in rows:
                for column in MONEY & set(row):
                    value = row[column]
                    assert value is None or value == value.quantize(decimal.Decimal("0.01"))
                for column, value in row.items():
                    if isinstance(value, float):  # statistics: equal to 9 significant figures
                        row[column] = float(f"{value:.9g}")
            dump[name] = sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r.values()))
        return dump
    finally:
        con.disconnect()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    return _run(tmp_path_factory.mktemp("integrity") / "reference", None)


def test_every_integrity_table_is_the_same_on_every_engine(
    backend: Backend, tmp_path: Path, reference: dict[str, list[dict[str, Any]]]
):
    # Every detector finds something on the planted ledgers (the truth is planted).
    detectors = {r["detector"].split(" (")[0] for r in reference["integrity_findings"]}
    assert {
        "duplicate",
        "split order",
        "round_numbers",
        "year_end",
        "one_off",
        "benford",
    } <= detectors
    assert {"concentration", "dependency"} <= detectors
    got = _run(tmp_path / backend.name, backend.url)
    for name in TABLES:
        assert len(got[name]) == len(reference[name]), name
        for mine, theirs in zip(reference[name], got[name], strict=True):
            assert mine == theirs, name
