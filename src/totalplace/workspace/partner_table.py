"""The workspace's partners as a small Arrow table, for engines to join rather than branch on.

A place of every English body has hundreds of partners: a ``CASE`` with a branch per
partner, evaluated on every transaction, grows the work with the partners. A join
against this table costs the same for 3 partners or 400.
"""

from __future__ import annotations

import pyarrow as pa

from totalplace.workspace.model import Workspace


def partners_table(workspace: Workspace) -> pa.Table:
    """Return one row per partner: ``partner`` (slug), ``sector`` and ``fy_start_month``."""
    partners = workspace.partners
    return pa.table(
        {
            "partner": pa.array([p.slug for p in partners], pa.string()),
            "sector": pa.array([p.sector for p in partners], pa.string()),
            "fy_start_month": pa.array([p.fy_start_month for p in partners], pa.int64()),
        }
    )
