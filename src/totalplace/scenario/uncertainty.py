"""Uncertainty: Monte Carlo draws over the levers' low / central / high ranges, and a tornado.

Each uncertain input is a :class:`Range`. :func:`draw` samples every input at once, seeded, as a
(draws, inputs) matrix the lever engine evaluates in one vectorised pass; :func:`summarise`
gives P10 / P50 / P90 and the mean of any result along the draw axis,
:func:`probability_ahead` the share of draws in which each partner comes out ahead, and
:func:`tornado` the swing in a result as each input alone moves from its low to its high.

Distributions (Green Book on risk and uncertainty: ranges, not points): ``triangular``
(low, mode = central, high) by its inverse distribution function, and ``pert`` (the beta-PERT of
project estimating: Beta(1 + 4(c - a)/(b - a), 1 + 4(b - c)/(b - a)) on [a, b], mean
(a + 4c + b) / 6), which puts less weight on the extremes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from totalplace.errors import UsageError
from totalplace.money import round_half_up

__all__ = [
    "DISTRIBUTIONS",
    "Bar",
    "Bounds",
    "Range",
    "Summary",
    "centrals",
    "draw",
    "probability_ahead",
    "summarise",
    "tornado",
]

Floats = NDArray[np.float64]

#: The shapes a range can be drawn from.
DISTRIBUTIONS = ("triangular", "pert")


@dataclass(frozen=True)
class Range:
    """An uncertain input: its low, central (most likely) and high values; a point has all three equal."""

    low: float
    central: float
    high: float

    def __post_init__(self) -> None:
        values = (self.low, self.central, self.high)
        if not all(isinstance(x, numbers.Real) and math.isfinite(x) for x in values):
            raise UsageError(
                f"a range needs three finite numbers (low, central, high); got {values}."
            )
        if not self.low <= self.central <= self.high:
            raise UsageError(
                f"a range must have low <= central <= high; got low {self.low}, central "
                f"{self.central}, high {self.high}."
            )

    @classmethod
    def point(cls, value: float) -> Range:
        """Return a range with no uncertainty: low, central and high all ``value``."""
        return cls(value, value, value)


class Bounds(Protocol):
    """Anything with a low, central and high value: a :class:`Range`, or a scenario file's range."""

    @property
    def low(self) -> float: ...
    @property
    def central(self) -> float: ...
    @property
    def high(self) -> float: ...


def _bounds(ranges: Sequence[Bounds]) -> tuple[Floats, Floats, Floats]:
    """Return the lows, centrals and highs (P,) each, checked finite and in order."""
    if not ranges:
        raise UsageError("there are no uncertain inputs to draw: give at least one range.")
    table = np.array([(r.low, r.central, r.high) for r in ranges], dtype=np.float64)
    bad = (
        ~np.isfinite(table).all(axis=1) | (table[:, 0] > table[:, 1]) | (table[:, 1] > table[:, 2])
    )
    if np.any(bad):
        p = int(np.argmax(bad))
        raise UsageError(
            f"input {p} has the range {tuple(table[p].tolist())}: a range needs finite low <= "
            "central <= high."
        )
    return table[:, 0], table[:, 1], table[:, 2]


def centrals(ranges: Sequence[Bounds]) -> Floats:
    """Return the central value of each range (P,): the deterministic central case."""
    return _bounds(ranges)[1]


def draw(
    ranges: Sequence[Bounds], draws: int, seed: int, distribution: str = "triangular"
) -> Floats:
    """Return a (draws, P) matrix of samples, column ``p`` from ``ranges[p]``; the same seed gives
    the same matrix, and a point range a constant column.

    Triangular column ``p`` depends only on the seed, ``p`` and ``draws``, so adding an input at
    the end leaves the earlier columns as they were.
    """
    if distribution not in DISTRIBUTIONS:
        raise UsageError(
            f"unknown distribution {distribution!r}: use one of {', '.join(DISTRIBUTIONS)}."
        )
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise UsageError(
            f"the number of draws must be a whole number of at least 1; got {draws!r}."
        )
    a, c, b = (x[:, None] for x in _bounds(ranges))  # (P, 1) each
    rng = np.random.default_rng(seed)
    width = b - a
    spread = np.where(width > 0, width, 1.0)  # a point: any width, it is multiplied by 0
    if distribution == "triangular":
        u = rng.random((len(ranges), draws))
        mode = (c - a) / spread  # the distribution function at the mode
        rising = a + np.sqrt(u * width * (c - a))
        falling = b - np.sqrt((1.0 - u) * width * (b - c))
        samples = np.where(u < mode, rising, falling)
    else:
        alpha = 1.0 + 4.0 * (c - a) / spread
        beta = 1.0 + 4.0 * (b - c) / spread
        samples = a + width * rng.beta(alpha, beta, size=(len(ranges), draws))
    result: Floats = np.ascontiguousarray(samples.T)
    return result


@dataclass(frozen=True)
class Summary:
    """Percentiles and mean of a result over the draws, each shaped like one draw of it."""

    p10: Floats
    p50: Floats
    p90: Floats
    mean: Floats

    def to_dict(self, labels: Sequence[str] | None = None, places: int = 2) -> dict[str, Any]:
        """Return the figures rounded to ``places`` (pennies by default) as Decimal; with
        ``labels`` (one per entry of a 1-d result) keyed by label."""
        stats = {"p10": self.p10, "p50": self.p50, "p90": self.p90, "mean": self.mean}

        def rounded(values: Floats) -> Any:
            if values.ndim == 0:
                return round_half_up(Decimal(float(values)), places)
            return [rounded(v) for v in values]

        if labels is None:
            return {k: rounded(v) for k, v in stats.items()}
        if self.p50.ndim != 1 or len(labels) != len(self.p50):
            raise UsageError(
                f"{len(labels)} labels for a result of shape {self.p50.shape}: give one per entry."
            )
        return {
            label: {k: rounded(v[i]) for k, v in stats.items()} for i, label in enumerate(labels)
        }


def summarise(samples: ArrayLike) -> Summary:
    """Return P10, P50, P90 (linear interpolation between draws) and the mean along axis 0."""
    values = np.asarray(samples, dtype=np.float64)
    if values.ndim == 0 or values.shape[0] < 1:
        raise UsageError("there are no draws to summarise.")
    p10, p50, p90 = np.percentile(values, [10.0, 50.0, 90.0], axis=0)
    return Summary(p10=p10, p50=p50, p90=p90, mean=values.mean(axis=0))


def probability_ahead(net: ArrayLike) -> Floats:
    """Return (A,): the share of draws in which each partner's net position (D, A) is above 0."""
    values = np.asarray(net, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] < 1:
        raise UsageError(
            f"net positions must be a (draws, partners) array; got shape {values.shape}."
        )
    result: Floats = (values > 0).mean(axis=0)
    return result


@dataclass(frozen=True)
class Bar:
    """One input's bar in a tornado: the result with that input at its low and at its high."""

    name: str
    low: float  # the input's low value
    high: float  # and its high value
    at_low: float  # the result with this input low, every other input central
    at_high: float
    central: float  # the result with every input central

    @property
    def swing(self) -> float:
        """Return how far the result moves between this input's low and high: |at_high - at_low|."""
        return abs(self.at_high - self.at_low)


def tornado(
    evaluate: Callable[[Floats], ArrayLike], ranges: Sequence[Bounds], names: Sequence[str]
) -> list[Bar]:
    """Return one bar per input, largest swing first (ties in input order), from a single call
    of ``evaluate`` on a (2P + 1, P) matrix: every input central, then each input low in turn,
    then each high, the others central. ``evaluate`` returns one result per row."""
    if len(names) != len(ranges):
        raise UsageError(f"{len(names)} names for {len(ranges)} ranges: give one name per range.")
    low, central, high = _bounds(ranges)
    count = len(ranges)
    rows = np.tile(central, (2 * count + 1, 1))
    inputs = np.arange(count)
    rows[1 + inputs, inputs] = low
    rows[1 + count + inputs, inputs] = high
    results = np.asarray(evaluate(rows), dtype=np.float64)
    if results.shape != (2 * count + 1,):
        raise UsageError(
            f"the tornado's evaluate returned shape {results.shape} for {2 * count + 1} rows: it "
            "must return one number per row."
        )
    bars = [
        Bar(
            name=names[p],
            low=float(low[p]),
            high=float(high[p]),
            at_low=float(results[1 + p]),
            at_high=float(results[1 + count + p]),
            central=float(results[0]),
        )
        for p in range(count)  # one bar per input (a handful of lever parameters)
    ]
    return sorted(bars, key=lambda bar: -bar.swing)
