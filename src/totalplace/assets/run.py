"""Find buildings of different bodies close together: load the registers, write the ``asset*`` tables.

Writes, each replaced on every run inside one transaction:

* ``assets`` -- every register row, located or not, with why a row is not used;
* ``asset_pairs`` -- buildings of different bodies within the radius (or at one postcode);
* ``asset_cluster_members`` -- each building in a cluster, with its running-cost estimate;
* ``asset_clusters`` -- one row per cluster: bodies, buildings, span, size, uses, cost.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from totalplace import stages
from totalplace.assets.colocate import DEFAULT_RADIUS_M, RADIUS_SOURCE, members_table, pairs
from totalplace.assets.costs import SOURCE, premises_spend, spread_costs
from totalplace.assets.registers import load_registers
from totalplace.assets.result import AssetsResult
from totalplace.errors import UsageError, WorkspaceStateError
from totalplace.warehouse import replace_table, transaction
from totalplace.workspace import PLACE_FILE, Workspace

__all__ = ["MAX_RADIUS_M", "TABLES", "AssetsError", "assets", "find_on"]

TABLES = ("assets", "asset_pairs", "asset_cluster_members", "asset_clusters")
MAX_RADIUS_M = 5_000.0

_MEMBER_COLUMNS = (
    "cluster_id",
    "asset_key",
    "body",
    "partner",
    "asset_id",
    "name",
    "postcode",
    "lat",
    "lon",
    "easting",
    "northing",
    "located_by",
    "size_m2",
    "use",
    "tenure",
    "running_cost",
    "running_cost_method",
    "running_cost_source",
    "source_file",
    "source_row",
)


class AssetsError(WorkspaceStateError):
    """The workspace declares no asset registers; the message says how to add one."""


class RadiusError(UsageError):
    """A radius that is not a walking distance in metres."""


def assets(workspace: Workspace, radius_m: float = DEFAULT_RADIUS_M) -> AssetsResult:
    """Load the registers, find the clusters within ``radius_m`` metres, write the tables; return them.

    Raises AssetsError without [[assets]] in place.toml, RadiusError for a radius not
    above 0 or above 5 km, RegisterFileError for a file missing or unreadable, and
    StageStale if the count (read for premises spend) is out of date.
    """
    from totalplace.warehouse import connect

    _check(workspace, radius_m)
    con = connect(workspace)
    try:
        return find_on(con, workspace, radius_m)
    finally:
        con.disconnect()


def _check(workspace: Workspace, radius_m: float) -> None:
    if not workspace.assets:
        raise AssetsError(
            f"{workspace.root / PLACE_FILE} declares no asset registers; add one block per "
            'register, e.g. [[assets]] then body = "Lancashire County Council" and '
            'files = ["data/assets/property_assets.json"] on the lines below it.'
        )
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise RadiusError(
            f"--radius {radius_m:g} is not a walking distance: give metres above 0 and at most "
            f"{MAX_RADIUS_M:g} (the default, {DEFAULT_RADIUS_M:g} m, is a 5-minute walk)."
        )


def _clusters(members: ir.Table, pair_rows: ir.Table) -> ir.Table:
    m = members
    by_cluster = m.group_by("cluster_id").aggregate(
        bodies=m.body.collect(distinct=True).sort().join(", "),
        body_count=m.body.nunique(),
        buildings=m.count(),
        partners=m.partner.nunique(),
        size_m2=m.size_m2.sum().round(1),
        sized_buildings=m.size_m2.count(),
        uses=m.use.collect(distinct=True).sort().join(", "),
        span_m=(
            (m.easting.max() - m.easting.min()) ** 2 + (m.northing.max() - m.northing.min()) ** 2
        )
        .sqrt()
        .round(1),
        lat=m.lat.mean().round(6),
        lon=m.lon.mean().round(6),
        running_cost=m.running_cost.sum(),
        costed_buildings=m.running_cost.count(),
    )
    first = m.select(asset_a=m.asset_key, cluster_id=m.cluster_id)
    kinds = pair_rows.join(first, "asset_a")
    kinds = kinds.group_by("cluster_id").aggregate(
        pairs=kinds.count(),
        postcode_pairs=(kinds.confidence == "postcode").sum(),
    )
    out = by_cluster.join(kinds, "cluster_id")
    return out.mutate(
        confidence=ibis.ifelse(out.postcode_pairs > 0, "postcode", "coordinates"),
        running_cost_method=ibis.ifelse(
            out.costed_buildings > 0,
            "estimate: the sum of its partners' buildings' shares of premises spend",
            "no partner's building: no counted spend",
        ),
    ).order_by(
        [
            ibis.desc(out.running_cost.fill_null(0)),
            ibis.desc(out.body_count),
            ibis.desc(out.buildings),
            out.cluster_id,
        ]
    )


def find_on(con: Any, workspace: Workspace, radius_m: float = DEFAULT_RADIUS_M) -> AssetsResult:
    """Find the clusters on an open warehouse connection, write the ``asset*`` tables; see :func:`assets`."""
    _check(workspace, radius_m)
    table, summaries = load_registers(workspace)
    spend = premises_spend(con, workspace)
    cost, method = spread_costs(table, spend)
    table = table.append_column("running_cost", cost).append_column("running_cost_method", method)
    table = table.append_column(
        "running_cost_source", pa.array([SOURCE] * table.num_rows, pa.string())
    )
    every = ibis.memtable(table)
    pair_rows = pairs(every, radius_m).order_by(["asset_a", "asset_b"]).to_pyarrow()
    membership = members_table(pair_rows)
    joined = ibis.memtable(membership).join(every, "asset_key")
    members = joined.select(*_MEMBER_COLUMNS).order_by(["cluster_id", "body", "asset_key"])
    member_rows = members.to_pyarrow()
    cluster_rows = _clusters(ibis.memtable(member_rows), ibis.memtable(pair_rows)).to_pyarrow()
    pair_rows = pair_rows.append_column(
        "radius_m", pa.array([radius_m] * pair_rows.num_rows, pa.float64())
    )
    written = {
        "assets": table,
        "asset_pairs": pair_rows,
        "asset_cluster_members": member_rows,
        "asset_clusters": cluster_rows,
    }
    with transaction(con):
        for name, data in written.items():
            replace_table(con, name, data)
    stages.record(con, workspace, "assets")
    notes = [
        f"Buildings of different bodies within {radius_m:g} m of each other ({RADIUS_SOURCE}); "
        "a building located only by postcode pairs with another at the same full postcode.",
        "Running costs are estimates: each partner's counted premises spend "
        f"({spend.financial_year or 'none'}) spread over its located buildings in the place by "
        "floor area. Bodies that are not partners have no counted spend here.",
    ]
    if spend.note:
        notes.append(spend.note[0].upper() + spend.note[1:] + ".")
    if workspace.place.areas and any(
        len(c) > 9 or c.startswith("E05") for c in workspace.place.areas
    ):
        notes.append(
            "The place is some wards: registers rarely name wards, so assets are kept by district."
        )
    return AssetsResult(
        place={"code": workspace.place.code, "name": workspace.place.name},
        radius_m=radius_m,
        radius_source=RADIUS_SOURCE,
        premises_year=spend.financial_year,
        registers=summaries,
        clusters=cluster_rows.to_pylist(),
        members=member_rows.to_pylist(),
        pairs=pair_rows.num_rows,
        tables={name: data.num_rows for name, data in written.items()},
        notes=notes,
    )
