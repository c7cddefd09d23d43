"""A synthetic England: seeded and reproducible, every body present, money exact, and the
national count equal on DuckDB and Spark."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from totalplace import reference
from totalplace.synth import england_bodies, generate, sample_pool
from totalplace.synth.national import run
from totalplace.warehouse import connect
from totalplace.workspace import open_workspace

ROWS = 20_000
#: Spark costs per query and per partner, not per row: a small England compares the engines.
SPARK_ROWS = 2_000


@pytest.fixture(scope="module")
def pool() -> pa.Table:
    """Return the template rows of the bundled example (no ../shared needed)."""
    return sample_pool(realdata=None)


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory, pool: pa.Table) -> Path:
    """Return a 20,000-row synthetic England made with seed 3, in batches of 7,000."""
    root = tmp_path_factory.mktemp("england")
    generate(root, ROWS, seed=3, batch_rows=7_000, pool=pool)
    return root


def test_same_seed_gives_the_same_bytes_and_another_seed_other_rows(
    england: Path, pool: pa.Table, tmp_path: Path
) -> None:
    generate(tmp_path / "again", ROWS, seed=3, batch_rows=7_000, pool=pool)
    generate(tmp_path / "other", ROWS, seed=4, batch_rows=7_000, pool=pool)
    for name in ("transaction_rows.parquet", "sources.parquet", "place.toml"):
        assert (tmp_path / "again" / name).read_bytes() == (england / name).read_bytes()
    mine = pq.read_table(england / "transaction_rows.parquet")
    other = pq.read_table(tmp_path / "other" / "transaction_rows.parquet")
    assert not mine.column("amount").equals(other.column("amount"))


def test_rows_as_asked_in_the_warehouse_shape_with_every_body_in_every_year(england: Path) -> None:
    rows = pq.read_table(england / "transaction_rows.parquet")
    assert rows.num_rows == ROWS
    assert rows.schema.field("amount").type == pa.decimal128(18, 2)
    assert len(set(rows.column("txn_key").to_pylist())) == ROWS
    bodies = {b.partner.slug for b in england_bodies()}
    assert len(bodies) > 390  # every English council, county, police and fire body
    assert set(rows.column("partner").to_pylist()) == bodies
    workspace = open_workspace(england)
    assert {p.slug for p in workspace.partners} == bodies
    dated = rows.filter(pa.compute.is_valid(rows.column("txn_date")))
    years = {(d.year if d.month >= 4 else d.year - 1) for d in dated.column("txn_date").to_pylist()}
    assert years == {2022, 2023, 2024}


def test_sources_reconcile_with_the_rows_to_the_penny(england: Path) -> None:
    rows = pq.read_table(england / "transaction_rows.parquet")
    sources = pq.read_table(england / "sources.parquet")
    amounts = rows.column("amount").to_pylist()
    assert all(isinstance(a, Decimal) and a == a.quantize(Decimal("0.01")) for a in amounts)
    assert sum(sources.column("amount_loaded").to_pylist()) == sum(amounts)
    assert sum(sources.column("rows_loaded").to_pylist()) == ROWS
    per_source = rows.group_by("source_hash").aggregate([("amount", "sum")])
    recorded = dict(
        zip(sources["source_hash"].to_pylist(), sources["amount_loaded"].to_pylist(), strict=True)
    )
    for key, total in zip(
        per_source["source_hash"].to_pylist(), per_source["amount_sum"].to_pylist(), strict=True
    ):
        assert recorded[key] == total


@pytest.fixture(scope="module")
def lancashire(tmp_path_factory: pytest.TempPathFactory, pool: pa.Table) -> Path:
    """Return a 2,000-row England of Lancashire's 17 bodies (districts, county, police, fire).

    Spark compiles the count's one-branch-per-partner expressions into Java; with all 397
    bodies that alone takes ~15 minutes on a loaded 2-core machine, so the engines are
    compared on a part of England (the bench compares them on all of it).
    """
    area = set(reference.expand_area("E23000003"))  # Lancashire police force area
    bodies = [b for b in england_bodies() if set(b.partner.districts() or ["none"]) <= area]
    root = tmp_path_factory.mktemp("lancashire")
    generate(root, SPARK_ROWS, seed=3, batch_rows=700, pool=pool, bodies=bodies)
    return root


@pytest.mark.engines
def test_the_national_count_is_equal_on_duckdb_and_spark(
    lancashire: Path, spark_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    england = lancashire
    workspace = open_workspace(england)
    assert len(workspace.partners) == 17
    con = connect(workspace)
    try:
        duck_steps, duck = run("duckdb", con, workspace, england)
    finally:
        con.disconnect()
    # The same workspace pointed at Spark through the seam (the running session is reused).
    monkeypatch.setenv("TOTALPLACE_WAREHOUSE_URL", spark_engine.new_url())
    spark = connect(open_workspace(england))
    try:
        spark_steps, on_spark = run("spark", spark, workspace, england)
    finally:
        spark.disconnect()
    assert [s.rows for s in duck_steps] == [SPARK_ROWS] * 4  # load, classify, count, sum
    assert [s.rows for s in spark_steps] == [SPARK_ROWS] * 4
    assert duck.num_rows > 100
    assert on_spark.equals(duck), "count by place x partner x theme x year differs"
