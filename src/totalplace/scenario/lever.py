"""What every lever shares: its ranged parameters, its phasing, and the money streams it returns.

A lever is built once from its ``[[levers]]`` table (checked, with the place's figures
it starts from) and then evaluated many times: for the central case, for each of the
Monte Carlo draws at once (every parameter an array of draws), and for each coalition
of partners (the Shapley gain-share asks what a lever is worth to every subset of
partners). So a lever holds no state between evaluations: :meth:`Lever.streams` takes
the parameter values and the partners taking part, and returns arrays of shape (D, H).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from totalplace.scenario.spec import LeverTable, Ranged, Reader

__all__ = [
    "KINDS",
    "COST_KINDS",
    "Frame",
    "Lever",
    "Param",
    "Stream",
    "phasing",
]

#: The kinds of money a stream carries (costs positive when spent, benefits when gained).
KINDS = (
    "capital_cost",
    "revenue_cost",
    "fiscal_cashable",
    "fiscal_non_cashable",
    "economic",
    "social",
)
COST_KINDS = ("capital_cost", "revenue_cost")


@dataclass(frozen=True)
class Param:
    """One ranged input of a lever: its id (unique in the scenario), label, range and source."""

    id: str
    label: str
    range: Ranged
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the parameter for a JSON document."""
        r = self.range
        return {
            "id": self.id,
            "label": self.label,
            "low": r.low,
            "central": r.central,
            "high": r.high,
            "unit": self.unit,
            "source": r.source,
        }


@dataclass(frozen=True)
class Stream:
    """Money of one kind to (or from) one agency, per draw and year: ``amounts`` is (D, H).

    ``item`` says what it is (a back-office function, an outcome's unit-cost code ...) and
    ``source`` where its figures come from (warehouse table and rows, cited parameter).
    """

    lever: str
    item: str
    kind: str
    agency: str
    amounts: np.ndarray
    source: str = ""


@dataclass(frozen=True)
class Frame:
    """What every lever is built against: the partners, the years and the prices."""

    partners: tuple[str, ...]  # place.toml names, in order
    sectors: Mapping[str, str]  # partner name -> sector
    horizon: int
    start_year: int  # financial year of t = 0
    baseline_year: int
    price_base: int
    themes: tuple[str, ...] = ()


class Lever(Protocol):
    """A lever: built from its table; evaluated with parameter values and the partners taking part."""

    @property
    def name(self) -> str:
        """Return the lever's name (unique in its scenario)."""
        ...

    @property
    def kind(self) -> str:
        """Return the lever's type."""
        ...

    def parameters(self) -> list[Param]:
        """Return the lever's ranged inputs (ids unique in the scenario)."""
        ...

    def streams(self, values: Mapping[str, np.ndarray], members: np.ndarray) -> list[Stream]:
        """Return the lever's streams for parameter ``values`` (each (D,)) when only the partners
        in ``members`` (a boolean mask over the frame's partners) take part."""
        ...

    def describe(self) -> dict[str, Any]:
        """Return what the lever was built from (for the JSON document and the workbook)."""
        ...


PHASING_KEYS = ("start", "ramp_up", "duration")


def read_phasing(
    reader: Reader, lever: LeverTable, horizon: int
) -> tuple[int, tuple[float, ...], int]:
    """Return (start, ramp_up, duration) of a lever: the year it starts (0 = the first year),
    the fractions of its full effect in its first years, and how many years it lasts."""
    table, path = lever.table, lever.path
    start = reader.whole(table, "start", path, 0, max(horizon - 1, 0), 0)
    ramp: list[float] = []
    raw = table.get("ramp_up", [])
    if not isinstance(raw, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in raw
    ):
        reader.fault(
            (*path, "ramp_up"), "ramp_up must be a list of fractions from 0 to 1, e.g. [0.5, 1]"
        )
    else:
        ramp = [float(v) for v in raw]
    duration = reader.whole(table, "duration", path, 1, horizon, horizon - start)
    return start, tuple(ramp), duration


def read_cost_bias(reader: Reader, lever: LeverTable) -> Ranged | None:
    """Return the lever's ``cost_optimism_bias``: the uplift on its costs (0 to 2; none stated: 0)."""
    return reader.ranged(
        lever.table,
        "cost_optimism_bias",
        lever.path,
        default=Ranged.point(0.0, "none stated"),
        low=0.0,
        high=2.0,
    )


def phasing(horizon: int, start: int, ramp_up: Sequence[float], duration: int) -> np.ndarray:
    """Return the share of a lever's full yearly effect in each year (H,): 0 before ``start``,
    the ``ramp_up`` fractions in its first years, 1 after, 0 once ``duration`` years have run."""
    share = np.zeros(horizon)
    end = min(horizon, start + duration)
    share[start:end] = 1.0
    for offset, fraction in enumerate(ramp_up):
        if start + offset < end:
            share[start + offset] = fraction
    return share


def one_off(horizon: int, year: int, spread: int = 1) -> np.ndarray:
    """Return the share of a one-off amount in each year (H,): spread evenly over ``spread`` years."""
    share = np.zeros(horizon)
    end = min(horizon, year + max(spread, 1))
    share[year:end] = 1.0 / max(spread, 1)
    return share
