"""Store parsed files in the warehouse: all or nothing, re-runs harmless, duplicates refused."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from totalplace.ingest.clean import CleanSheet
from totalplace.warehouse import transaction


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
        }


def _amount_sum(table: pa.Table) -> Decimal:
    values = [v for v in table.column("amount").to_pylist() if v is not None]
    return sum(values, Decimal("0.00"))


def fingerprint(sheets: list[CleanSheet]) -> str:
    """Return a hash of a file's transactions (date, amount, id, in order) to spot the same data re-saved."""
    con = duckdb.connect()
    parts = []
    for index, sheet in enumerate(sheets):
        con.register("f", sheet.facts)
        digest = con.execute(
            "SELECT coalesce(md5(string_agg(concat_ws('|', txn_date, amount, transaction_id), "
            "chr(10) ORDER BY row_number)), '') FROM f"
        ).fetchall()[0][0]
        con.unregister("f")
        parts.append(f"{index}:{digest}")
    con.close()
    return "|".join(parts) if any(sheet.facts.num_rows for sheet in sheets) else ""


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
        )
        for sheet in parsed.sheets
    ]


def store_files(con: Any, files: list[ParsedFile]) -> list[SheetReport]:
    """Store parsed files in one transaction and return a report per file and sheet.

    Same bytes again: 'unchanged'. Same transactions under another name or encoding:
    'duplicate' (not stored). Same path, new bytes: 'replaced'. Any error: nothing stored.
    """
    reports: list[SheetReport] = []
    now = datetime.now()
    with transaction(con) as raw:
        for parsed in files:
            known = raw.execute(
                "SELECT DISTINCT source_file FROM sources WHERE source_hash = ? AND partner = ?",
                [parsed.source_hash, parsed.partner],
            ).fetchall()
            if known:
                reports += _reports(parsed, "unchanged")
                continue
            if parsed.fingerprint:
                twin = raw.execute(
                    "SELECT DISTINCT source_file FROM sources WHERE fingerprint = ? AND source_file <> ?",
                    [parsed.fingerprint, parsed.path],
                ).fetchall()
                if twin:
                    for report in _reports(parsed, "duplicate"):
                        report.notes.append(
                            f"same transactions as {twin[0][0]}, already imported: not loaded again"
                        )
                        reports.append(report)
                    continue
            old = raw.execute(
                "SELECT DISTINCT source_hash FROM sources WHERE source_file = ? AND partner = ?",
                [parsed.path, parsed.partner],
            ).fetchall()
            for (old_hash,) in old:
                for table in ("transactions", "quarantine", "sources"):
                    raw.execute(f"DELETE FROM {table} WHERE source_hash = ?", [old_hash])
            status = "replaced" if old else "loaded"
            for index, (sheet, report) in enumerate(
                zip(parsed.sheets, _reports(parsed, status), strict=True)
            ):
                _insert_sheet(raw, parsed, index, sheet, report, now)
                reports.append(report)
    return reports


def _insert_sheet(
    raw: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    index: int,
    sheet: CleanSheet,
    report: SheetReport,
    now: datetime,
) -> None:
    key_prefix = f"{parsed.source_hash[:16]}:{index}:"
    raw.register("_facts", sheet.facts)
    raw.register("_quarantine", sheet.quarantine)
    params = [parsed.partner, parsed.source_hash, parsed.path, sheet.sheet]
    raw.execute(
        f"""INSERT INTO transactions BY NAME
            SELECT '{key_prefix}' || row_number AS txn_key, ? AS partner, ? AS source_hash,
                   ? AS source_file, ? AS sheet, * FROM _facts""",
        params,
    )
    raw.execute(
        """INSERT INTO quarantine BY NAME
           SELECT ? AS partner, ? AS source_hash, ? AS source_file, ? AS sheet, * FROM _quarantine""",
        params,
    )
    raw.unregister("_facts")
    raw.unregister("_quarantine")
    raw.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
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
        ],
    )
