"""Buildings of different bodies close together: pairs within a radius, and the clusters they form.

Pairs are found in the warehouse (Ibis): each building's National Grid square of side
the radius, joined to the nine squares around it, then the exact distance in metres
kept where it is within the radius -- no spatial extension, no loop over rows. A
building located only by its postcode pairs with another body's building at the same
full postcode (confidence "postcode"; a postcode unit is about 15 addresses).
Clusters are the connected components of the pairs, found by label propagation over
the pair list with NumPy (each building takes the smallest label among its
neighbours until none changes).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

__all__ = ["DEFAULT_RADIUS_M", "RADIUS_SOURCE", "cluster_labels", "members_table", "pairs"]

#: 400 m: the walking distance the Chartered Institution of Highways & Transportation
#: gives as "desirable" for walking to local facilities (CIHT, *Guidelines for Providing
#: for Journeys on Foot*, 2000, table 3.2), the usual 5-minute walk of planning guidance.
DEFAULT_RADIUS_M = 400.0
RADIUS_SOURCE = (
    "CIHT, Guidelines for Providing for Journeys on Foot (2000), table 3.2: 400 m desirable "
    "walking distance to local facilities (a 5-minute walk)"
)

#: The nine National Grid squares around a building's own (which is (0, 0)).
_OFFSETS = tuple((dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def _candidates(assets: ir.Table) -> ir.Table:
    """Return the located buildings in the place: the rows pairs are drawn from."""
    return assets.filter(
        (assets.place_status == "in place") & assets.is_building & assets.located_by.notnull()
    ).select("asset_key", "body_slug", "easting", "northing", "postcode", "located_by")


def pairs(assets: ir.Table, radius_m: float) -> ir.Table:
    """Return an Ibis table of pairs of buildings of different bodies within ``radius_m`` metres
    (asset_a < asset_b, distance_m; NULL distance for a same-postcode pair) with their confidence."""
    c = _candidates(assets)
    located = c.filter(c.located_by == "coordinates").mutate(
        cx=(c.easting / radius_m).floor().cast("int64"),
        cy=(c.northing / radius_m).floor().cast("int64"),
    )
    # Each building once per square around (and including) its own: nine copies.
    a = ibis.union(
        *(
            located.select(
                key_a=located.asset_key,
                body_a=located.body_slug,
                e_a=located.easting,
                n_a=located.northing,
                tx=located.cx + dx,
                ty=located.cy + dy,
            )
            for dx, dy in _OFFSETS
        ),
        distinct=False,
    )
    other = located.view()  # a self-join needs its second side as a view
    b = other.select(
        key_b=other.asset_key,
        body_b=other.body_slug,
        e_b=other.easting,
        n_b=other.northing,
        cx=other.cx,
        cy=other.cy,
    )
    near = a.join(
        b,
        [a.tx == b.cx, a.ty == b.cy, a.key_a < b.key_b, a.body_a != b.body_b],
    )
    near = near.mutate(distance_m=((near.e_a - near.e_b) ** 2 + (near.n_a - near.n_b) ** 2).sqrt())
    near = near.filter(near.distance_m <= radius_m).select(
        asset_a=near.key_a,
        asset_b=near.key_b,
        distance_m=near.distance_m.round(1),
        confidence=ibis.literal("coordinates"),
    )
    pc = c.filter(c.postcode.notnull())
    left = pc.select(key_a=pc.asset_key, body_a=pc.body_slug, pc_a=pc.postcode, by_a=pc.located_by)
    pv = pc.view()
    right = pv.select(key_b=pv.asset_key, body_b=pv.body_slug, pc_b=pv.postcode, by_b=pv.located_by)
    same = left.join(
        right,
        [
            left.pc_a == right.pc_b,
            left.key_a < right.key_b,
            left.body_a != right.body_b,
        ],
    )
    # Both with coordinates: the distance decides (above), not the postcode.
    same = same.filter((same.by_a == "postcode") | (same.by_b == "postcode")).select(
        asset_a=same.key_a,
        asset_b=same.key_b,
        distance_m=ibis.null().cast("float64"),
        confidence=ibis.literal("postcode"),
    )
    return near.union(same)


def cluster_labels(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (node, label) arrays: each node of the pair list and its component's smallest node.

    Label propagation over the edges, vectorised: every round each node takes the
    smallest label of itself and its neighbours, then labels jump to their label's
    label; it stops when nothing changes (at most the longest path's length rounds).
    """
    nodes, index = np.unique(np.concatenate([a, b]), return_inverse=True)
    u, v = index[: len(a)], index[len(a) :]
    labels = np.arange(len(nodes))
    while True:
        before = labels.copy()
        low = np.minimum(labels[u], labels[v])
        np.minimum.at(labels, u, low)
        np.minimum.at(labels, v, low)
        labels = labels[labels]
        if np.array_equal(labels, before):
            return nodes, nodes[labels]


def members_table(pair_rows: pa.Table) -> pa.Table:
    """Return (asset_key, cluster_id) of every building in a pair, clusters numbered 1.. in order
    of their smallest asset_key."""
    a = pair_rows.column("asset_a").to_numpy(zero_copy_only=False)
    b = pair_rows.column("asset_b").to_numpy(zero_copy_only=False)
    if len(a) == 0:
        return pa.table(
            {"asset_key": pa.array([], pa.int64()), "cluster_id": pa.array([], pa.int64())}
        )
    nodes, roots = cluster_labels(a, b)
    _, cluster = np.unique(roots, return_inverse=True)
    return pa.table(
        {"asset_key": pa.array(nodes, pa.int64()), "cluster_id": pa.array(cluster + 1, pa.int64())}
    )
