"""An import's picture of the warehouse while it runs: the sources stored, and what it will write.

Read once (the ``sources`` records, then each partner's rows when a file of it is
matched), kept up to date in memory as files are decided, and written at the end in
the order that keeps every engine safe: the new rows first, then, in one step, the
``sources`` records that drop the replaced sources and make the new ones live, and
last the rows of the replaced sources (no view reads them any more). On Spark, which
cannot roll back, a failure before the records leaves only rows no view reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.outcome import CleanSheet
from totalplace.ingest.republication import STORED_COLUMNS
from totalplace.warehouse import append, replace_rows, run_sql, tables
from totalplace.warehouse.access import matching
from totalplace.warehouse.integrity import remove_rows

# DuckDB's row group size: an insert fed whole row groups writes them as they are;
# batches of other sizes leave part-filled row groups that closing the warehouse then
# rewrites, which doubled the cost of storing a 1M-row file.
_ROW_GROUP = 122_880

_RECORD = "partner, source_hash, source_file, fingerprint, coalesce(profile_hash, '') AS profile_hash, amount_loaded"
_STORED_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_hash", pa.string()),
        ("txn_date", pa.date32()),
        ("amount", pa.decimal128(18, 2)),
        ("transaction_id", pa.string()),
        ("supplier_name", pa.string()),
    ]
)


@dataclass
class ParsedFile:
    """One input file parsed and cleaned, ready to store."""

    path: str
    partner: str
    source_hash: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheets: list[CleanSheet]
    fingerprint: str = ""
    profile_hash: str = ""  # the column pins it was read with ("" for none)


class Staging:
    """The sources an import sees (stored, less those it replaces, plus those it adds)."""

    def __init__(self, con: Any) -> None:
        self.con = con
        found = run_sql(con, f"SELECT {_RECORD} FROM sources")
        assert found is not None
        self.records: list[dict[str, Any]] = found.to_pylist()
        self.removed: set[tuple[str, str]] = set()  # stored sources this import replaces
        self.files: list[tuple[ParsedFile, list[dict[str, Any]]]] = []
        self._rows: dict[str, pa.Table] = {}  # partners' stored rows, fetched when first needed

    def _live(self) -> Iterator[dict[str, Any]]:
        for record in self.records:
            if (record["partner"], record["source_hash"]) not in self.removed:
                yield record
        for _, records in self.files:
            yield from records

    def profiles(self, partner: str, source_hash: str) -> set[str]:
        """Return the column profiles this source is stored (or to be stored) with."""
        return {
            r["profile_hash"] or ""
            for r in self._live()
            if (r["partner"], r["source_hash"]) == (partner, source_hash)
        }

    def hashes_of(self, partner: str, path: str) -> set[str]:
        """Return the hashes of the partner's live sources from this path."""
        return {
            r["source_hash"]
            for r in self._live()
            if (r["partner"], r["source_file"]) == (partner, path)
        }

    def partners(self) -> set[str]:
        """Return the partners with live sources (stored, or added by this import)."""
        return {r["partner"] for r in self._live()}

    def twin(self, parsed: ParsedFile) -> str | None:
        """Return a note naming the live source this file duplicates, or None if it is new.

        The same bytes for another partner, or the same transactions (fingerprint) in any
        source but this partner's file at this path (which it replaces).
        """
        live = sorted(self._live(), key=lambda r: (r["partner"], r["source_file"]))
        same = next(
            (
                r
                for r in live
                if r["source_hash"] == parsed.source_hash and r["partner"] != parsed.partner
            ),
            None,
        )
        if same is None and parsed.fingerprint:
            same = next(
                (
                    r
                    for r in live
                    if r["fingerprint"] == parsed.fingerprint
                    and (r["partner"], r["source_file"]) != (parsed.partner, parsed.path)
                ),
                None,
            )
        if same is None:
            return None
        if same["partner"] == parsed.partner:
            return f"same transactions as {same['source_file']}, already imported: not loaded again"
        return (
            f"same transactions as {same['source_file']}, already imported for partner "
            f"{same['partner']}: not loaded again (a file belongs to one partner; if it is this "
            f"one's, remove it from {same['partner']}'s sources and import both again)"
        )

    def remove(self, partner: str, hashes: set[str]) -> None:
        """Replace these sources of the partner: stored ones at the end, staged ones now."""
        self.removed |= {(partner, h) for h in hashes}
        self.files = [
            (p, r) for p, r in self.files if not (p.partner == partner and p.source_hash in hashes)
        ]

    def add(self, parsed: ParsedFile, records: list[dict[str, Any]]) -> None:
        """Stage a file to store, with its ``sources`` records (one per sheet)."""
        self.files.append((parsed, records))

    def stored(self, partner: str) -> tuple[pa.Table, dict[str, Decimal]]:
        """Return the partner's live rows in the columns overlaps are matched on, and totals."""
        if partner not in self._rows:
            found = run_sql(
                self.con,
                f"SELECT {', '.join(STORED_COLUMNS)} FROM transactions WHERE partner = ?",
                [partner],
            )
            assert found is not None
            self._rows[partner] = found.select(_STORED_SCHEMA.names).cast(_STORED_SCHEMA)
        stored = self._rows[partner]
        gone = [h for p, h in self.removed if p == partner]
        if gone:
            stored = stored.filter(
                pc.invert(pc.is_in(stored.column("source_hash"), pa.array(gone)))
            )
        parts = [stored] + [
            _with_provenance(p, sheet, sheet.facts.select(_STORED_SCHEMA.names[2:]))
            .select(_STORED_SCHEMA.names)
            .cast(_STORED_SCHEMA)
            for p, _ in self.files
            if p.partner == partner
            for sheet in p.sheets
            if sheet.facts.num_rows
        ]
        totals: dict[str, Decimal] = {}
        for r in self._live():
            if r["partner"] == partner:
                totals[r["source_hash"]] = totals.get(r["source_hash"], Decimal("0.00")) + Decimal(
                    r["amount_loaded"]
                )
        return pa.concat_tables(parts), totals

    def write(self) -> None:
        """Write the staged rows, then the records (dropping replaced ones), then clear theirs."""
        con = self.con
        schema = pa.schema(
            [(name, kind.to_pyarrow()) for name, kind in tables()["sources"].items()]
        )
        # A source read again with other pins keeps its key (partner, hash), so its rows
        # cannot be told from the new ones: its record and rows go first (until the end
        # it is simply not loaded, never loaded short of rows).
        again = sorted(self.removed & {(p.partner, p.source_hash) for p, _ in self.files})
        if again:
            condition, params = matching(again)
            replace_rows(con, "sources", condition, params, schema.empty_table())
            remove_rows(con, again)
        replaced = sorted(self.removed - set(again))
        facts = [
            _with_provenance(p, sheet, sheet.facts).add_column(
                0,
                "txn_key",
                pc.binary_join_element_wise(
                    f"{p.source_hash[:16]}:{index}:",
                    pc.cast(sheet.facts.column("row_number"), pa.string()),
                    "",
                ),
            )
            for p, _ in self.files
            for index, sheet in enumerate(p.sheets)
            if sheet.facts.num_rows
        ]
        if facts:
            append(
                con,
                "transaction_rows",
                _row_groups(pa.concat_tables(facts, promote_options="permissive")),
            )
        quarantine = [
            _with_provenance(p, sheet, sheet.quarantine)
            for p, _ in self.files
            for sheet in p.sheets
            if sheet.quarantine.num_rows
        ]
        if quarantine:
            append(
                con, "quarantine_rows", pa.concat_tables(quarantine, promote_options="permissive")
            )
        records = [r for _, rs in self.files for r in rs]
        if not records and not replaced:
            return
        condition, params = matching(replaced)
        replace_rows(
            con, "sources", condition, params, pa.Table.from_pylist(records, schema=schema)
        )
        remove_rows(con, replaced)


def _constant(value: str | None, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def _with_provenance(parsed: ParsedFile, sheet: CleanSheet, table: pa.Table) -> pa.Table:
    """Return a sheet's rows with the partner, source and sheet of each (computed by Arrow)."""
    n = table.num_rows
    for name, value in (
        ("sheet", sheet.sheet),
        ("source_file", parsed.path),
        ("source_hash", parsed.source_hash),
        ("partner", parsed.partner),
    ):
        table = table.add_column(0, name, _constant(value, n))
    return table


def _row_groups(table: pa.Table) -> pa.RecordBatchReader:
    """Return the table as a stream of whole row groups (copied one at a time, not all at once)."""

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, table.num_rows, _ROW_GROUP):
            yield from table.slice(start, _ROW_GROUP).combine_chunks().to_batches()

    return pa.RecordBatchReader.from_batches(table.schema, batches())
