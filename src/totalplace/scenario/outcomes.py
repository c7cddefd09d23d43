"""Early intervention and demand reduction, in the form of the 2014 local-partnership CBA guidance.

A programme takes a cohort into it each year it runs; of those engaged, a share achieves
each outcome (fewer domestic-abuse incidents, an adult into work ...). Each success is
valued with a unit cost from the GMCA Unit Cost Database, uplifted from its price year to
the scenario's price base with the GDP deflator, and lands on the agency that bears that
cost (the database's own agency, mapped to the place's partners; or the file's). The
benefit starts after a lag, lasts ``persistence`` years and fades by ``drop_off`` a year;
deadweight (what would have happened anyway) and optimism bias (the outcome's
data-confidence grade) come off it. Fiscal value is split into cashable and not;
economic and social values are kept apart and go to "individuals and society".
The funders pay the cost per participant, uplifted for optimism bias, in their shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from totalplace.scenario.agencies import SOCIETY, agency_of
from totalplace.scenario.lever import Frame, Param, Stream, phasing, read_cost_bias, read_phasing
from totalplace.scenario.parameters import benefit_bias, price_factor, read_confidence, unit_value
from totalplace.scenario.spec import LeverTable, Ranged, Reader

__all__ = ["InterventionLever", "Outcome", "build_intervention"]

LEVER_KEYS = (
    "type",
    "name",
    "funders",
    "cohort",
    "engagement",
    "cost_per_participant",
    "cost_price_year",
    "cost_optimism_bias",
    "outcomes",
    "start",
    "ramp_up",
    "duration",
)
OUTCOME_KEYS = (
    "unit_cost",
    "label",
    "success",
    "events",
    "deadweight",
    "displacement",
    "lag",
    "persistence",
    "drop_off",
    "confidence_grade",
    "cashable",
    "agency",
    "economic_and_social",
)


@dataclass(frozen=True)
class Outcome:
    """One outcome of a programme: its unit cost, rates, timing and who gains."""

    code: str
    label: str
    agency: str
    fiscal: float  # pounds per event at the price base
    economic: float
    social: float
    price_note: str
    success: Param
    events: Param
    deadweight: Param
    displacement: Param
    drop_off: Param
    cashable: Param
    lag: int
    persistence: int
    bias: float
    grade: int

    def params(self) -> list[Param]:
        """Return the outcome's ranged inputs."""
        return [
            self.success,
            self.events,
            self.deadweight,
            self.displacement,
            self.drop_off,
            self.cashable,
        ]


@dataclass(frozen=True)
class InterventionLever:
    """A programme: yearly intakes, costs paid by its funders, outcomes valued by unit costs."""

    name: str
    kind: str
    frame: Frame
    funders: Mapping[str, float]
    cohort: Param
    engagement: Param
    cost: Param
    cost_bias: Param
    cost_factor: float  # price-year uplift of the cost per participant
    intake: np.ndarray  # (H,) share of a full cohort taken in each year
    outcomes: tuple[Outcome, ...]

    def parameters(self) -> list[Param]:
        """Return the cohort, engagement and cost inputs and every outcome's."""
        own = [self.cohort, self.engagement, self.cost, self.cost_bias]
        return own + [p for o in self.outcomes for p in o.params()]

    def streams(self, values: Mapping[str, np.ndarray], members: np.ndarray) -> list[Stream]:
        """Return the funders' costs and each outcome's value to the agency bearing it.

        The programme runs only if all its funders take part; its benefits reach every
        agency that bears the costs avoided, partner or not.
        """
        frame = self.frame
        if not all(members[frame.partners.index(f)] for f in self.funders):
            return []
        engaged = values[self.cohort.id] * values[self.engagement.id]  # (D,)
        intake = engaged[:, None] * self.intake[None, :]  # (D, H) people engaged each year
        spend = intake * values[self.cost.id][:, None] * self.cost_factor
        spend = spend * (1 + values[self.cost_bias.id][:, None])
        out = [
            Stream(
                self.name,
                "programme cost",
                "revenue_cost",
                funder,
                spend * share,
                self.cost.range.source,
            )
            for funder, share in self.funders.items()
        ]
        for outcome in self.outcomes:
            out.extend(self._outcome_streams(outcome, values, intake))
        return out

    def _outcome_streams(
        self, o: Outcome, values: Mapping[str, np.ndarray], intake: np.ndarray
    ) -> list[Stream]:
        horizon = self.frame.horizon
        net = values[o.success.id] * (1 - values[o.deadweight.id]) * (1 - values[o.displacement.id])
        years = np.arange(horizon)
        since = years - o.lag  # years since the benefit began, per year after intake
        live = (since >= 0) & (since < o.persistence)
        fade = (1 - values[o.drop_off.id])[:, None] ** np.clip(since, 0, None)[None, :]
        kernel = np.where(live[None, :], fade, 0.0)  # (D, H): benefit k years after intake
        # benefit in year t = sum over intake years i <= t of intake_i * kernel_{t-i}
        lagged = np.zeros((intake.shape[0], horizon))
        for i in np.flatnonzero(self.intake):  # the handful of intake years, not rows
            lagged[:, i:] += intake[:, i : i + 1] * kernel[:, : horizon - i]
        successes = lagged * (net * values[o.events.id])[:, None] * (1 - o.bias)
        source = f"{o.code} ({o.price_note})"
        cash = values[o.cashable.id][:, None]
        out = [
            Stream(
                self.name, o.code, "fiscal_cashable", o.agency, successes * o.fiscal * cash, source
            ),
            Stream(
                self.name,
                o.code,
                "fiscal_non_cashable",
                o.agency,
                successes * o.fiscal * (1 - cash),
                source,
            ),
        ]
        if o.economic:
            out.append(
                Stream(self.name, o.code, "economic", SOCIETY, successes * o.economic, source)
            )
        if o.social:
            out.append(Stream(self.name, o.code, "social", SOCIETY, successes * o.social, source))
        return out

    def describe(self) -> dict[str, Any]:
        """Return the funders, intake years and each outcome's unit cost, agency and timing."""
        return {
            "type": self.kind,
            "name": self.name,
            "funders": dict(self.funders),
            "intake": [round(float(x), 4) for x in self.intake],
            "cost_price_uplift": round(self.cost_factor, 6),
            "outcomes": [
                {
                    "unit_cost": o.code,
                    "label": o.label,
                    "agency": o.agency,
                    "fiscal_per_event": round(o.fiscal, 2),
                    "economic_per_event": round(o.economic, 2),
                    "social_per_event": round(o.social, 2),
                    "prices": o.price_note,
                    "lag": o.lag,
                    "persistence": o.persistence,
                    "confidence_grade": o.grade,
                    "optimism_bias": o.bias,
                }
                for o in self.outcomes
            ],
        }


def _funders(reader: Reader, lever: LeverTable, frame: Frame) -> dict[str, float]:
    given, at = lever.table.get("funders"), (*lever.path, "funders")
    if isinstance(given, list) and all(isinstance(f, str) for f in given):
        given = {f: 1 / len(given) for f in given} if given else {}
    if not isinstance(given, dict) or not given:
        reader.fault(at, 'funders is missing: a table { "Partner name" = share, ... } of who pays')
        return {}
    found: dict[str, float] = {}
    for funder, share in given.items():
        if funder not in frame.partners:
            reader.fault(
                at,
                f"funder {funder!r} is not a partner; the partners are {', '.join(frame.partners)}",
            )
        elif not isinstance(share, int | float) or isinstance(share, bool) or not 0 < share <= 1:
            reader.fault(at, f"the share of {funder!r} must be above 0 and at most 1")
        else:
            found[funder] = float(share)
    if found and abs(sum(found.values()) - 1) > 1e-9:
        reader.fault(at, f"the funders' shares add up to {sum(found.values()):g}, not 1")
    return found


def _outcome(
    reader: Reader, lever: LeverTable, index: int, table: Mapping[str, Any], frame: Frame
) -> Outcome | None:
    path = (*lever.path, "outcomes", index)
    reader.unknown_keys(table, OUTCOME_KEYS, path, f"outcome {index + 1} of {lever.name!r}")
    name = f"{lever.name}: outcome {index + 1}"
    code = reader.text(table, "unit_cost", path)
    if not code:
        reader.fault(
            path, f'outcome {index + 1} needs unit_cost: a GMCA unit cost code such as "CR2.0.3"'
        )
        return None
    valued = unit_value(reader, (*path, "unit_cost"), code, frame.price_base)
    if valued is None:
        return None
    lag = reader.whole(table, "lag", path, 0, 100, 0)
    if lag >= frame.horizon:
        reader.fault(
            (*path, "lag"),
            f"lag = {lag} years is beyond the horizon of {frame.horizon} years: no benefit would be "
            "counted; shorten the lag or lengthen the horizon",
        )
    persistence = reader.whole(table, "persistence", path, 1, 100, 1)

    def param(
        key: str, label: str, default: Ranged | None, low: float = 0.0, high: float | None = 1.0
    ) -> Param:
        found = reader.ranged(table, key, path, default=default, low=low, high=high)
        return Param(
            f"{name} {code}: {key}", f"{lever.name}: {label} ({code})", found or Ranged.point(0.0)
        )

    agency = agency_of(reader, (*path, "agency"), table.get("agency"), valued, frame)
    grade = read_confidence(reader, LeverTable(index, lever.kind, name, table))
    economic_too = table.get("economic_and_social", True) is not False
    return Outcome(
        code=code,
        label=reader.text(table, "label", path, valued.description),
        agency=agency,
        fiscal=valued.fiscal,
        economic=valued.economic if economic_too else 0.0,
        social=valued.social if economic_too else 0.0,
        price_note=valued.note,
        success=param("success", "share of those engaged who achieve it", None, low=0.0, high=1.0),
        events=param("events", "events avoided per success a year", Ranged.point(1.0), high=None),
        deadweight=param(
            "deadweight", "deadweight", Ranged.point(0.0, "none stated"), low=0.0, high=1.0
        ),
        displacement=param("displacement", "displacement", Ranged.point(0.0, "none stated")),
        drop_off=param(
            "drop_off", "yearly drop-off", Ranged.point(0.0, "none stated"), low=0.0, high=1.0
        ),
        cashable=param(
            "cashable", "cashable share", Ranged.point(0.0, "none stated: non-cashable")
        ),
        lag=lag,
        persistence=persistence,
        bias=benefit_bias(grade),
        grade=grade,
    )


def build_intervention(reader: Reader, lever: LeverTable, frame: Frame) -> InterventionLever:
    """Return an early-intervention lever from its table and its ``[[levers.outcomes]]``."""
    table, path, name = lever.table, lever.path, lever.name
    reader.unknown_keys(table, LEVER_KEYS, path, f"the early_intervention lever {name!r}")
    funders = _funders(reader, lever, frame)
    cohort = reader.ranged(table, "cohort", path, low=0.0)
    engagement = reader.ranged(
        table, "engagement", path, default=Ranged.point(1.0), low=0.0, high=1.0
    )
    cost = reader.ranged(table, "cost_per_participant", path, low=0.0)
    bias = read_cost_bias(reader, lever)
    cost_year = reader.year(table, "cost_price_year", path)
    factor = price_factor(reader, (*path, "cost_price_year"), cost_year, frame.price_base)
    start, ramp, duration = read_phasing(reader, lever, frame.horizon)
    raw = table.get("outcomes", [])
    if not isinstance(raw, list) or not raw or not all(isinstance(o, dict) for o in raw):
        reader.fault(
            (*path, "outcomes"), "the programme has no [[levers.outcomes]]; add at least one"
        )
        raw = []
    outcomes = [
        o for i, t in enumerate(raw) if (o := _outcome(reader, lever, i, t, frame)) is not None
    ]
    return InterventionLever(
        name=name,
        kind=lever.kind,
        frame=frame,
        funders=funders,
        cohort=Param(
            f"{name}: cohort", f"{name}: people in need each year", cohort or Ranged.point(0.0)
        ),
        engagement=Param(
            f"{name}: engagement", f"{name}: share who engage", engagement or Ranged.point(1.0)
        ),
        cost=Param(
            f"{name}: cost per participant",
            f"{name}: cost per participant",
            cost or Ranged.point(0.0),
            "£",
        ),
        cost_bias=Param(
            f"{name}: cost optimism bias",
            f"{name}: optimism bias on costs",
            bias or Ranged.point(0.0),
        ),
        cost_factor=factor,
        intake=phasing(frame.horizon, start, ramp, duration),
        outcomes=tuple(outcomes),
    )
