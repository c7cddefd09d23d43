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
from totalplace.ingest.republication import KEEP_CHOICES, Overlap, RepublicationFound, find_overlaps
from totalplace.warehouse import transaction
from totalplace.warehouse.integrity import check, remove


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
    """
    if keep is not None and keep not in KEEP_CHOICES:
        raise ValueError(f"keep must be one of {', '.join(KEEP_CHOICES)}, not {keep!r}")
    reports: list[SheetReport] = []
    undecided: list[Overlap] = []
    now = datetime.now()
    with transaction(con, checkpoint=True) as raw:
        remove(raw, check(raw).orphans)
        pending = _Pending()
        for parsed in files:
            known = raw.execute(
                "SELECT DISTINCT coalesce(profile_hash, '') FROM sources "
                "WHERE source_hash = ? AND partner = ?",
                [parsed.source_hash, parsed.partner],
            ).fetchall()
            if (parsed.profile_hash,) in known:
                reports += _reports(parsed, "unchanged")
                continue
            if known:
                # The same bytes read with other pins: the new reading replaces the old.
                pending.flush(raw)
                for table in ("transaction_rows", "quarantine_rows", "sources"):
                    raw.execute(
                        f"DELETE FROM {table} WHERE partner = ? AND source_hash = ?",
                        [parsed.partner, parsed.source_hash],
                    )
                repinned = True
            else:
                repinned = False
            twin = _twin(raw, parsed)
            if twin:
                for report in _reports(parsed, "duplicate"):
                    report.notes.append(twin)
                    reports.append(report)
                continue
            if pending.holds(parsed.partner):
                pending.flush(raw)  # the overlap check reads the partner's rows stored so far
            overlaps = (
                find_overlaps(
                    raw,
                    parsed.partner,
                    parsed.path,
                    _facts(parsed),
                    sum((_amount_sum(s.facts) for s in parsed.sheets), Decimal("0.00")),
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
            old = raw.execute(
                "SELECT DISTINCT source_hash FROM sources WHERE source_file = ? AND partner = ?",
                [parsed.path, parsed.partner],
            ).fetchall()
            if keep == "new":
                old += [(o.old_hash,) for o in overlaps]
            if old:
                pending.flush(raw)  # so a deletion sees every row stored before it, as it did
            for (old_hash,) in old:
                # A source is (partner, hash): the same bytes may be another partner's too.
                for table in ("transaction_rows", "quarantine_rows", "sources"):
                    raw.execute(
                        f"DELETE FROM {table} WHERE partner = ? AND source_hash = ?",
                        [parsed.partner, old_hash],
                    )
            status = "replaced" if old or repinned else "loaded"
            file_reports = _reports(parsed, status)
            if repinned:
                for report in file_reports:
                    report.notes = [*report.notes, "read again: its column profile changed"]
            # The sources rows go in at once: the next file's duplicate check reads them.
            raw.executemany(
                f"INSERT INTO sources ({', '.join(SOURCE_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in SOURCE_COLUMNS)})",
                [
                    _source_row(parsed, index, sheet, report, now)
                    for index, (sheet, report) in enumerate(
                        zip(parsed.sheets, file_reports, strict=True)
                    )
                ],
            )
            for index, sheet in enumerate(parsed.sheets):
                pending.add(parsed, index, sheet)
            reports += file_reports
        pending.flush(raw)
        if undecided:
            raise RepublicationFound(undecided)  # rolls the whole import back
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


def _twin(raw: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> str | None:
    """Return a note naming the stored source this file duplicates, or None if it is new.

    The same bytes for another partner, or the same transactions (fingerprint) in any
    source but this partner's file at this path (which it replaces).
    """
    same = raw.execute(
        "SELECT partner, source_file FROM sources WHERE source_hash = ? AND partner <> ? "
        "ORDER BY partner, source_file LIMIT 1",
        [parsed.source_hash, parsed.partner],
    ).fetchone()
    if same is None and parsed.fingerprint:
        same = raw.execute(
            "SELECT partner, source_file FROM sources WHERE fingerprint = ? "
            "AND NOT (partner = ? AND source_file = ?) ORDER BY partner, source_file LIMIT 1",
            [parsed.fingerprint, parsed.partner, parsed.path],
        ).fetchone()
    if same is None:
        return None
    partner, source_file = same
    if partner == parsed.partner:
        return f"same transactions as {source_file}, already imported: not loaded again"
    return (
        f"same transactions as {source_file}, already imported for partner {partner}: "
        "not loaded again (a file belongs to one partner; if it is this one's, remove it "
        f"from {partner}'s sources and import both again)"
    )


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


_PROVENANCE = ", ".join(
    f"list_extract(?::VARCHAR[], _part) AS {column}"
    for column in ("partner", "source_hash", "source_file", "sheet")
)


class _Pending:
    """Sheets' rows waiting to be stored: one INSERT per table for them all, not one per sheet.

    A workbook of 82 sheets took 2 x 82 INSERTs (each planned, each its own small
    appends). Rows go in in the same order as sheet by sheet; the provenance of each
    row is looked up by its sheet's position in lists passed as parameters.
    """

    def __init__(self) -> None:
        self.sheets: list[tuple[ParsedFile, int, CleanSheet]] = []

    def add(self, parsed: ParsedFile, index: int, sheet: CleanSheet) -> None:
        self.sheets.append((parsed, index, sheet))

    def holds(self, partner: str) -> bool:
        """Return True when rows of this partner are waiting to be stored."""
        return any(p.partner == partner for p, _, _ in self.sheets)

    def flush(self, raw: duckdb.DuckDBPyConnection) -> None:
        if not self.sheets:
            return
        prefixes = [f"{p.source_hash[:16]}:{i}:" for p, i, _ in self.sheets]
        provenance = [
            [p.partner for p, _, _ in self.sheets],
            [p.source_hash for p, _, _ in self.sheets],
            [p.path for p, _, _ in self.sheets],
            [s.sheet for _, _, s in self.sheets],
        ]
        facts = self._rows("facts")
        if facts is not None:
            raw.register("_facts", _row_groups(facts))
            raw.execute(
                f"""INSERT INTO transaction_rows BY NAME
                    SELECT list_extract(?::VARCHAR[], _part) || row_number AS txn_key,
                           {_PROVENANCE}, * EXCLUDE (_part) FROM _facts""",
                [prefixes, *provenance],
            )
            raw.unregister("_facts")
        quarantine = self._rows("quarantine")
        if quarantine is not None:
            raw.register("_quarantine", quarantine)
            raw.execute(
                f"INSERT INTO quarantine_rows BY NAME SELECT {_PROVENANCE}, * EXCLUDE (_part) FROM _quarantine",
                provenance,
            )
            raw.unregister("_quarantine")
        self.sheets = []

    def _rows(self, kind: str) -> pa.Table | None:
        """Return the pending sheets' facts or quarantine as one table (``_part``: sheet, from 1)."""
        parts = [
            table.append_column("_part", pa.array(np.full(table.num_rows, n, dtype=np.int32)))
            for n, (_, _, sheet) in enumerate(self.sheets, start=1)
            if (table := getattr(sheet, kind)).num_rows
        ]
        return pa.concat_tables(parts) if parts else None
