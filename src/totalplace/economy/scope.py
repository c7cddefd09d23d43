"""The lines the local economy is measured on: the count's spend with suppliers.

The opportunities stage's scope (:func:`totalplace.opportunities.scope.scope_lines`):
counted lines only, transfers to partners and money passed on excluded as the count
excludes them, each with its place share, category and supplier (the register's where
``totalplace link`` has run). Of those, spend with suppliers is every line whose
subjective group is not a transfer payment, income or capital financing; payees that
are redacted or withheld stay in, with no supplier (their location is unknown).
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from totalplace.opportunities import load_categories
from totalplace.opportunities.scope import NOT_PROCUREMENT_SUBJECTIVES, check_ready, scope_lines
from totalplace.workspace import Workspace

__all__ = ["supplier_lines"]


def supplier_lines(con: Any, workspace: Workspace, fy_start_year: int | None) -> ir.Table:
    """Return the counted spend-with-suppliers lines (of one year, or all) with supplier_postcode.

    Columns are :func:`~totalplace.opportunities.scope.scope_lines`' plus
    ``supplier_postcode`` (as published, often null). Raises StageNotRun/StageStale
    unless classify and count (and link, once it has run) are up to date.
    """
    check_ready(con, workspace)
    lines, _ = scope_lines(con, workspace, fy_start_year, load_categories(workspace))
    spend = ~lines.subjective.isin(list(NOT_PROCUREMENT_SUBJECTIVES)).fill_null(False)
    lines = lines.filter(spend)
    postcodes = con.table("transactions").select("txn_key", "supplier_postcode")
    return lines.left_join(postcodes, "txn_key").drop("txn_key_right")
