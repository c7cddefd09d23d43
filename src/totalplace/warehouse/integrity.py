"""The integrity check: does every stored row belong to a live source, and do the sums match?

One GROUP BY query over the row tables, compared with the ``sources`` records (rows and
pennies loaded and quarantined per partner and source hash). Commands run it when they
open the warehouse (:func:`require_sound`); ``totalplace check`` prints it whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from totalplace.warehouse import access
from totalplace.warehouse.errors import IntegrityError
from totalplace.warehouse.schema import ROWS


@dataclass(frozen=True)
class SourceCheck:
    """What ``sources`` records for one (partner, source hash) and what the row tables hold."""

    partner: str
    source_hash: str
    source_file: str
    live: bool
    rows_recorded: int
    rows_found: int
    amount_recorded: Decimal
    amount_found: Decimal
    quarantined_recorded: int
    quarantined_found: int
    quarantined_amount_recorded: Decimal
    quarantined_amount_found: Decimal

    @property
    def problem(self) -> str | None:
        """Return what is wrong in plain words, or None when the source reconciles."""
        if not self.live:
            return (
                f"{self.rows_found:,} transaction and {self.quarantined_found:,} quarantined "
                "row(s) without a live source (left by an interrupted import; never read)"
            )
        wrong = []
        if (self.rows_found, self.amount_found) != (self.rows_recorded, self.amount_recorded):
            wrong.append(
                f"transactions {self.rows_found:,} rows £{self.amount_found:,.2f}, recorded "
                f"{self.rows_recorded:,} rows £{self.amount_recorded:,.2f}"
            )
        if (self.quarantined_found, self.quarantined_amount_found) != (
            self.quarantined_recorded,
            self.quarantined_amount_recorded,
        ):
            wrong.append(
                f"quarantine {self.quarantined_found:,} rows £{self.quarantined_amount_found:,.2f}, "
                f"recorded {self.quarantined_recorded:,} rows "
                f"£{self.quarantined_amount_recorded:,.2f}"
            )
        return "; ".join(wrong) or None

    def as_json(self) -> dict[str, Any]:
        """Return the check as JSON-ready values (amounts as decimal strings)."""
        return {
            "partner": self.partner,
            "source_hash": self.source_hash,
            "source_file": self.source_file,
            "live": self.live,
            "status": "problem" if self.problem else "ok",
            "problem": self.problem,
            "rows_recorded": self.rows_recorded,
            "rows_found": self.rows_found,
            "amount_recorded": f"{self.amount_recorded:.2f}",
            "amount_found": f"{self.amount_found:.2f}",
            "quarantined_recorded": self.quarantined_recorded,
            "quarantined_found": self.quarantined_found,
            "quarantined_amount_recorded": f"{self.quarantined_amount_recorded:.2f}",
            "quarantined_amount_found": f"{self.quarantined_amount_found:.2f}",
        }


@dataclass(frozen=True)
class IntegrityReport:
    """Every source's check; ``mismatched`` break the count, ``orphans`` are only dead weight."""

    checks: list[SourceCheck]

    @property
    def orphans(self) -> list[SourceCheck]:
        """Return the rows' sources that are not live (never read by any stage)."""
        return [c for c in self.checks if not c.live]

    @property
    def mismatched(self) -> list[SourceCheck]:
        """Return the live sources whose rows or sums differ from their record."""
        return [c for c in self.checks if c.live and c.problem]

    @property
    def sound(self) -> bool:
        """Return whether what every stage reads reconciles: each live source to its record.

        Rows without a live source (an import that never committed) are never read, so
        they do not make a warehouse unsound; :attr:`clean` says whether there are any.
        """
        return not self.mismatched

    @property
    def clean(self) -> bool:
        """Return whether the warehouse is sound and holds no rows without a live source."""
        return self.sound and not self.orphans


_CHECK_SQL = """
WITH s AS (
    SELECT partner, source_hash, min(source_file) AS source_file,
        sum(rows_loaded) AS n, sum(amount_loaded) AS a,
        sum(rows_quarantined) AS qn, sum(amount_quarantined) AS qa
    FROM sources GROUP BY partner, source_hash
), t AS (
    SELECT partner, source_hash, min(source_file) AS source_file, count(*) AS n, sum(amount) AS a
    FROM {transactions} GROUP BY partner, source_hash
), q AS (
    SELECT partner, source_hash, min(source_file) AS source_file, count(*) AS n,
        coalesce(sum(amount), 0) AS a
    FROM {quarantine} GROUP BY partner, source_hash
), st AS (
    SELECT coalesce(s.partner, t.partner) AS partner,
        coalesce(s.source_hash, t.source_hash) AS source_hash,
        coalesce(s.source_file, t.source_file) AS source_file, s.partner IS NOT NULL AS live,
        s.n, s.a, s.qn, s.qa, t.n AS tn, t.a AS ta
    FROM s FULL JOIN t ON s.partner = t.partner AND s.source_hash = t.source_hash
)
SELECT coalesce(st.partner, q.partner), coalesce(st.source_hash, q.source_hash),
    coalesce(st.source_file, q.source_file), coalesce(st.live, false),
    coalesce(st.n, 0), coalesce(st.tn, 0), coalesce(st.a, 0), coalesce(st.ta, 0),
    coalesce(st.qn, 0), coalesce(q.n, 0), coalesce(st.qa, 0), coalesce(q.a, 0)
FROM st FULL JOIN q ON st.partner = q.partner AND st.source_hash = q.source_hash
ORDER BY 1, 3, 2
"""


def rows_table(con: Any, view: str, tables: set[str] | None = None) -> str:
    """Return the physical table of ``transactions`` or ``quarantine`` (old warehouses: itself)."""
    tables = access.base_tables(con) if tables is None else tables
    return ROWS[view] if ROWS[view] in tables else view


def check(con: Any) -> IntegrityReport:
    """Return every source's rows and sums against its record, from one query (any engine)."""
    tables = access.base_tables(con)
    if "sources" not in tables:
        return IntegrityReport([])  # nothing imported into this warehouse yet
    sql = _CHECK_SQL.format(
        transactions=rows_table(con, "transactions", tables),
        quarantine=rows_table(con, "quarantine", tables),
    )
    return IntegrityReport(
        [
            SourceCheck(
                partner,
                source_hash,
                file,
                bool(live),
                int(n),
                int(tn),
                Decimal(a),
                Decimal(ta),
                int(qn),
                int(qfound),
                Decimal(qa),
                Decimal(qafound),
            )
            for partner, source_hash, file, live, n, tn, a, ta, qn, qfound, qa, qafound in (
                access.rows(con, sql)
            )
        ]
    )


def remove(con: Any, checks: list[SourceCheck]) -> int:
    """Delete these sources' records and rows (call inside a transaction); return rows removed.

    The records go first: on Spark, where nothing is rolled back, a crash after them
    leaves only rows no view reads (removed by the next import), never a live source
    short of its rows.
    """
    return remove_sources(con, [(c.partner, c.source_hash) for c in checks])


def remove_sources(con: Any, keys: list[tuple[str, str]]) -> int:
    """Delete the records and rows of these (partner, source_hash) sources; return rows removed."""
    if not keys:
        return 0
    condition, params = access.matching(keys)
    access.delete_where(con, "sources", condition, params)
    return remove_rows(con, keys)


def remove_rows(con: Any, keys: list[tuple[str, str]]) -> int:
    """Delete the rows of these (partner, source_hash) sources (records gone); return how many."""
    if not keys:
        return 0
    condition, params = access.matching(keys)
    removed = 0
    tables = access.base_tables(con)
    for view in ("transactions", "quarantine"):
        table = rows_table(con, view, tables)
        ((n,),) = access.rows(con, f"SELECT count(*) FROM {table} WHERE {condition}", params)
        if n:
            access.delete_where(con, table, condition, params)
        removed += int(n)
    return removed


def rebuild_advice(warehouse: Path | str) -> str:
    """Return the exact commands to keep the damaged warehouse and build a new one.

    ``warehouse`` is the DuckDB file, or the (masked) URL of a server's database.
    """
    if isinstance(warehouse, str) and "://" in warehouse or str(warehouse).startswith("spark"):
        return (
            f"make a new empty database, point [warehouse] url (or TOTALPLACE_WAREHOUSE_URL) "
            f"at it instead of {warehouse} and run 'totalplace import' (every table is derived "
            "from your files, so the import rebuilds it all; keep the old database until the "
            "new count is checked)"
        )
    warehouse = Path(warehouse)
    kept = warehouse.with_name(f"{warehouse.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
    return (
        f"keep a copy and rebuild: mv '{warehouse}' '{kept}' && totalplace import "
        "(every table is derived from your files, so the import rebuilds it all; "
        "never delete the copy until the new count is checked)"
    )


def describe(report: IntegrityReport, warehouse: Path | str) -> str:
    """Return the integrity failure in words, with what to do."""
    bad = report.mismatched
    first = bad[0]
    return (
        f"the warehouse {warehouse} does not reconcile to its sources: {len(bad)} source(s) hold "
        f"rows or sums other than recorded (e.g. {first.partner} {first.source_file}: "
        f"{first.problem}). No figure is given from it. What to do: run 'totalplace check' "
        "to see every source, then 'totalplace check --repair' to remove those sources and "
        "their rows and 'totalplace import' to load their files again; or "
        + rebuild_advice(warehouse)
    )


def require_sound(con: Any, warehouse: Path | str) -> IntegrityReport:
    """Return the check, or raise IntegrityError if a live source does not reconcile.

    Rows without a live source do not fail it: no stage reads them.
    """
    report = check(con)
    if report.mismatched:
        raise IntegrityError(describe(report, warehouse))
    return report
