"""Store parsed files in the warehouse: all or nothing, re-runs harmless, duplicates refused.

A file that re-publishes rows already loaded for its partner (``republication.py``) is
stored only as ``keep`` decides; without a decision nothing is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.outcome import CleanSheet
from totalplace.ingest.republication import (
    KEEP_CHOICES,
    Overlap,
    RepublicationFound,
    find_overlaps,
)
from totalplace.ingest.staging import ParsedFile, Staging
from totalplace.warehouse import transaction
from totalplace.warehouse.integrity import check, remove


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

    Works through the warehouse seam on every engine (see ``staging.py`` for the order
    of the writes, which keeps Spark, without transactions, safe too).
    """
    if keep is not None and keep not in KEEP_CHOICES:
        raise ValueError(f"keep must be one of {', '.join(KEEP_CHOICES)}, not {keep!r}")
    reports: list[SheetReport] = []
    undecided: list[Overlap] = []
    now = datetime.now()
    with transaction(con, checkpoint=True):
        remove(con, check(con).orphans)
        staged = Staging(con)
        for parsed in files:
            known = staged.profiles(parsed.partner, parsed.source_hash)
            if parsed.profile_hash in known:
                reports += _reports(parsed, "unchanged")
                continue
            repinned = bool(known)
            if repinned:
                # The same bytes read with other pins: the new reading replaces the old.
                staged.remove(parsed.partner, {parsed.source_hash})
            twin = staged.twin(parsed)
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
                    *staged.stored(parsed.partner),
                )
                if any(sheet.facts.num_rows for sheet in parsed.sheets)
                else []
            )
            # Across partners only for a file new to its partner: a re-issue of the
            # partner's own file at this path replaces it, whoever else holds a copy.
            if (
                not any(o.likely for o in overlaps)
                and any(sheet.facts.num_rows for sheet in parsed.sheets)
                and not staged.hashes_of(parsed.partner, parsed.path)
            ):
                overlaps += _across(staged, parsed)
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
            old = staged.hashes_of(parsed.partner, parsed.path)
            if keep == "new":
                old |= {o.old_hash for o in overlaps if not o.old_partner}
                for o in overlaps:
                    if o.old_partner:  # the other partner's copy gives way to this one
                        staged.remove(o.old_partner, {o.old_hash})
            # A source is (partner, hash): the same bytes may be another partner's too.
            staged.remove(parsed.partner, old)
            status = "replaced" if old or repinned else "loaded"
            file_reports = _reports(parsed, status)
            if repinned:
                for report in file_reports:
                    report.notes = [*report.notes, "read again: its column profile changed"]
            staged.add(
                parsed,
                [
                    dict(zip(SOURCE_COLUMNS, _source_row(parsed, i, sheet, r, now), strict=True))
                    for i, (sheet, r) in enumerate(zip(parsed.sheets, file_reports, strict=True))
                ],
            )
            reports += file_reports
        if undecided:
            raise RepublicationFound(undecided)  # rolls the whole import back
        staged.write()
    return reports


def _facts(parsed: ParsedFile) -> pa.Table:
    """Return the file's loaded rows, every sheet, in the columns overlaps are matched on."""
    columns = ["txn_date", "amount", "transaction_id", "supplier_name"]
    return pa.concat_tables([sheet.facts.select(columns) for sheet in parsed.sheets])


#: Share of a file's rows matching another partner's below which no note is made.
_ACROSS_NOTE = Decimal("0.1")


def _across(staged: Staging, parsed: ParsedFile) -> list[Overlap]:
    """Return the overlaps of a file with the rows other partners have loaded (ids and dates)."""
    facts = _facts(parsed)
    amount = sum((_amount_sum(s.facts) for s in parsed.sheets), Decimal("0.00"))
    found: list[Overlap] = []
    for other in sorted(staged.partners() - {parsed.partner}):
        rows, totals = staged.stored(other)
        found += find_overlaps(
            parsed.partner, parsed.path, facts, amount, rows, totals, other_partner=other
        )
    # A few invoice numbers and dates two bodies share by chance are not worth a note.
    return [o for o in found if o.likely or o.share >= _ACROSS_NOTE]


def _decide(overlaps: list[Overlap], keep: str | None) -> str | None:
    """Return the note recording what ``keep`` did with a re-publication, or None if none."""
    if not overlaps or keep is None:
        return None
    files = ", ".join(
        o.old_file + (f" (partner {o.old_partner})" if o.old_partner else "") for o in overlaps
    )
    matched = "; ".join(
        f"{o.rows_matched:,} of {o.rows_new:,} rows ({o.share:.0%})" for o in overlaps
    )
    said = {
        "new": f"replaced the rows loaded from {files}",
        "old": f"not loaded: {files} kept",
        "both": f"loaded beside {files}",
    }[keep]
    return f"re-publication of {files} ({matched} already loaded): {said} (decision --keep {keep})"


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
