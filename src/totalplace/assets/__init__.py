"""Assets: the partners' land and building registers, and buildings of different bodies close together.

:func:`assets` loads the registers place.toml declares ([[assets]]), finds buildings of
different bodies within a walking distance and the clusters they form, estimates the
premises spend behind each, and writes ``assets``, ``asset_pairs``,
``asset_cluster_members`` and ``asset_clusters``. Design note:
``docs/decisions/0019-assets-and-co-location.md``.
"""

from totalplace.assets.colocate import DEFAULT_RADIUS_M, RADIUS_SOURCE
from totalplace.assets.result import AssetsResult
from totalplace.assets.run import TABLES, AssetsError, assets, find_on

__all__ = [
    "DEFAULT_RADIUS_M",
    "RADIUS_SOURCE",
    "TABLES",
    "AssetsError",
    "AssetsResult",
    "assets",
    "find_on",
]
