"""Write a synthetic England: ledgers sampled from real rows, straight to Parquet, in batches.

Each row picks a body (weighted by the people it serves), a real template row of that
body's kind (its supplier, descriptions, codes and payee status stay together, so the
classification rules see real combinations), a financial year and a day in it, and an
amount: the template's, scaled by a seeded log-normal factor and rounded to the penny.
Money is made as whole pence (int64) and stored as exact DECIMAL(18,2). Only one batch
is ever in memory; per body and year the rows and pence are summed as they go, so the
``sources`` records (one per body and year) reconcile with the rows to the penny.

The output folder is a workspace: ``place.toml`` (England and its bodies),
``transaction_rows.parquet`` and ``sources.parquet`` in the warehouse's own shape.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from totalplace.synth.bodies import Body, england_bodies, england_place, place_toml
from totalplace.synth.pool import SECTOR_POOLS, sample_pool

ROWS_FILE = "transaction_rows.parquet"
SOURCES_FILE = "sources.parquet"
#: The spread of amounts around their template's (log-normal sigma): real-looking variety.
AMOUNT_SIGMA = 0.3
_EPOCH = date(1970, 1, 1)
_IMPORTED_AT = datetime(2025, 4, 1)  # fixed: the same seed must give the same bytes


@dataclass(frozen=True)
class SynthResult:
    """What a generation wrote: where, how many rows, bodies and sources, and how long it took."""

    root: Path
    rows: int
    bodies: int
    sources: int
    seconds: float

    @property
    def rows_file(self) -> Path:
        """Return the Parquet file of ``transaction_rows``."""
        return self.root / ROWS_FILE

    @property
    def sources_file(self) -> Path:
        """Return the Parquet file of ``sources``."""
        return self.root / SOURCES_FILE


def warehouse_schema(table: str) -> pa.Schema:
    """Return the Arrow schema of a warehouse base table, from the warehouse's own DDL."""
    import duckdb

    from totalplace.warehouse import schema_sql

    con = duckdb.connect()
    try:
        con.execute(schema_sql())
        return con.execute(f"SELECT * FROM {table} LIMIT 0").fetch_arrow_table().schema
    finally:
        con.close()


def decimal_from_pence(pence: np.ndarray) -> pa.Array:
    """Return int64 pence as an exact DECIMAL(18,2) array (the pence are its unscaled value)."""
    words = np.empty((len(pence), 2), dtype=np.int64)
    words[:, 0] = pence
    words[:, 1] = pence >> 63  # the sign, extended to the high 64 bits of the int128
    buffer = pa.py_buffer(words.tobytes())
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(pence), [None, buffer])


def pence_of(amounts: pa.Array) -> np.ndarray:
    """Return a DECIMAL(18,2) array's values as int64 pence, exactly."""
    scaled = pc.cast(amounts, pa.decimal128(20, 2))
    return np.asarray(pc.cast(pc.multiply(scaled, pa.scalar(100, pa.decimal128(5, 0))), pa.int64()))


class _Plan:
    """The fixed inputs of every batch: bodies, their weights and pools, years and sources."""

    def __init__(self, bodies: list[Body], pool: pa.Table, years: tuple[int, ...], seed: int):
        self.bodies, self.years, self.pool = bodies, years, pool
        people = np.array([b.population for b in bodies], dtype=np.float64)
        self.weights = people / people.sum()
        kinds = pool.column("pool").to_pylist()
        present = {k: i for i, k in reversed(list(enumerate(kinds)))}  # first row of each kind
        counts = {k: kinds.count(k) for k in present}
        starts, sizes = [], []
        for body in bodies:
            kind = next((k for k in SECTOR_POOLS[body.partner.sector] if k in present), kinds[0])
            starts.append(present[kind])
            sizes.append(counts[kind])
        self.starts = np.array(starts, dtype=np.int64)
        self.sizes = np.array(sizes, dtype=np.int64)
        self.base_pence = pence_of(pool.column("amount").combine_chunks())
        first = [(date(y, 4, 1) - _EPOCH).days for y in years]
        self.fy_first = np.array(first, dtype=np.int64)
        self.fy_days = np.array(
            [(date(y + 1, 4, 1) - date(y, 4, 1)).days for y in years], dtype=np.int64
        )
        self.slugs = pa.array([b.partner.slug for b in bodies])
        self.names = pa.array([b.partner.name for b in bodies])
        groups = [(b.partner.slug, y) for b in bodies for y in years]
        self.files = pa.array([f"synthetic/{s}/{y}-{(y + 1) % 100:02d}.parquet" for s, y in groups])
        self.hashes = pa.array(
            [hashlib.sha256(f"synth:{seed}:{s}:{y}".encode()).hexdigest() for s, y in groups]
        )


def _batch(
    plan: _Plan, rng: np.random.Generator, first: int, n: int, schema: pa.Schema
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Return one batch of rows, and each row's source group and pence (for the sources records)."""
    body = rng.choice(len(plan.bodies), size=n, p=plan.weights)
    template = plan.starts[body] + (rng.random(n) * plan.sizes[body]).astype(np.int64)
    fy = rng.integers(0, len(plan.years), size=n)
    # The first rows give every body a row in every year: every place is present at any size.
    every = min(n, max(0, len(plan.bodies) * len(plan.years) - first))
    cell = np.arange(first, first + every)
    body[:every], fy[:every] = cell // len(plan.years), cell % len(plan.years)
    days = plan.fy_first[fy] + (rng.random(n) * plan.fy_days[fy]).astype(np.int64)
    factor = np.exp(rng.normal(0.0, AMOUNT_SIGMA, size=n))
    pence = np.rint(plan.base_pence[template] * factor).astype(np.int64)
    tpl = plan.pool.take(pa.array(template))
    precision = tpl.column("date_precision")
    dates = pa.array(days.astype("datetime64[D]"))
    month_start = pa.array(
        days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]")
    )
    dates = pc.if_else(pc.equal(precision, "month"), month_start, dates)
    dates = pc.if_else(pc.equal(precision, "missing"), pa.nulls(n, pa.date32()), dates)
    group = body * len(plan.years) + fy
    index = pa.array(np.arange(first, first + n, dtype=np.int64))
    numbers = pc.cast(index, pa.string())
    columns = {
        "txn_key": pc.binary_join_element_wise("synthetic:", numbers, ""),
        "partner": plan.slugs.take(pa.array(body)),
        "source_hash": plan.hashes.take(pa.array(group)),
        "source_file": plan.files.take(pa.array(group)),
        "sheet": pa.nulls(n, pa.string()),
        "row_number": pc.add(index, 1),
        "txn_date": dates,
        "amount": decimal_from_pence(pence),
        "body": plan.names.take(pa.array(body)),
        "transaction_id": pc.binary_join_element_wise("S", numbers, ""),
    }
    arrays = [columns[f.name] if f.name in columns else tpl.column(f.name) for f in schema]
    table = pa.Table.from_arrays(
        [pc.cast(a, f.type) for a, f in zip(arrays, schema, strict=True)], schema=schema
    )
    return table, group, pence


def generate(
    root: Path | str,
    rows: int,
    seed: int = 0,
    batch_rows: int = 250_000,
    years: tuple[int, ...] = (2022, 2023, 2024),
    pool: pa.Table | None = None,
    realdata: Path | None = None,
    bodies: list[Body] | None = None,
) -> SynthResult:
    """Write a synthetic England of ``rows`` rows to ``root`` and return what was written.

    Same ``seed``, ``rows``, ``batch_rows``, years and pool give the same files, byte for
    byte. ``pool`` defaults to :func:`sample_pool` of the example (plus ``realdata``);
    ``bodies`` to every English body (a few of them make a small England for tests).
    """
    started = time.perf_counter()
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    bodies = bodies if bodies is not None else england_bodies()
    (root / "place.toml").write_text(place_toml(england_place(), bodies))
    plan = _Plan(bodies, pool if pool is not None else sample_pool(realdata), years, seed)
    schema = warehouse_schema("transaction_rows")
    groups = len(bodies) * len(years)
    counts = np.zeros(groups, dtype=np.int64)
    sums = np.zeros(groups, dtype=np.int64)
    with pq.ParquetWriter(root / ROWS_FILE, schema, compression="zstd") as writer:
        for number, first in enumerate(range(0, rows, batch_rows)):
            rng = np.random.default_rng([seed, number])  # each batch its own stream
            table, group, pence = _batch(plan, rng, first, min(batch_rows, rows - first), schema)
            writer.write_table(table, row_group_size=batch_rows)
            counts += np.bincount(group, minlength=groups)
            np.add.at(sums, group, pence)
    sources = _sources(plan, counts, sums)
    pq.write_table(sources, root / SOURCES_FILE, compression="zstd")
    return SynthResult(root, rows, len(bodies), sources.num_rows, time.perf_counter() - started)


def _sources(plan: _Plan, counts: np.ndarray, sums: np.ndarray) -> pa.Table:
    """Return the ``sources`` records: one per body and year that has rows, totals exact."""
    schema = warehouse_schema("sources")
    live = np.flatnonzero(counts)
    n = len(live)
    amount = decimal_from_pence(sums[live])
    columns = {
        "source_hash": plan.hashes.take(pa.array(live)),
        "partner": plan.slugs.take(pa.array(live // len(plan.years))),
        "source_file": plan.files.take(pa.array(live)),
        "sheet_index": pa.array(np.zeros(n, dtype=np.int32)),
        "format": pa.array(["synthetic"] * n),
        "rows_read": pa.array(counts[live]),
        "rows_loaded": pa.array(counts[live]),
        "rows_quarantined": pa.array(np.zeros(n, dtype=np.int64)),
        "amount_loaded": amount,
        "amount_quarantined": decimal_from_pence(np.zeros(n, dtype=np.int64)),
        "imported_at": pa.array([_IMPORTED_AT] * n, pa.timestamp("us")),
        "notes": pa.array(["synthetic: sampled from real rows by totalplace.synth"] * n),
    }
    arrays = [columns.get(f.name, pa.nulls(n, f.type)) for f in schema]
    return pa.Table.from_arrays(
        [pc.cast(a, f.type) for a, f in zip(arrays, schema, strict=True)], schema=schema
    )
