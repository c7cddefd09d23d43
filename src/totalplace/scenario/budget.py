"""A plain cut or reinvestment in one partner's spend on one theme, to see what follows.

``change`` is a yearly amount (negative: a cut) or ``share`` a fraction of what the
partner spent on the theme in the place in the baseline year (from the count). A cut
saves the partner that much a year (cashable); ``shifts`` says what share of it comes
back as cost to other bodies -- demand that moves to another pocket (cost-shunting) --
so the partnership sees the whole effect, not only the budget line that fell. A
reinvestment is a yearly revenue cost to the partner with no benefit counted unless
the shifts say otherwise (a negative shift: others' demand falls). The jobs and
supplier income a cut touches are the local economy's (``totalplace economy --cut``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from totalplace.scenario.lever import Frame, Param, Stream, phasing, read_phasing
from totalplace.scenario.spec import LeverTable, Ranged, Reader

__all__ = ["BudgetLever", "build_budget_change"]

KEYS = (
    "type",
    "name",
    "partner",
    "theme",
    "change",
    "share",
    "shifts",
    "start",
    "ramp_up",
    "duration",
)


@dataclass(frozen=True)
class BudgetLever:
    """A yearly change in one partner's spend on one theme, and the shares shifted to others."""

    name: str
    kind: str
    frame: Frame
    partner: str
    theme: str
    baseline: float  # the partner's spend on the theme in the place, baseline year
    change: Param  # pounds a year (negative: a cut)
    shifts: Mapping[str, Param]  # agency -> share of the cut that lands on it
    profile: np.ndarray

    def parameters(self) -> list[Param]:
        """Return the change and the shifted shares."""
        return [self.change, *self.shifts.values()]

    def streams(self, values: Mapping[str, np.ndarray], members: np.ndarray) -> list[Stream]:
        """Return the partner's saving (or cost) and the costs shifted to other agencies."""
        if not members[self.frame.partners.index(self.partner)]:
            return []
        yearly = values[self.change.id][:, None] * self.profile[None, :]  # negative: a cut
        source = f"count_by_partner_theme_year: {self.partner} x {self.theme}"
        out = [
            Stream(
                self.name,
                self.theme,
                "fiscal_cashable",
                self.partner,
                -np.minimum(yearly, 0),
                source,
            ),
            Stream(
                self.name, self.theme, "revenue_cost", self.partner, np.maximum(yearly, 0), source
            ),
        ]
        for agency, share in self.shifts.items():
            # A cut shifted to another body is a cost to it: a negative fiscal benefit.
            moved = yearly * values[share.id][:, None]
            out.append(
                Stream(
                    self.name,
                    f"shifted from {self.partner}",
                    "fiscal_cashable",
                    agency,
                    moved,
                    share.range.source,
                )
            )
        return out

    def describe(self) -> dict[str, Any]:
        """Return the partner, theme, its baseline spend and the shifts."""
        return {
            "type": self.kind,
            "name": self.name,
            "partner": self.partner,
            "theme": self.theme,
            "baseline_spend": round(self.baseline, 2),
            "shifts": {a: p.range.central for a, p in self.shifts.items()},
            "phasing": [round(float(x), 4) for x in self.profile],
        }


def build_budget_change(
    reader: Reader, lever: LeverTable, frame: Frame, spend: Mapping[tuple[str, str], Decimal]
) -> BudgetLever:
    """Return a cut or reinvestment lever from its table, checked against the count's partners and themes."""
    table, path, name = lever.table, lever.path, lever.name
    reader.unknown_keys(table, KEYS, path, f"the budget_change lever {name!r}")
    partner = reader.text(table, "partner", path)
    if partner not in frame.partners:
        reader.fault(
            (*path, "partner"),
            f"partner {partner!r} is not a partner of the place; the partners are {', '.join(frame.partners)}",
        )
    theme = reader.text(table, "theme", path)
    if theme not in frame.themes:
        reader.fault(
            (*path, "theme"),
            f"theme {theme!r} is not a theme of the count in the baseline year; the themes are "
            f"{', '.join(frame.themes)}",
        )
    base = float(spend.get((partner, theme), Decimal(0)))
    if ("change" in table) == ("share" in table):
        reader.fault(
            path,
            "give either change (pounds a year; negative for a cut) or share (of the baseline spend, e.g. -0.1)",
        )
        change = Ranged.point(0.0)
    elif "change" in table:
        change = reader.ranged(table, "change", path) or Ranged.point(0.0)
    else:
        share = reader.ranged(table, "share", path, low=-1.0, high=1.0) or Ranged.point(0.0)
        change = Ranged(
            base * share.low,
            base * share.central,
            base * share.high,
            f"{share.source or 'share'} of the count's {base:,.2f}",
        )
    shifts: dict[str, Param] = {}
    given = table.get("shifts", {})
    if not isinstance(given, dict):
        reader.fault(
            (*path, "shifts"), 'shifts is a table { "NHS" = 0.3, ... } of shares of the cut'
        )
        given = {}
    for agency in given:
        found = reader.ranged(given, agency, (*path, "shifts"), low=-1.0, high=1.0)
        if found is not None:
            shifts[agency] = Param(
                f"{name}: shift to {agency}", f"{name}: share shifted to {agency}", found
            )
    start, ramp, duration = read_phasing(reader, lever, frame.horizon)
    return BudgetLever(
        name=name,
        kind=lever.kind,
        frame=frame,
        partner=partner,
        theme=theme,
        baseline=base,
        change=Param(f"{name}: change", f"{name}: yearly change in spend", change, "£"),
        shifts=shifts,
        profile=phasing(frame.horizon, start, ramp, duration),
    )
