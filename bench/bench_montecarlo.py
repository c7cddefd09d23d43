"""Monte Carlo of a scenario: 10,000 draws of a 10-lever, 5-partner, 10-year scheme in under 2 s.

Run from the repository root::

    .venv/bin/python bench/bench_montecarlo.py [--draws 10000] [--seed 2025] [--runs 3]

Issue 9 asks for "a 10,000-draw Monte Carlo of a 10-lever, 5-partner, 10-year scenario in
under 2 seconds on this machine". Each run times the whole uncertainty pass, end to end:

1. draw every ranged input at once (``scenario.uncertainty.draw``, seeded);
2. the engine turns the (D, P) draws into money streams (D, S, H);
3. discount (``scenario.appraise.discount_factors`` when present, else the Green Book
   standard schedule here), per stream PV, each agency's budget position (fiscal benefits
   less costs) per year and discounted, NPV (public value) and the savings;
4. P10 / P50 / P90 and means of savings, NPV, each partner's position and the per-year net
   (the fan chart), the probability each partner comes out ahead;
5. a tornado of NPV over every input (one engine call of 2P + 1 rows);
6. the central case: the payer x beneficiary matrix, every coalition's value (2**5 engine
   calls with the partners outside a coalition taking no part) and the Shapley gain-share.

The engine is a parameter (:class:`Engine`): this file's :class:`StandIn` has the shape of a
real scenario -- 10 levers of 3 ranged inputs each (annual saving, one-off cost, share
achieved), 5 partners and 2 outside agencies, streams of every kind -- and
``run(engine, ...)`` takes any object with the same four attributes and ``evaluate``, such as
the scenario engine's model behind a two-line adapter. Nothing is asserted: a Rich table on
the terminal and ``bench/out/montecarlo.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from totalplace.scenario.gainshare import coalitions, gain_share, payer_beneficiary  # noqa: E402
from totalplace.scenario.uncertainty import (  # noqa: E402
    Range,
    centrals,
    draw,
    probability_ahead,
    summarise,
    tornado,
)

OUT = ROOT / "bench" / "out"
console = Console(width=None if sys.stdout.isatty() else 130)
AIM_SECONDS = 2.0

COST_KINDS = ("capital_cost", "revenue_cost")
FISCAL_KINDS = ("fiscal_cashable", "fiscal_non_cashable")


def discount_factors(years: int) -> np.ndarray:
    """Return DF_t for t = 0..years-1, from scenario.appraise when it exists, else the Green Book
    standard schedule (3.5% for years 1-30, 3.0% 31-75, 2.5% 76-125, 2.0% 126-200, 1.5%
    201-300, 1.0% after)."""
    try:
        from totalplace.scenario.appraise import discount_factors as appraised
    except ImportError:
        k = np.arange(1, years)
        rate = np.select(
            [k <= 30, k <= 75, k <= 125, k <= 200, k <= 300],
            [0.035, 0.03, 0.025, 0.02, 0.015],
            0.01,
        )
        return np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + rate))])
    return np.asarray(appraised(years), dtype=np.float64)


@dataclass(frozen=True)
class Streams:
    """Money streams as the scenario engine returns them: ``amounts`` (D, S, H) and per stream
    its lever, kind and agency."""

    amounts: np.ndarray
    levers: tuple[str, ...]
    kinds: tuple[str, ...]
    agencies: tuple[str, ...]


class Engine(Protocol):
    """What the bench needs of a scenario engine."""

    ranges: Sequence[Range]  # the ranged inputs, in the columns' order
    names: Sequence[str]
    partners: Sequence[str]
    horizon: int

    def evaluate(self, matrix: np.ndarray, members: np.ndarray | None = None) -> Streams:
        """Return the streams for a (D, P) matrix of inputs, with only ``members`` (a mask over
        the partners; None: all) taking part."""
        ...


class StandIn:
    """A synthetic scheme with the shape of a real one: 10 levers x 3 inputs, 5 partners + DWP
    and NHS, 10 years. Lever l is led (and its one-off cost paid) by partner l mod 5, its running
    cost by the next partner; its saving ramps up over three years, falls away 10% a year after
    year 5, and lands on three agencies (fiscal cashable), one more (non-cashable), with an
    economic and a social value besides. A partner outside the coalition neither pays nor saves."""

    def __init__(self, levers: int = 10, seed: int = 9) -> None:
        rng = np.random.default_rng(seed)
        self.partners = ("Council", "County", "Police", "Fire", "Health")
        self.agencies = (*self.partners, "DWP", "NHS England")
        self.horizon = 10
        saving = rng.uniform(2e5, 3e6, levers)
        cost = saving * rng.uniform(0.5, 2.0, levers)
        self.ranges = [
            r
            for s, c, a in zip(saving, cost, rng.uniform(0.5, 0.8, levers), strict=True)
            for r in (Range(0.5 * s, s, 1.3 * s), Range(0.8 * c, c, 1.6 * c), Range(0.2, a, 0.95))
        ]
        self.names = [
            f"lever {i + 1} {what}"
            for i in range(levers)
            for what in ("annual saving", "one-off cost", "share achieved")
        ]
        count = len(self.agencies)
        lead = np.arange(levers) % 5
        # who bears each stream: one-off cost, running cost, 3 cashable, 1 non-cashable, economic, social
        beneficiaries = np.argsort(rng.random((levers, count)), axis=1)[:, :4]  # 4 distinct
        self._payees = np.column_stack(
            [lead, (lead + 1) % 5, beneficiaries, rng.integers(0, count, (levers, 2))]
        )  # (L, 8): the agency of each of a lever's 8 streams
        self._split = rng.dirichlet(np.ones(4), levers)  # the saving over the 4 fiscal streams
        self._value_rates = rng.uniform(0.1, 0.5, (levers, 2))  # economic, social per £ saved
        t = np.arange(self.horizon)
        self._profile = np.minimum((t + 1) / 3.0, 1.0) * 0.9 ** np.maximum(t - 5, 0)
        self._one_off = np.where(t < 2, 0.5, 0.0)  # the set-up cost over the first two years
        self.levers = levers
        kinds = ("capital_cost", "revenue_cost", *["fiscal_cashable"] * 3, "fiscal_non_cashable")
        self.stream_kinds = tuple(k for _ in range(levers) for k in (*kinds, "economic", "social"))
        self.stream_levers = tuple(f"lever {i + 1}" for i in range(levers) for _ in range(8))
        self.stream_agencies = tuple(self.agencies[a] for a in self._payees.ravel())

    def evaluate(self, matrix: np.ndarray, members: np.ndarray | None = None) -> Streams:
        """Return the (D, 8L, H) streams for the draws in ``matrix`` (D, 3L)."""
        x = matrix.reshape(len(matrix), self.levers, 3)
        saving, cost, achieved = x[..., 0], x[..., 1], x[..., 2]  # (D, L)
        gained = (saving * achieved)[..., None] * self._profile  # (D, L, H)
        set_up = cost[..., None] * self._one_off
        running = 0.1 * cost[..., None] * (self._profile > 0)
        fiscal = gained[:, :, None, :] * self._split[None, :, :, None]  # (D, L, 4, H)
        valued = gained[:, :, None, :] * self._value_rates[None, :, :, None]  # (D, L, 2, H)
        amounts = np.concatenate(
            [set_up[:, :, None, :], running[:, :, None, :], fiscal, valued], axis=2
        )  # (D, L, 8, H)
        if members is not None:
            inside = np.concatenate([members, np.ones(len(self.agencies) - len(members), bool)])
            runs = members[self._payees[:, 0]]  # a lever runs only if its lead partner is in
            amounts = amounts * (inside[self._payees] & runs[:, None])[None, :, :, None]
        return Streams(
            amounts.reshape(len(matrix), -1, self.horizon),
            self.stream_levers,
            self.stream_kinds,
            self.stream_agencies,
        )


def _weights(streams: Streams, agencies: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return (S, A) weights giving each agency's budget position (fiscal less costs) and (S,)
    weights giving public value (every benefit less costs)."""
    kinds = np.array(streams.kinds)
    cost = np.isin(kinds, COST_KINDS)
    budget = np.where(cost, -1.0, np.isin(kinds, FISCAL_KINDS).astype(float))
    onehot = np.array(streams.agencies)[:, None] == np.array(agencies)[None, :]
    return onehot * budget[:, None], np.where(cost, -1.0, 1.0)


def coalition_values(engine: Engine, central: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Return v(S) for every coalition (bitmask order): the discounted budget positions of its
    members, with only its members taking part."""
    grid = coalitions(len(engine.partners))
    values = np.zeros(len(grid))
    for m in range(1, len(grid)):  # 2**n engine calls on one draw (n is a handful)
        streams = engine.evaluate(central[None, :], grid[m])
        budget, _ = _weights(streams, engine.partners)
        values[m] = (streams.amounts[0] @ factors) @ budget @ grid[m]
    return values


def run(engine: Engine, draws: int, seed: int, distribution: str = "triangular") -> dict[str, Any]:
    """Return the results and step timings of one Monte Carlo pass over ``engine``."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = now - clock
        clock = now

    factors = discount_factors(engine.horizon)
    partners = list(engine.partners)
    samples = draw(engine.ranges, draws, seed, distribution)
    lap("draw")
    streams = engine.evaluate(samples)
    lap("streams")
    budget, public = _weights(streams, partners)
    pv = streams.amounts @ factors  # (D, S)
    yearly = np.einsum("dsh,sa->dah", streams.amounts, budget)  # (D, A, H) budget positions
    position = pv @ budget  # (D, A) discounted
    npv = pv @ public
    savings = pv @ np.isin(np.array(streams.kinds), FISCAL_KINDS)
    lap("discount")
    summary = {
        "npv": summarise(npv).to_dict(),
        "savings": summarise(savings).to_dict(),
        "partners": summarise(position).to_dict(partners),
        "net_by_year": summarise(yearly.sum(axis=1)).to_dict(),
        "probability_ahead": dict(zip(partners, probability_ahead(position).tolist(), strict=True)),
    }
    lap("summarise")
    bars = tornado(
        lambda x: engine.evaluate(x).amounts @ factors @ public, engine.ranges, engine.names
    )
    lap("tornado")
    central = centrals(engine.ranges)
    deterministic = engine.evaluate(central[None, :])
    outside = [a for a in dict.fromkeys(deterministic.agencies) if a not in partners]
    agencies = [*partners, *outside]  # payer x beneficiary over every agency, partners first
    lever_names = list(dict.fromkeys(deterministic.levers))
    by_lever = np.array(deterministic.levers)[:, None] == np.array(lever_names)[None, :]
    kinds = np.array(deterministic.kinds)
    onehot = np.array(deterministic.agencies)[:, None] == np.array(agencies)[None, :]
    pv_central = deterministic.amounts[0] @ factors  # (S,)
    costs = (by_lever * (pv_central * np.isin(kinds, COST_KINDS))[:, None]).T @ onehot  # (L, A)
    gains = (by_lever * (pv_central * np.isin(kinds, FISCAL_KINDS))[:, None]).T @ onehot
    paid = costs.sum(axis=1, keepdims=True)
    shares = np.divide(costs, paid, out=np.zeros_like(costs), where=paid > 0)
    matrix = payer_beneficiary(shares, gains)  # (A, A)
    values = coalition_values(engine, central, factors)
    n = len(partners)
    share = gain_share(costs[:, :n].sum(axis=0), gains[:, :n].sum(axis=0), values, partners)
    lap("central case and gain-share")
    return {
        "timings": timings,
        "summary": summary,
        "tornado": [(b.name, b.swing) for b in bars[:5]],
        "payer_beneficiary": matrix,
        "gain_share": share,
        "shape": streams.amounts.shape,
    }


SCENARIO = (
    """
[scenario]
name = "bench: ten levers, five partners"
horizon = 10
draws = 10000

[[levers]]
type = "shared_back_office"
name = "shared finance and HR"
items = ["Finance", "HR"]
implementation_cost = [400000, 600000, 900000]
start = 1
ramp_up = [0.5]

[[levers]]
type = "shared_back_office"
name = "shared ICT"
items = ["ICT"]
implementation_cost = [800000, 1200000, 2000000]
cost_optimism_bias = 0.41

[[levers]]
type = "procurement"
name = "joint buying"
implementation_cost = [50000, 100000, 150000]

[[levers]]
type = "senior_management"
name = "one chief executive"
partners = ["Council", "County"]
posts = [1, 2, 3]
cost_per_post = [120000, 150000, 180000]
implementation_cost = [100000, 200000, 300000]

[[levers]]
type = "senior_management"
name = "shared blue-light directors"
partners = ["Police", "Fire"]
posts = [1, 2, 2]
cost_per_post = [90000, 110000, 130000]
implementation_cost = 50000
"""
    + "".join(
        f"""
[[levers]]
type = "early_intervention"
name = "programme {i}"
funders = {{ "Council" = 0.5, "Health" = 0.5 }}
cohort = [{80 * i}, {100 * i}, {130 * i}]
engagement = [0.5, 0.7, 0.8]
cost_per_participant = [2000, 3000, 4000]
duration = 3

[[levers.outcomes]]
unit_cost = "CR2.0.3"
success = [0.1, 0.2, 0.3]
deadweight = [0.1, 0.2, 0.3]
lag = 1
persistence = 3
drop_off = [0.1, 0.2, 0.3]

[[levers.outcomes]]
unit_cost = "E&E1.0.1"
success = [0.05, 0.1, 0.15]
deadweight = [0.2, 0.3, 0.4]
lag = 1
persistence = 2
"""
        for i in (1, 2, 3)
    )
    + "".join(
        f"""
[[levers]]
type = "budget_change"
name = "change {i}"
partner = "{partner}"
theme = "{theme}"
share = [-0.15, -0.1, -0.05]
shifts = {{ "NHS" = [0.1, 0.2, 0.3] }}
"""
        for i, (partner, theme) in enumerate(
            (("County", "Older people"), ("Council", "Housing")), 1
        )
    )
)


def real_engine() -> Any:
    """Return the scenario engine's model of a 10-lever, 5-partner, 10-year scenario over
    synthetic baseline figures (the levers, appraisal, draws and gain-share are the real code)."""
    import tempfile
    from decimal import Decimal

    from totalplace.scenario.baseline import Baseline
    from totalplace.scenario.engine import assemble
    from totalplace.scenario.lever import Frame
    from totalplace.scenario.spec import read_scenario

    partners = ("Council", "County", "Police", "Fire", "Health")
    sectors = dict(
        zip(
            partners,
            ("district_council", "county_council", "police", "fire", "nhs_icb"),
            strict=True,
        )
    )
    rng = np.random.default_rng(5)
    themes = ("Older people", "Housing", "Community safety")
    functions = ("Finance", "HR", "ICT")
    categories = ("Agency staff", "Energy", "Vehicle fuel")
    money = lambda low, high: Decimal(f"{rng.uniform(low, high):.2f}")  # noqa: E731
    baseline = Baseline(
        year=2024,
        years=(2024,),
        spend={(p, t): money(1e6, 5e7) for p in partners for t in themes},
        back_office={(p, f): money(2e5, 4e6) for p in partners for f in functions},
        back_office_rates={
            f: (Decimal("0.15"), Decimal("0.2"), Decimal("0.3"), "OEP 2009") for f in functions
        },
        procurement={(p, c): money(1e5, 2e6) for p in partners for c in categories},
        procurement_rates={
            c: (Decimal("0.03"), Decimal("0.05"), Decimal("0.08"), "bench") for c in categories
        },
    )
    frame = Frame(
        partners,
        sectors,
        horizon=10,
        start_year=2025,
        baseline_year=2024,
        price_base=2024,
        themes=themes,
    )
    folder = Path(tempfile.mkdtemp())
    (folder / "bench.toml").write_text(SCENARIO, encoding="utf-8")
    return assemble(read_scenario(folder / "bench.toml"), frame, baseline)


class ModelEngine:
    """The scenario engine's model behind the bench's :class:`Engine` interface."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.ranges = [p.range for p in model.params]
        self.names = [p.label for p in model.params]
        self.partners = model.frame.partners
        self.horizon = model.frame.horizon

    def evaluate(self, matrix: np.ndarray, members: np.ndarray | None = None) -> Streams:
        found = self.model.evaluate(self.model.values(matrix), members)
        return Streams(found.amounts, found.levers, found.kinds, found.agencies)


def main(argv: list[str] | None = None, engine: Engine | None = None) -> int:
    """Run the benchmark on ``engine`` (default: the stand-in); return a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3, help="timed runs (each reported)")
    parser.add_argument("--distribution", choices=("triangular", "pert"), default="triangular")
    args = parser.parse_args(argv)
    whole = floor = None
    if engine is None:  # the real engine; the stand-in's time beside it is the floor of the shape
        model = real_engine()
        engine = ModelEngine(model)
        standin = StandIn()
        run(standin, 100, args.seed, args.distribution)
        start = time.perf_counter()
        run(standin, args.draws, args.seed, args.distribution)
        floor = time.perf_counter() - start
        from totalplace.scenario.run import run_model

        run_model(model, draws=100)
        start = time.perf_counter()
        run_model(model, draws=args.draws, seed=args.seed)
        whole = time.perf_counter() - start
        console.print(
            f"The scenario engine's whole run (central case, every coalition, {args.draws:,} draws, "
            f"tornado): {whole:.2f} s; a stand-in of the same shape with no lever logic: {floor:.2f} s "
            f"(ratio {whole / floor:.1f}x)"
        )
    run(engine, 100, args.seed, args.distribution)  # warm up: imports, NumPy's first calls
    seconds = []
    result: dict[str, Any] = {}
    for _ in range(max(args.runs, 1)):
        start = time.perf_counter()
        result = run(engine, args.draws, args.seed, args.distribution)
        seconds.append(time.perf_counter() - start)
    worst, best = max(seconds), min(seconds)
    d, s, h = result["shape"]
    table = Table(title=f"Monte Carlo: {d:,} draws x {s} streams x {h} years")
    for column in ("Measure", "Value"):
        table.add_column(column)
    rows = [
        ("inputs (ranged)", f"{len(engine.ranges)} over {len(engine.partners)} partners"),
        ("wall clock, every run", ", ".join(f"{x:.2f} s" for x in seconds)),
        ("draws per second (slowest run)", f"{d / worst:,.0f}"),
        (
            "  steps of the last run",
            ", ".join(f"{k} {v:.2f}s" for k, v in result["timings"].items()),
        ),
        (
            "NPV P10 / P50 / P90",
            " / ".join(f"£{result['summary']['npv'][k]:,}" for k in ("p10", "p50", "p90")),
        ),
        (
            "probability ahead",
            ", ".join(f"{p} {q:.0%}" for p, q in result["summary"]["probability_ahead"].items()),
        ),
        ("largest tornado swing", f"{result['tornado'][0][0]}: £{result['tornado'][0][1]:,.0f}"),
        (
            "Shapley gain-share",
            ", ".join(
                f"{p} £{x:,}"
                for p, x in zip(
                    engine.partners,
                    result["gain_share"].proposal("shapley").allocation,
                    strict=True,
                )
            ),
        ),
        (
            "aim",
            f"under {AIM_SECONDS:g} s: " + ("met, every run" if worst < AIM_SECONDS else "NOT met"),
        ),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "draws": d,
        "streams": s,
        "years": h,
        "inputs": len(engine.ranges),
        "partners": len(engine.partners),
        "seconds": [round(x, 3) for x in seconds],
        "best_seconds": round(best, 3),
        "draws_per_second_slowest_run": round(d / worst),
        "step_seconds": {k: round(v, 3) for k, v in result["timings"].items()},
        "under_aim_every_run": worst < AIM_SECONDS,
        "scenario_engine_whole_run_seconds": None if whole is None else round(whole, 3),
        "standin_same_shape_seconds": None if floor is None else round(floor, 3),
        "summary": result["summary"],
        "gain_share": result["gain_share"].to_dict(),
    }
    (OUT / "montecarlo.json").write_text(
        json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8"
    )
    console.print(f"[dim]Wrote {OUT / 'montecarlo.json'}[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
