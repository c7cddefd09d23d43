"""Store parsed files in the warehouse: all or nothing, re-runs harmless, duplicates refused.

A file that re-publishes rows already loaded for its partner (``republication.py``) is
stored only as ``keep`` decides; without a decision nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.clean import CleanSheet
from totalplace.ingest.republication import (
    KEEP_CHOICES,
    STORED_COLUMNS,
    Overlap,
    RepublicationFound,
    find_overlaps,
)
from totalplace.warehouse import append, rows, run_sql, tables, transaction
from totalplace.warehouse.integrity import check, remove, remove_sources


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


@dataclass
class SheetReport:
    """What happened to one sheet of one file."""

    file: str
    sheet: str | None
    partner: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    amount_loaded: Decimal
    amount_quarantined: Decimal
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the report as JSON-ready values (amounts as decimal strings)."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "partner": self.partner,
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "amount_loaded": f"{self.amount_loaded:.2f}",
            "amount_quarantined": f"{self.amount_quarantined:.2f}",
            "notes": self.notes,
            "mapping": self.mapping,
            "evidence": self.evidence,
        }


# DuckDB's row group size: an insert fed whole row groups writes them as they are;
# batches of other sizes leave part-filled row groups that closing the warehouse then
# rewrites, which doubled the cost of storing a 1M-row file.
_ROW_GROUP = 122_880


def _amount_sum(table: pa.Table) -> Decimal:
    total = pc.sum(table.column("amount").cast(pa.decimal128(38, 2))).as_py()
    return Decimal("0.00") if total is None else total


def fingerprints(con: duckdb.DuckDBPyConnection, files: list[list[CleanSheet]]) -> list[str]:
    """Return a hash of each file's transactions (date, amount, id, in order), from one query.

    It spots the same data saved again under another name or encoding. Per sheet:
    ``index:md5`` joined by ``|``; "" for a file without transactions.
    """
    parts = [
        sheet.facts.select(["row_number", "txn_date", "amount", "transaction_id"])
        .append_column("file", pa.array(np.full(sheet.facts.num_rows, f, dtype=np.int32)))
        .append_column("sheet", pa.array(np.full(sheet.facts.num_rows, s, dtype=np.int32)))
        for f, sheets in enumerate(files)
        for s, sheet in enumerate(sheets)
        if sheet.facts.num_rows
    ]
    digests: dict[tuple[int, int], str] = {}
    if parts:
        con.register("_fingerprint_facts", pa.concat_tables(parts))
        try:
            rows = con.execute(
                "SELECT file, sheet, md5(string_agg(concat_ws('|', txn_date, amount, "
                "transaction_id), chr(10) ORDER BY row_number)) "
                "FROM _fingerprint_facts GROUP BY file, sheet"
            ).fetchall()
        finally:
            con.unregister("_fingerprint_facts")
        digests = {(f, s): digest for f, s, digest in rows}
    return [
        "|".join(f"{s}:{digests.get((f, s), '')}" for s in range(len(sheets)))
        if any(sheet.facts.num_rows for sheet in sheets)
        else ""
        for f, sheets in enumerate(files)
    ]


def _row_groups(table: pa.Table) -> pa.RecordBatchReader:
    """Return the table as a stream of whole row groups (copied one at a time, not all at once)."""

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, table.num_rows, _ROW_GROUP):
            yield from table.slice(start, _ROW_GROUP).combine_chunks().to_batches()

    return pa.RecordBatchReader.from_batches(table.schema, batches())


def _reports(parsed: ParsedFile, status: str) -> list[SheetReport]:
    return [
        SheetReport(
            file=parsed.path,
            sheet=sheet.sheet,
            partner=parsed.partner,
            status=status,
            rows_read=sheet.rows_read,
            rows_loaded=sheet.facts.num_rows,
            rows_quarantined=sheet.quarantine.num_rows,
            amount_loaded=_amount_sum(sheet.facts),
            amount_quarantined=_amount_sum(sheet.quarantine),
            notes=sheet.notes,
            mapping=sheet.mapping,
            evidence=sheet.evidence,
        )
        for sheet in parsed.sheets
    ]


def store_files(con: Any, files: list[ParsedFile], keep: str | None = None) -> list[SheetReport]:
    """Store parsed files in one transaction and return a report per file and sheet.

    A source is a partner's file: same bytes again for the partner: 'unchanged'. Same
    bytes or same transactions already stored (for this partner under another name, or
    for another partner): 'duplicate' (not stored). Same partner and path, new bytes:
    'replaced'. Any error: nothing stored. Rows a crash left without a live source are
    removed first (no stage reads them).

    A file re-publishing another stored file of its partner (same transaction ids and
    dates, whatever the amounts) is stored as ``keep`` says: 'new' replaces the stored
    file's rows ('replaced'), 'old' skips it ('skipped'), 'both' loads it beside them.
    With no decision, raises RepublicationFound listing every overlap, storing nothing.

    Works through the warehouse seam on every engine. The new rows are written at the
    end, then their ``sources`` records, which make them live: on Spark, which cannot
    roll back, a failure before the records leaves only rows no view reads.
    """
    if keep is not None and keep not in KEEP_CHOICES:
        raise ValueError(f"keep must be one of {', '.join(KEEP_CHOICES)}, not {keep!r}")
    reports: list[SheetReport] = []
    undecided: list[Overlap] = []
    now = datetime.now()
    with transaction(con, checkpoint=True):
        remove(con, check(con).orphans)
        pending = _Pending()
        for parsed in files:
            known = {
                profile
                for (profile,) in rows(
                    con,
                    "SELECT DISTINCT coalesce(profile_hash, '') FROM sources "
                    "WHERE source_hash = ? AND partner = ?",
                    [parsed.source_hash, parsed.partner],
                )
            } | pending.profiles(parsed.partner, parsed.source_hash)
            if parsed.profile_hash in known:
                reports += _reports(parsed, "unchanged")
                continue
            repinned = bool(known)
            if repinned:
                # The same bytes read with other pins: the new reading replaces the old.
                remove_sources(con, [(parsed.partner, parsed.source_hash)])
            twin = _twin(con, parsed) or pending.twin(parsed)
            if twin:
                for report in _reports(parsed, "duplicate"):
                    report.notes.append(twin)
                    reports.append(report)
                continue
            overlaps = (
                find_overlaps(
                    parsed.partner,
                    parsed.path,
                    _facts(parsed),
                    sum((_amount_sum(s.facts) for s in parsed.sheets), Decimal("0.00")),
                    *_stored(con, parsed.partner, pending),
                )
                if any(sheet.facts.num_rows for sheet in parsed.sheets)
                else []
            )
            for partial in (o for o in overlaps if not o.likely):
                parsed.sheets[0].notes.append(
                    f"{partial.text()}: below the re-publication threshold, so loaded; check "
                    "that the overlapping rows are not counted twice"
                )
            overlaps = [o for o in overlaps if o.likely]
            decision = _decide(overlaps, keep)
            if overlaps and keep is None:
                undecided += overlaps
                continue
            if decision and keep == "old":
                for report in _reports(parsed, "skipped"):
                    report.notes.append(decision)
                    reports.append(report)
                continue
            if decision:
                parsed.sheets[0].notes.append(decision)  # kept in sources.notes: the record
            old = {
                old_hash
                for (old_hash,) in rows(
                    con,
                    "SELECT DISTINCT source_hash FROM sources WHERE source_file = ? AND partner = ?",
                    [parsed.path, parsed.partner],
                )
            }
            if keep == "new":
                old |= {o.old_hash for o in overlaps}
            # A source is (partner, hash): the same bytes may be another partner's too.
            remove_sources(con, [(parsed.partner, h) for h in sorted(old)])
            old |= pending.discard(
                parsed.partner, {o.old_hash for o in overlaps} if keep == "new" else set()
            )
            status = "replaced" if old or repinned else "loaded"
            file_reports = _reports(parsed, status)
            if repinned:
                for report in file_reports:
                    report.notes = [*report.notes, "read again: its column profile changed"]
            pending.add(parsed, file_reports)
            reports += file_reports
        if undecided:
            raise RepublicationFound(undecided)  # rolls the whole import back
        pending.flush(con, now)
    return reports


def _facts(parsed: ParsedFile) -> pa.Table:
    """Return the file's loaded rows, every sheet, in the columns overlaps are matched on."""
    columns = ["txn_date", "amount", "transaction_id", "supplier_name"]
    return pa.concat_tables([sheet.facts.select(columns) for sheet in parsed.sheets])


def _decide(overlaps: list[Overlap], keep: str | None) -> str | None:
    """Return the note recording what ``keep`` did with a re-publication, or None if none."""
    if not overlaps or keep is None:
        return None
    files = ", ".join(o.old_file for o in overlaps)
    matched = "; ".join(
        f"{o.rows_matched:,} of {o.rows_new:,} rows ({o.share:.0%})" for o in overlaps
    )
    said = {
        "new": f"replaced the rows loaded from {files}",
        "old": f"not loaded: {files} kept",
        "both": f"loaded beside {files}",
    }[keep]
    return f"re-publication of {files} ({matched} already loaded): {said} (decision --keep {keep})"


def _twin(con: Any, parsed: ParsedFile) -> str | None:
    """Return a note naming the stored source this file duplicates, or None if it is new.

    The same bytes for another partner, or the same transactions (fingerprint) in any
    source but this partner's file at this path (which it replaces).
    """
    same = rows(
        con,
        "SELECT partner, source_file FROM sources WHERE source_hash = ? AND partner <> ? "
        "ORDER BY partner, source_file LIMIT 1",
        [parsed.source_hash, parsed.partner],
    )
    if not same and parsed.fingerprint:
        same = rows(
            con,
            "SELECT partner, source_file FROM sources WHERE fingerprint = ? "
            "AND NOT (partner = ? AND source_file = ?) ORDER BY partner, source_file LIMIT 1",
            [parsed.fingerprint, parsed.partner, parsed.path],
        )
    return _twin_note(parsed, *same[0]) if same else None


def _twin_note(parsed: ParsedFile, partner: str, source_file: str) -> str:
    if partner == parsed.partner:
        return f"same transactions as {source_file}, already imported: not loaded again"
    return (
        f"same transactions as {source_file}, already imported for partner {partner}: "
        "not loaded again (a file belongs to one partner; if it is this one's, remove it "
        f"from {partner}'s sources and import both again)"
    )


def _stored(con: Any, partner: str, pending: _Pending) -> tuple[pa.Table, dict[str, Decimal]]:
    """Return the partner's rows a new file is matched against, and each source's total.

    Those in the warehouse (live sources only: the views) and those of this import
    waiting to be written.
    """
    columns = ", ".join(STORED_COLUMNS)
    stored = run_sql(con, f"SELECT {columns} FROM transactions WHERE partner = ?", [partner])
    assert stored is not None
    totals = {
        h: Decimal(a) if a is not None else Decimal("0.00")
        for h, a in rows(
            con,
            "SELECT source_hash, sum(amount_loaded) FROM sources WHERE partner = ? "
            "GROUP BY source_hash",
            [partner],
        )
    }
    waiting, waiting_totals = pending.stored(partner)
    tables = [stored.cast(_STORED_SCHEMA)] + ([waiting] if waiting is not None else [])
    return pa.concat_tables(tables), totals | waiting_totals


SOURCE_COLUMNS = (
    "source_hash",
    "partner",
    "source_file",
    "sheet",
    "sheet_index",
    "format",
    "encoding",
    "delimiter",
    "mapping",
    "notes",
    "fingerprint",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "amount_loaded",
    "amount_quarantined",
    "imported_at",
    "profile_hash",
    "evidence",
)


def _source_row(
    parsed: ParsedFile, index: int, sheet: CleanSheet, report: SheetReport, now: datetime
) -> list[Any]:
    return [
        parsed.source_hash,
        parsed.partner,
        parsed.path,
        sheet.sheet,
        index,
        parsed.format,
        parsed.encoding,
        parsed.delimiter,
        json.dumps(sheet.mapping),
        json.dumps(sheet.notes),
        parsed.fingerprint,
        report.rows_read,
        report.rows_loaded,
        report.rows_quarantined,
        report.amount_loaded,
        report.amount_quarantined,
        now,
        parsed.profile_hash,
        json.dumps(sheet.evidence),
    ]


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


class _Pending:
    """Files to store, written together at the end: rows first, then the records making them live.

    One append per table for the whole import (a workbook of 82 sheets once took 2 x 82
    INSERTs). The checks of later files in the same import see these through
    :meth:`profiles`, :meth:`twin` and :meth:`stored`, as they see the warehouse's.
    """

    def __init__(self) -> None:
        self.files: list[tuple[ParsedFile, list[SheetReport]]] = []

    def add(self, parsed: ParsedFile, reports: list[SheetReport]) -> None:
        self.files.append((parsed, reports))

    def profiles(self, partner: str, source_hash: str) -> set[str]:
        """Return the column profiles this source is waiting to be stored with (none: empty)."""
        return {
            p.profile_hash
            for p, _ in self.files
            if (p.partner, p.source_hash) == (partner, source_hash)
        }

    def twin(self, parsed: ParsedFile) -> str | None:
        """Return the note for a waiting file this one duplicates (as :func:`_twin`), or None."""
        for p, _ in sorted(self.files, key=lambda f: (f[0].partner, f[0].path)):
            if p.source_hash == parsed.source_hash and p.partner != parsed.partner:
                return _twin_note(parsed, p.partner, p.path)
        for p, _ in sorted(self.files, key=lambda f: (f[0].partner, f[0].path)):
            if (
                parsed.fingerprint
                and p.fingerprint == parsed.fingerprint
                and (p.partner, p.path) != (parsed.partner, parsed.path)
            ):
                return _twin_note(parsed, p.partner, p.path)
        return None

    def discard(self, partner: str, hashes: set[str]) -> set[str]:
        """Drop waiting files of the partner with these hashes (replaced); return those dropped."""
        dropped = {
            p.source_hash for p, _ in self.files if p.partner == partner and p.source_hash in hashes
        }
        self.files = [
            (p, r) for p, r in self.files if not (p.partner == partner and p.source_hash in dropped)
        ]
        return dropped

    def stored(self, partner: str) -> tuple[pa.Table | None, dict[str, Decimal]]:
        """Return the partner's waiting rows in the columns overlaps are matched on, and totals."""
        mine = [(p, r) for p, r in self.files if p.partner == partner]
        parts = [
            _with_provenance(p, sheet, sheet.facts.select(list(_STORED_SCHEMA.names[2:])))
            .select(_STORED_SCHEMA.names)
            .cast(_STORED_SCHEMA)
            for p, _ in mine
            for sheet in p.sheets
            if sheet.facts.num_rows
        ]
        totals = {
            p.source_hash: sum((r.amount_loaded for r in reports), Decimal("0.00"))
            for p, reports in mine
        }
        return (pa.concat_tables(parts) if parts else None), totals

    def flush(self, con: Any, now: datetime) -> None:
        """Write every waiting file's rows, then the ``sources`` records that make them live."""
        if not self.files:
            return
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
        records = [
            dict(zip(SOURCE_COLUMNS, _source_row(p, index, sheet, report, now), strict=True))
            for p, reports in self.files
            for index, (sheet, report) in enumerate(zip(p.sheets, reports, strict=True))
        ]
        append(con, "sources", pa.Table.from_pylist(records, schema=_sources_schema()))
        self.files = []


def _sources_schema() -> pa.Schema:
    return pa.schema([(name, kind.to_pyarrow()) for name, kind in tables()["sources"].items()])
