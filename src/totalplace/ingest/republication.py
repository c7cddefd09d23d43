"""Spot a file that re-publishes transactions already loaded for its partner.

A council's month can reach a workspace twice: the file as published and a cleaned
copy (dates rewritten, amounts re-stated, columns renamed), or a corrected re-issue.
Byte or fingerprint twins are caught by ``store.py``; here a file is matched row by
row against the partner's stored rows, in one DuckDB join, on what survives any
re-formatting -- see docs/decisions/0009-re-publication.md:

* a file whose rows mostly carry a transaction id is matched on (id, date): a
  re-publication when at least ``ID_SHARE`` of its id-bearing rows are already loaded
  from one stored file;
* a file without ids is matched on (date, supplier, amount): a re-publication when at
  least ``ROW_SHARE`` of its rows are.

A smaller overlap (some ids and dates of the file already loaded, or at least half its
rows by date, supplier and amount) is returned too, as not ``likely``: the file is
loaded with a note naming the overlap, for the user to check.

A file is matched against the other partners' rows too, on (id, date) only, when it
re-publishes nothing of its own partner's: the same transactions loaded under two
partners would be counted twice just the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.errors import BadInputError

#: Share of a file's id-bearing rows whose (id, date) is already loaded from one file.
ID_SHARE = Decimal("0.5")
#: Share of a file's rows whose (date, supplier, amount) is already loaded from one file.
ROW_SHARE = Decimal("0.9")
#: A file is matched on ids when at least this share of its rows carries one.
_ID_COVERAGE = 0.5

#: The columns of a partner's stored rows that a new file is matched against.
STORED_COLUMNS = (
    "source_file",
    "source_hash",
    "txn_date",
    "amount",
    "transaction_id",
    "supplier_name",
)

#: What ``import --keep`` accepts, with what each does.
KEEP_CHOICES = {
    "new": "replace the loaded file's rows by this file's",
    "old": "keep the loaded file and skip this one",
    "both": "load this file beside the loaded one (you are sure they are different)",
}


@dataclass(frozen=True)
class Overlap:
    """A new file whose rows are already loaded for its partner from a stored file."""

    partner: str
    new_file: str
    old_file: str
    old_hash: str
    matched_on: str  # "transaction id and date" or "date, supplier and amount"
    rows_matched: int
    rows_new: int
    amount_new: Decimal
    amount_old: Decimal
    likely: bool = True  # at or above the threshold: a re-publication, stored only by decision
    old_partner: str = ""  # the partner the loaded file is another's ("" -- the same partner)

    @property
    def share(self) -> Decimal:
        """Return the share of the new file's comparable rows already loaded (0 to 1)."""
        return Decimal(self.rows_matched) / Decimal(self.rows_new) if self.rows_new else Decimal(0)

    def text(self) -> str:
        """Return one line saying what overlaps, e.g. '3,246 of 3,246 rows (100%) ...'."""
        return (
            f"{self.new_file} (partner {self.partner}): {self.rows_matched:,} of "
            f"{self.rows_new:,} rows ({self.share:.0%}) have the {self.matched_on} of rows "
            f"already loaded from {self.old_file}"
            + (f" for another partner, {self.old_partner}" if self.old_partner else "")
            + f"; this file totals £{self.amount_new:,.2f}, "
            f"the loaded one £{self.amount_old:,.2f}"
        )

    def as_json(self) -> dict[str, Any]:
        """Return the overlap as JSON-ready values (amounts as decimal strings)."""
        return {
            "partner": self.partner,
            "new_file": self.new_file,
            "old_file": self.old_file,
            "matched_on": self.matched_on,
            "rows_matched": self.rows_matched,
            "rows_new": self.rows_new,
            "share": f"{self.share:.4f}",
            "likely_republication": self.likely,
            "amount_new": f"{self.amount_new:.2f}",
            "amount_old": f"{self.amount_old:.2f}",
            "old_partner": self.old_partner or self.partner,
        }


class RepublicationFound(BadInputError):
    """Files that look like re-publications of loaded ones; nothing was stored."""

    def __init__(self, overlaps: list[Overlap]) -> None:
        self.overlaps = overlaps
        lines = "\n".join(f"  - {o.text()}" for o in overlaps)
        options = "\n".join(f"  --keep {k}: {what}" for k, what in KEEP_CHOICES.items())
        super().__init__(
            f"{len(overlaps)} file(s) look like re-publications of files already loaded, "
            f"so loading them would count the same spending twice; nothing was stored:\n"
            f"{lines}\nSay which to keep and import again with:\n{options}"
        )


def find_overlaps(
    partner: str,
    path: str,
    facts: pa.Table,
    amount_new: Decimal,
    stored: pa.Table,
    amounts_old: dict[str, Decimal],
    other_partner: str = "",
) -> list[Overlap]:
    """Return the stored files of ``partner`` (other than ``path``) this file's rows overlap.

    ``facts`` is the file's loaded rows (every sheet); ``stored`` the partner's rows
    already stored (:data:`STORED_COLUMNS`, from the warehouse on any engine, plus those
    of this import not yet written) and ``amounts_old`` their totals by source hash. One
    join in a private in-memory DuckDB (matching, like parsing, is done on Arrow in this
    process, whatever the warehouse engine), grouped by stored file, then the thresholds
    of the module docstring (``likely`` when at or above them).

    With ``other_partner``, ``stored`` is that other partner's rows: a file loaded for
    one partner and re-published under another (the same ledger imported under two
    names, a body's file re-published by a combined authority). Across partners only
    transaction ids and dates are matched -- two bodies may well pay the same supplier
    the same sum on the same day, but do not share invoice numbers.
    """
    if facts.num_rows == 0 or stored.num_rows == 0:
        return []
    with_id = facts.num_rows - facts.column("transaction_id").null_count
    by_id = with_id >= _ID_COVERAGE * facts.num_rows
    if other_partner and not by_id:
        return []
    if by_id:
        matched_on, threshold, floor = "transaction id and date", ID_SHARE, Decimal(0)
        key = "upper(trim(n.transaction_id)) = upper(trim(o.transaction_id))"
        key += " AND n.txn_date IS NOT DISTINCT FROM o.txn_date"
        where = "n.transaction_id IS NOT NULL AND trim(n.transaction_id) <> ''"
        rows_new = with_id
    else:
        # By value, a few rows can coincide by chance (a monthly rent): only half or more counts.
        matched_on, threshold, floor = "date, supplier and amount", ROW_SHARE, Decimal("0.5")
        key = (
            "n.txn_date IS NOT DISTINCT FROM o.txn_date AND n.amount = o.amount AND "
            "upper(trim(n.supplier_name)) IS NOT DISTINCT FROM upper(trim(o.supplier_name))"
        )
        where = "TRUE"
        rows_new = facts.num_rows
    matcher = duckdb.connect()
    try:
        matcher.register(
            "_new", facts.select(["txn_date", "amount", "transaction_id", "supplier_name"])
        )
        if not other_partner:  # the partner's own file at this path is what it replaces
            stored = stored.filter(pc.not_equal(stored.column("source_file"), path))
        matcher.register("o", stored)
        # A semi join per stored file: each new row counts once however many rows match it.
        found = matcher.execute(
            f"""
            WITH n AS (SELECT row_number() OVER () AS i, * FROM _new AS n WHERE {where}),
            hits AS (SELECT DISTINCT o.source_file, o.source_hash, n.i FROM n JOIN o ON {key})
            SELECT source_file, source_hash, count(*) AS matched FROM hits
            GROUP BY source_file, source_hash ORDER BY matched DESC, source_file
            """
        ).fetchall()
    finally:
        matcher.close()
    return [
        Overlap(
            partner=partner,
            new_file=path,
            old_file=old_file,
            old_hash=old_hash,
            matched_on=matched_on,
            rows_matched=matched,
            rows_new=rows_new,
            amount_new=amount_new,
            amount_old=amounts_old.get(old_hash, Decimal("0.00")),
            likely=Decimal(matched) / Decimal(rows_new) >= threshold,
            old_partner=other_partner,
        )
        for old_file, old_hash, matched in found
        if matched and Decimal(matched) / Decimal(rows_new) >= floor
    ]
