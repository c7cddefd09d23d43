"""Check payment integrity: run every detector on the payments, write the integrity tables, return them.

The detectors are a plain list (:data:`DETECTORS`): each is ``detect(payments,
params) -> Found``. Their findings and members are written together as
``integrity_findings`` and ``integrity_members``, beside ``integrity_repeats`` (the
regular series set apart), ``integrity_benford`` (the first-digit test of every
partner and supplier tested), ``integrity_concentration`` (HHI and top shares per
category) and ``integrity_parameters`` (every threshold in force with its reason), in
one transaction; then the run is recorded (``stages.record``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from totalplace import stages
from totalplace.integrity import duplicates, splits
from totalplace.integrity.benford import benford_table, detect_benford
from totalplace.integrity.concentration import (
    concentration_table,
    detect_concentration,
    detect_dependency,
)
from totalplace.integrity.params import Params, load_params
from totalplace.integrity.patterns import detect_one_off, detect_round_numbers, detect_year_end
from totalplace.integrity.payments import IntegrityError, check_ready, payments
from totalplace.integrity.result import Integrity
from totalplace.integrity.standing import repeat_members, repeats
from totalplace.integrity.tables import Found, settled, union_found
from totalplace.warehouse import connect, replace_table, transaction
from totalplace.workspace import Workspace
from totalplace.years import parse_year, year_label

__all__ = ["DETECTORS", "TABLES", "Detector", "find_on", "integrity", "write_tables"]

Detector = Callable[[ir.Table, Params], Found]

#: The detectors, by the name ``--detector`` takes (a finding's detector label starts with
#: it: 'duplicate (exact)' is of 'duplicates', see tables.family).
DETECTORS: list[tuple[str, Detector]] = [
    ("duplicates", duplicates.detect),
    ("splits", splits.detect),
    ("round_numbers", detect_round_numbers),
    ("year_end", detect_year_end),
    ("one_off", detect_one_off),
    ("benford", detect_benford),
    ("concentration", detect_concentration),
    ("dependency", detect_dependency),
]

#: Tables written by :func:`integrity`.
TABLES: tuple[str, ...] = (
    "integrity_findings",
    "integrity_members",
    "integrity_repeats",
    "integrity_benford",
    "integrity_concentration",
    "integrity_parameters",
)


def integrity(
    workspace: Workspace,
    year: int | str | None = None,
    detectors: Sequence[str] | None = None,
    params: Params | None = None,
) -> Integrity:
    """Run the detectors on the workspace's payments, write the integrity tables and return them.

    ``year`` (2024-25 or 2024) keeps one financial year's payments; ``detectors`` names
    some of :data:`DETECTORS` (default all); ``params`` default to :func:`load_params`.
    Raises UsageError for an unknown detector, YearError for a malformed year,
    IntegrityError if nothing is imported or the year has no payments, StageNotRun or
    StageStale if count (or link, once run) is missing or out of date,
    IntegrityParamsError for a wrong integrity.toml.
    """
    start = parse_year(year)
    params = params or load_params(workspace)
    con = connect(workspace)
    try:
        return find_on(con, workspace, start, detectors, params)
    finally:
        con.disconnect()


def _chosen(detectors: Sequence[str] | None) -> list[tuple[str, Detector]]:
    from totalplace.errors import UsageError

    names = [n for n, _ in DETECTORS]
    unknown = [d for d in detectors or () if d not in names]
    if unknown:
        raise UsageError(f"unknown detector {unknown[0]!r}; the detectors are: " + ", ".join(names))
    return [(n, d) for n, d in DETECTORS if not detectors or n in detectors]


def _parameters_table(params: Params) -> pa.Table:
    rows = [
        {"parameter": name, "value": str(item["value"]), "source": item["source"]}
        for name, item in params.as_json().items()
        if isinstance(item, dict) and "value" in item
    ]
    rows += [
        {
            "parameter": f"split_thresholds_by_partner.{slug}",
            "value": str(ts),
            "source": "integrity.toml",
        }
        for slug, ts in params.as_json()["split_thresholds_by_partner"].items()
    ]
    return pa.Table.from_pylist(
        rows, schema=pa.schema([(c, pa.string()) for c in ("parameter", "value", "source")])
    )


def write_tables(
    con: Any,
    pay: ir.Table,
    params: Params,
    detectors: Sequence[str] | None = None,
) -> None:
    """Run ``detectors`` (default all) on the payments table ``pay`` and write :data:`TABLES` in one transaction.

    ``pay`` has the columns of the stage's payments view (:func:`payments`); the caller
    records the stage run after.
    """
    chosen = _chosen(detectors)
    found = union_found([settled(detect(pay, params)) for _, detect in chosen])
    members = repeat_members(pay, params)
    exprs: dict[str, Any] = {
        "integrity_findings": found.findings,
        "integrity_members": found.members,
        "integrity_repeats": repeats(pay, members, params),
        "integrity_benford": benford_table(pay, params),
        "integrity_concentration": concentration_table(pay, params),
        "integrity_parameters": ibis.memtable(_parameters_table(params)),
    }
    with transaction(con):
        for name, table in exprs.items():
            replace_table(con, name, table)


def find_on(
    con: Any,
    workspace: Workspace,
    start: int | None = None,
    detectors: Sequence[str] | None = None,
    params: Params | None = None,
) -> Integrity:
    """Run the detectors on an open connection, write the integrity tables, return the result."""
    chosen = _chosen(detectors)
    params = params or load_params(workspace)
    check_ready(con, workspace)
    pay = payments(con, workspace)
    if start is not None:
        pay = pay.filter(pay.fy_start_year == start)
        if int(pay.count().to_pyarrow().as_py() or 0) == 0:
            raise IntegrityError(
                f"no payments of this workspace's partners in financial year {year_label(start)}"
            )
    # Every detector reads the payments: computed once (a temporary table on DuckDB and
    # PostgreSQL, a cached DataFrame on Spark).
    pay = pay.cache()
    write_tables(con, pay, params, [n for n, _ in chosen])
    stages.record(con, workspace, "integrity")
    years = pay.select("fy_start_year").distinct().to_pyarrow().column(0).to_pylist()
    pay.release()
    return Integrity(
        place={
            "code": workspace.place.code,
            "name": workspace.place.name,
            "partners": {p.slug: p.name for p in workspace.partners},
        },
        financial_years=[year_label(y) for y in sorted(y for y in years if y is not None)],
        detectors=[n for n, _ in chosen],
        params=params,
        findings=con.table("integrity_findings")
        .order_by([ibis.desc("money_at_stake"), "finding_id"])
        .to_pyarrow()
        .to_pylist(),
        repeats=con.table("integrity_repeats")
        .order_by(ibis.desc("total"))
        .to_pyarrow()
        .to_pylist(),
    )
