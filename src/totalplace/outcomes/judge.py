"""How an outcome compares: with its benchmark (with the 95% interval) and over time (with the direction of good)."""

from __future__ import annotations

__all__ = ["against_benchmark", "direction"]


def against_benchmark(
    value: float,
    lci: float | None,
    uci: float | None,
    benchmark: float | None,
    polarity: str | None,
) -> str | None:
    """Return 'better', 'worse', 'similar' or 'no direction of good' against ``benchmark`` (None: no benchmark).

    With a 95% interval, better or worse only when the interval excludes the benchmark
    ('similar' when it includes it); without one, the value alone decides (and the
    word says so).
    """
    if benchmark is None:
        return None
    if lci is not None and uci is not None:
        if lci <= benchmark <= uci:
            return "similar (CI includes it)"
        above = lci > benchmark
        note = ""
    else:
        if value == benchmark:
            return "same"
        above = value > benchmark
        note = " (no CI)"
    if polarity is None:
        return ("higher" if above else "lower") + note + ", no direction of good"
    good = above if polarity == "higher" else not above
    return ("better" if good else "worse") + note


def direction(first: float, last: float, polarity: str | None) -> str:
    """Return 'improving', 'worsening', 'unchanged', or 'up'/'down' where there is no direction of good."""
    if last == first:
        return "unchanged"
    up = last > first
    if polarity is None:
        return "up" if up else "down"
    return "improving" if up == (polarity == "higher") else "worsening"
