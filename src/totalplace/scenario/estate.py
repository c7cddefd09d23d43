"""Asset rationalisation and co-location: clusters of buildings close together, turned into a lever.

``totalplace assets`` finds buildings of different bodies within walking distance and
estimates the premises running cost behind each partner's buildings. A scenario picks
clusters by number; each partner with buildings in them saves a share of their running
cost a year (fewer buildings, shared reception, one set of utilities), may sell what is
freed (a one-off receipt, cashable, to the partners in proportion to their running
cost there, or to the partner the file names), and pays its share of the one-off cost
of moving. A partner's buildings count once it takes part: co-location with a body that
is not a partner (a GP practice) still saves the partner's own running costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from totalplace.scenario.baseline import Baseline
from totalplace.scenario.lever import Frame, Param, Stream, one_off
from totalplace.scenario.sharing import COMMON_KEYS, SharingLever, build_sharing
from totalplace.scenario.spec import LeverTable, Ranged, Reader

__all__ = ["EstateLever", "build_estate"]

KEYS = (
    *COMMON_KEYS,
    "clusters",
    "running_cost_saving",
    "disposal_receipts",
    "disposal_year",
    "receipts_to",
)


@dataclass(frozen=True)
class EstateLever:
    """Running costs of the chosen clusters saved, receipts from disposals, the cost of moving."""

    saving: SharingLever
    receipts: Param
    year: int
    receipt_shares: Mapping[str, float]
    clusters: tuple[str, ...]

    @property
    def name(self) -> str:
        """Return the lever's name."""
        return self.saving.name

    @property
    def kind(self) -> str:
        """Return the lever's type."""
        return "assets"

    def parameters(self) -> list[Param]:
        """Return the saving rate, cashable share, cost inputs and the receipts."""
        return [*self.saving.parameters(), self.receipts]

    def streams(self, values: Mapping[str, np.ndarray], members: np.ndarray) -> list[Stream]:
        """Return each taking-part partner's running-cost saving, receipts and moving cost."""
        out = self.saving.streams(values, members)
        frame = self.saving.frame
        profile = one_off(frame.horizon, self.year)
        for i, partner in enumerate(frame.partners):
            share = self.receipt_shares.get(partner, 0.0)
            if members[i] and share:
                amounts = (values[self.receipts.id] * share)[:, None] * profile[None, :]
                source = f"disposal receipts, clusters {', '.join(self.clusters)}"
                out.append(
                    Stream(
                        self.name, "disposal receipts", "fiscal_cashable", partner, amounts, source
                    )
                )
        return out

    def describe(self) -> dict[str, Any]:
        """Return the clusters, the running costs by partner and the receipts' split."""
        return self.saving.describe() | {
            "type": "assets",
            "clusters": list(self.clusters),
            "disposal_year": self.year,
            "receipts_to": dict(self.receipt_shares),
        }


def build_estate(
    reader: Reader, lever: LeverTable, frame: Frame, baseline: Baseline
) -> EstateLever | None:
    """Return an assets lever for the clusters the file names, from ``totalplace assets``' tables."""
    table, path = lever.table, lever.path
    reader.unknown_keys(table, KEYS, path, f"the assets lever {lever.name!r}")
    given = table.get("clusters")
    if not isinstance(given, list) or not given:
        reader.fault(
            (*path, "clusters"),
            "clusters is missing: a list of cluster numbers from `totalplace assets`, e.g. [1, 3]",
        )
        return None
    chosen = [str(c) for c in given]
    for cluster in chosen:
        if cluster not in baseline.clusters:
            known = (
                ", ".join(
                    sorted(baseline.clusters, key=lambda c: int(c) if c.isdigit() else 0)[:20]
                )
                or "none"
            )
            reader.fault(
                (*path, "clusters"),
                f"there is no cluster {cluster} in the assets tables; the clusters are {known}",
            )
    spend = {(p, c): v for (p, c), v in baseline.estate.items() if c in chosen}
    rate = reader.ranged(table, "running_cost_saving", path, low=0.0, high=1.0)
    # The running costs are the lever's spend, one item per cluster, one rate for all of them.
    shaped = (
        dict(table) | {"saving_rate": [rate.low, rate.central, rate.high]} if rate else dict(table)
    )
    for key in (
        "clusters",
        "running_cost_saving",
        "disposal_receipts",
        "disposal_year",
        "receipts_to",
    ):
        shaped.pop(key, None)
    rates = {c: (0, 0, 0, "") for c in chosen}
    saving = build_sharing(
        reader, LeverTable(lever.index, "assets", lever.name, shaped), frame, spend, rates,  # type: ignore[arg-type]
        "clusters", baseline.sources.get("assets", ""), min_members=1,
    )  # fmt: skip
    receipts = reader.ranged(
        table, "disposal_receipts", path, default=Ranged.point(0.0, "none"), low=0.0
    )
    year = reader.whole(table, "disposal_year", path, 0, max(frame.horizon - 1, 0), 0)
    owners = table.get("receipts_to")
    if owners is None:
        costs = {p: float(sum(v for (q, _), v in spend.items() if q == p)) for p, _ in spend}
        whole = sum(costs.values())
        shares = {p: v / whole for p, v in costs.items()} if whole else {}
    elif isinstance(owners, str) and owners in frame.partners:
        shares = {owners: 1.0}
    else:
        reader.fault(
            (*path, "receipts_to"),
            f"receipts_to must be one partner's name: {', '.join(frame.partners)}",
        )
        shares = {}
    return EstateLever(
        saving=saving,
        receipts=Param(
            f"{lever.name}: disposal receipts",
            f"{lever.name}: one-off receipts from disposals",
            receipts or Ranged.point(0.0),
            "£",
        ),
        year=year,
        receipt_shares=shares,
        clusters=tuple(chosen),
    )
