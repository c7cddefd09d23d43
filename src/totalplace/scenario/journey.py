"""A costed customer journey as an early-intervention lever: ``[[levers]] type = "journey"``.

The journey file (``file = "journeys/falls.toml"``, relative to the workspace) gives each
agency's yearly cost of the cohort today and redesigned (:mod:`totalplace.journey`). While
the lever runs, each year's cohort takes the redesigned path: an agency that pays more
bears the difference as a revenue cost (uplifted for optimism bias); one that pays less
gains it as a fiscal benefit (less the optimism bias of the journey's data-confidence
grade), cashable in the share the file gives. ``take_up`` scales both (the share of the
cohort the redesign reaches). Prices move from the journey's price year to the
scenario's price base with the GDP deflator. The redesign runs only if every partner
that pays more for it takes part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from totalplace.journey import JourneyResult
from totalplace.scenario.lever import Frame, Param, Stream, phasing, read_cost_bias, read_phasing
from totalplace.scenario.parameters import benefit_bias, price_factor, read_confidence
from totalplace.scenario.spec import LeverTable, Ranged, Reader

__all__ = ["JourneyLever", "build_journey"]

LEVER_KEYS = (
    "type",
    "name",
    "file",
    "take_up",
    "cashable",
    "confidence_grade",
    "cost_optimism_bias",
    "start",
    "ramp_up",
    "duration",
)


@dataclass(frozen=True)
class JourneyLever:
    """A redesigned journey: each agency's yearly difference, phased, as costs or benefits."""

    name: str
    kind: str
    frame: Frame
    journey: JourneyResult
    differences: Mapping[str, float]  # agency -> redesigned - current a year, at the price base
    factor: float  # GDP-deflator uplift from the journey's price year to the price base
    take_up: Param
    cashable: Param
    cost_bias: Param
    bias: float
    grade: int
    share: np.ndarray  # (H,) share of a full year's cohort on the redesigned path

    def parameters(self) -> list[Param]:
        """Return the take-up, cashable share and cost optimism bias."""
        return [self.take_up, self.cashable, self.cost_bias]

    def streams(self, values: Mapping[str, np.ndarray], members: np.ndarray) -> list[Stream]:
        """Return each agency's cost (pays more) or fiscal benefit (pays less) per draw and year."""
        frame = self.frame
        payers = [a for a, d in self.differences.items() if d > 0 and a in frame.partners]
        if not all(members[frame.partners.index(a)] for a in payers):
            return []
        reach = values[self.take_up.id][:, None] * self.share[None, :]  # (D, H)
        source = self.journey.citation
        out: list[Stream] = []
        for agency, difference in self.differences.items():  # a handful of agencies
            item = f"journey: {agency}"
            if difference > 0:
                cost = reach * difference * (1 + values[self.cost_bias.id][:, None])
                out.append(Stream(self.name, item, "revenue_cost", agency, cost, source))
            elif difference < 0:
                gain = reach * -difference * (1 - self.bias)
                cash = values[self.cashable.id][:, None]
                out.append(Stream(self.name, item, "fiscal_cashable", agency, gain * cash, source))
                out.append(
                    Stream(
                        self.name, item, "fiscal_non_cashable", agency, gain * (1 - cash), source
                    )
                )
        return out

    def describe(self) -> dict[str, Any]:
        """Return the journey file, its price uplift and each agency's yearly difference."""
        spec = self.journey.spec
        return {
            "type": self.kind,
            "name": self.name,
            "journey": str(spec.path),
            "cohort": f"{spec.cohort_name} ({spec.cohort_size:,g} a year)",
            "price_uplift": round(self.factor, 6),
            "confidence_grade": self.grade,
            "optimism_bias": self.bias,
            "yearly_difference_by_agency": {a: round(d, 2) for a, d in self.differences.items()},
            "source": self.journey.citation,
        }


def build_journey(
    reader: Reader, lever: LeverTable, frame: Frame, journeys: Mapping[str, JourneyResult]
) -> JourneyLever | None:
    """Return a journey lever from its table; ``journeys`` holds the costed files by their ``file``."""
    table, path, name = lever.table, lever.path, lever.name
    reader.unknown_keys(table, LEVER_KEYS, path, f"the journey lever {name!r}")
    file = reader.text(table, "file", path)
    if not file:
        reader.fault(path, 'the journey lever needs file = "journeys/NAME.toml" (a journey file)')
        return None
    journey = journeys.get(file)
    if journey is None:
        reader.fault(
            (*path, "file"), f"no journey file {file!r}: `totalplace journey list` shows them"
        )
        return None
    factor = price_factor(reader, (*path, "file"), journey.spec.price_year, frame.price_base)
    take_up = reader.ranged(table, "take_up", path, default=Ranged.point(1.0), low=0.0, high=1.0)
    cashable = reader.ranged(
        table, "cashable", path, default=Ranged.point(0.0, "none stated: non-cashable"),
        low=0.0, high=1.0,
    )  # fmt: skip
    bias = read_cost_bias(reader, lever)
    grade = read_confidence(reader, lever)
    start, ramp, duration = read_phasing(reader, lever, frame.horizon)
    return JourneyLever(
        name=name,
        kind=lever.kind,
        frame=frame,
        journey=journey,
        differences={a.agency: float(a.difference) * factor for a in journey.agencies},
        factor=factor,
        take_up=Param(
            f"{name}: take-up",
            f"{name}: share of the cohort on the redesigned path",
            take_up or Ranged.point(1.0),
        ),  # fmt: skip
        cashable=Param(
            f"{name}: cashable",
            f"{name}: cashable share of the savings",
            cashable or Ranged.point(0.0),
        ),  # fmt: skip
        cost_bias=Param(
            f"{name}: cost optimism bias",
            f"{name}: optimism bias on costs",
            bias or Ranged.point(0.0),
        ),  # fmt: skip
        bias=benefit_bias(grade),
        grade=grade,
        share=phasing(frame.horizon, start, ramp, duration),
    )
