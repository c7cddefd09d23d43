"""A scenario built: its frame (partners, years, prices), its levers and their ranged inputs.

:func:`build_model` checks every lever of a scenario file against the workspace (its
partners, the count's themes, the unit-cost codes, the horizon) and collects every
fault before any figure is computed. :meth:`Model.evaluate` then turns one set of
parameter values -- the central case, or all Monte Carlo draws at once -- into the money
streams (D, S, H) the appraisal reads, for all partners or for a coalition of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from totalplace.scenario.baseline import Baseline, read_baseline, read_journeys
from totalplace.scenario.budget import build_budget_change
from totalplace.scenario.estate import build_estate
from totalplace.scenario.journey import build_journey
from totalplace.scenario.lever import Frame, Lever, Param, Stream
from totalplace.scenario.outcomes import build_intervention
from totalplace.scenario.sharing import build_senior_management, build_sharing
from totalplace.scenario.spec import LeverTable, Reader, ScenarioFileError, ScenarioSpec
from totalplace.workspace import Workspace

__all__ = ["LEVER_TYPES", "Model", "Streams", "assemble", "build_model"]

#: The lever types a scenario file may use, and what each is.
LEVER_TYPES = {
    "shared_back_office": "a share of each partner's back-office spend, saved by sharing it",
    "procurement": "a share of the spend partners buy separately in the same categories",
    "senior_management": "posts a shared senior team no longer needs",
    "assets": "running costs of buildings close together (clusters of `totalplace assets`) saved",
    "early_intervention": "a programme whose outcomes are valued with unit costs, by agency",
    "budget_change": "a cut or reinvestment in one partner x theme, and what shifts to others",
    "journey": "a costed customer journey: each agency's difference, redesigned against current",
}
_NEEDS_OPPORTUNITIES = ("shared_back_office", "procurement")


@dataclass(frozen=True)
class Streams:
    """Money streams: ``amounts`` (D, S, H) with, per stream, its lever, item, kind, agency and source."""

    levers: tuple[str, ...]
    items: tuple[str, ...]
    kinds: tuple[str, ...]
    agencies: tuple[str, ...]
    sources: tuple[str, ...]
    amounts: np.ndarray

    @classmethod
    def of(cls, found: Sequence[Stream], draws: int, horizon: int) -> Streams:
        """Return the streams stacked into one array (an empty one when there are none)."""
        amounts = (
            np.stack([np.broadcast_to(s.amounts, (draws, horizon)) for s in found], axis=1)
            if found
            else np.zeros((draws, 0, horizon))
        )
        return cls(
            tuple(s.lever for s in found),
            tuple(s.item for s in found),
            tuple(s.kind for s in found),
            tuple(s.agency for s in found),
            tuple(s.source for s in found),
            amounts,
        )


@dataclass
class Model:
    """A checked scenario: the spec, the frame, the baseline figures, the levers and their inputs."""

    spec: ScenarioSpec
    frame: Frame
    baseline: Baseline
    levers: list[Lever]
    params: list[Param] = field(default_factory=list)

    def central(self) -> dict[str, np.ndarray]:
        """Return every parameter at its central value, as arrays of one draw."""
        return {p.id: np.array([p.range.central]) for p in self.params}

    def values(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        """Return parameter values from a (D, P) matrix whose columns follow :attr:`params`."""
        return {p.id: matrix[:, j] for j, p in enumerate(self.params)}

    def evaluate(
        self, values: Mapping[str, np.ndarray], members: np.ndarray | None = None
    ) -> Streams:
        """Return the streams of every lever for ``values`` with the partners in ``members``
        (a boolean mask over the frame's partners; None: all) taking part."""
        mask = np.ones(len(self.frame.partners), dtype=bool) if members is None else members
        found = [s for lever in self.levers for s in lever.streams(values, mask)]
        draws = len(next(iter(values.values()))) if values else 1
        return Streams.of(found, draws, self.frame.horizon)


def build_model(workspace: Workspace, spec: ScenarioSpec) -> Model:
    """Return the scenario's model, every lever checked against the workspace.

    Raises ScenarioFileError listing every fault with its line (nothing computed), or
    the stage contract's StageNotRun/StageStale if the count (or, for back office and
    procurement, the opportunities) must be run first.
    """
    needs = any(lever.kind in _NEEDS_OPPORTUNITIES for lever in spec.levers)
    estate = any(lever.kind == "assets" for lever in spec.levers)
    baseline = read_baseline(workspace, spec.baseline_year, needs, estate)
    start = spec.start_year if spec.start_year is not None else baseline.year + 1
    frame = Frame(
        partners=tuple(p.name for p in workspace.partners),
        sectors={p.name: p.sector for p in workspace.partners},
        horizon=spec.horizon,
        start_year=start,
        baseline_year=baseline.year,
        price_base=spec.price_base if spec.price_base is not None else baseline.year,
        themes=baseline.themes,
    )
    baseline.journeys.update(read_journeys(workspace, spec))
    return assemble(spec, frame, baseline)


def assemble(spec: ScenarioSpec, frame: Frame, baseline: Baseline) -> Model:
    """Return the model of ``spec`` over a given frame and baseline figures (what
    :func:`build_model` reads from a workspace; a benchmark or a notebook may supply its own).

    Raises ScenarioFileError listing every fault with its line.
    """
    reader = Reader(spec.path, spec.text)
    levers = [_build(reader, lever, frame, baseline) for lever in spec.levers]
    built = [lever for lever in levers if lever is not None]
    params = [p for lever in built for p in lever.parameters()]
    ids = [p.id for p in params]
    for p in params:
        if ids.count(p.id) > 1:  # two outcomes of one programme with the same code
            reader.fault(
                ("levers",),
                f"two inputs are both called {p.id!r}: give each outcome its own unit cost",
            )
            break
    if reader.problems:
        raise ScenarioFileError(spec.path, reader.problems)
    return Model(spec, frame, baseline, built, params)


def _build(reader: Reader, lever: LeverTable, frame: Frame, baseline: Baseline) -> Lever | None:
    kind = lever.kind
    if kind == "shared_back_office":
        return build_sharing(
            reader, lever, frame, baseline.back_office, baseline.back_office_rates,
            "back-office functions", baseline.sources.get("opportunities", ""),
        )  # fmt: skip
    if kind == "procurement":
        return build_sharing(
            reader, lever, frame, baseline.procurement, baseline.procurement_rates,
            "purchase categories", baseline.sources.get("opportunities", ""),
        )  # fmt: skip
    if kind == "assets":
        return build_estate(reader, lever, frame, baseline)
    if kind == "senior_management":
        return build_senior_management(reader, lever, frame)
    if kind == "early_intervention":
        return build_intervention(reader, lever, frame)
    if kind == "budget_change":
        return build_budget_change(reader, lever, frame, baseline.spend)
    if kind == "journey":
        return build_journey(reader, lever, frame, baseline.journeys)
    if kind:
        from totalplace.workspace.checks import suggest

        reader.fault(
            (*lever.path, "type"),
            f"lever type {kind!r} is not known; {suggest(kind, list(LEVER_TYPES))} "
            f"(the types are {', '.join(LEVER_TYPES)})",
        )
    return None
